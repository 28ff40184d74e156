// SPDX-License-Identifier: Apache-2.0
import { homedir } from 'node:os';
import { parseJsonBody, readBody, validateBody } from './body.js';
import type { DaemonDeps } from './daemon-deps.js';
import type { HttpResult } from './http-types.js';
import { progressStream } from './ndjson-progress.js';
import type { Route } from './router.js';

/** The body of `POST /v1/images/pull`: `{"ref"}`. Pure. */
export function pullBody(body: unknown): { readonly ref: string } {
  return validateBody(body, { required: ['ref'], fields: { ref: 'string' } });
}

/** The body of `POST /v1/images/push`: `{"ref","dest"}`. Pure. */
export function pushBody(body: unknown): { readonly ref: string; readonly dest: string } {
  return validateBody(body, {
    required: ['ref', 'dest'],
    fields: { ref: 'string', dest: 'string' },
  });
}

/**
 * `POST /v1/images/pull` and `/push` (05 §12.1): the functions of `vordr image pull|push`, their
 * progress as ndjson lines, then `{"status":"done",…}` or `{"error":…}`. The body is checked
 * before the stream starts (a bad body is problem+json); registry errors come as the last line.
 * Credentials come from the daemon's auth files; loopback registries are plain http.
 */
export function registryRoutes(deps: DaemonDeps): Route[] {
  const registry = async () => {
    const mod = await import('../image-registry/index.js');
    const env = { env: deps.env, homeDir: deps.env['HOME'] ?? homedir(), logger: deps.logger };
    return { ...mod, openClient: mod.registryOpener({}, env) };
  };
  const stream = (task: Parameters<typeof progressStream>[0]): HttpResult => ({
    kind: 'stream',
    status: 200,
    contentType: 'application/x-ndjson',
    chunks: progressStream(task),
  });
  return [
    {
      method: 'POST',
      pattern: '/v1/images/pull',
      handler: async (req) => {
        const body = pullBody(parseJsonBody(req.headers['content-type'], await readBody(req.body)));
        const { pullStoreImage, openClient } = await registry();
        return stream((progress) =>
          pullStoreImage({
            root: deps.root,
            reference: body.ref,
            openClient,
            tool: 'vordr daemon',
            progress,
          }),
        );
      },
    },
    {
      method: 'POST',
      pattern: '/v1/images/push',
      handler: async (req) => {
        const body = pushBody(parseJsonBody(req.headers['content-type'], await readBody(req.body)));
        const { pushStoreImage, openClient } = await registry();
        return stream((progress) =>
          pushStoreImage({
            root: deps.root,
            source: body.ref,
            destination: body.dest,
            openClient,
            progress,
          }),
        );
      },
    },
  ];
}
