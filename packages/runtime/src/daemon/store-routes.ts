// SPDX-License-Identifier: Apache-2.0
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VcError } from '@verified-container/shared';
import {
  toVerifyResultJson,
  VERIFY_MODES,
  type VerifyMode,
} from '@verified-container/shared/verify';
import { listImages } from '../image/list-images.js';
import { inspectImage } from '../image-load/index.js';
import { checkLineJson, verifyStoreReference } from '../verification/index.js';
import {
  exportVolume,
  getVolume,
  importVolume,
  listVolumes,
  parseLabels,
  volumeUsers,
} from '../volume/index.js';
import {
  createVolumeWithEvents,
  loadImageWithEvents,
  removeImagesWithEvents,
  removeVolumesWithEvents,
} from '../service/store-objects.js';
import { parseJsonBody, queryBool, readBody, validateBody } from './body.js';
import type { DaemonDeps } from './daemon-deps.js';
import { empty, json, type ParsedRequest } from './http-types.js';
import type { Route } from './router.js';

const TAR_TYPES = [
  'application/x-tar',
  'application/gzip',
  'application/x-gzip',
  'application/octet-stream',
];

/** The image, volume and verify endpoints of 05 §12.1 (pull and push are another helper's). */
export function storeRoutes(deps: DaemonDeps): Route[] {
  const sink = (req: ParsedRequest) => ({
    root: deps.root,
    clock: deps.clock,
    logger: deps.logger,
    actor: req.actor,
  });
  return [
    {
      method: 'GET',
      pattern: '/v1/images',
      handler: async () => json(200, { images: await listImages(deps.root) }),
    },
    {
      method: 'GET',
      pattern: '/v1/images/{ref}',
      handler: async (req) => json(200, await inspectImage(deps.root, req.params['ref']!)),
    },
    {
      method: 'DELETE',
      pattern: '/v1/images/{ref}',
      handler: async (req) => {
        await removeImagesWithEvents(sink(req), {
          root: deps.root,
          refs: [req.params['ref']!],
          ...(queryBool(req.query, 'force') ? { force: true } : {}),
        });
        return empty(204);
      },
    },
    {
      method: 'POST',
      pattern: '/v1/images/load',
      handler: async (req) => {
        assertTarBody(req);
        // The body is spooled into the store's tmp directory: loading reads it more than once.
        const dir = join(deps.root, 'tmp');
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const file = join(dir, `load-${randomBytes(8).toString('hex')}.tar`);
        try {
          await pipeline(req.body, createWriteStream(file, { mode: 0o600 }));
          const result = await loadImageWithEvents(sink(req), {
            root: deps.root,
            source: file,
            tags: req.query.getAll('tag'),
          });
          return json(200, { images: result.images });
        } finally {
          await rm(file, { force: true });
        }
      },
    },
    {
      method: 'GET',
      pattern: '/v1/volumes',
      handler: async () => json(200, { volumes: await listVolumes(deps.root) }),
    },
    {
      method: 'POST',
      pattern: '/v1/volumes',
      handler: async (req) => {
        const body = validateBody<{ name?: string; labels?: Record<string, string> }>(
          parseJsonBody(req.headers['content-type'], await readBody(req.body), {
            emptyAsObject: true,
          }),
          { fields: { name: 'string', labels: 'string-map' } },
        );
        const record = await createVolumeWithEvents(sink(req), {
          ...(body.name !== undefined ? { name: body.name } : {}),
          labels: parseLabels(Object.entries(body.labels ?? {}).map(([k, v]) => `${k}=${v}`)),
          now: deps.clock.now(),
        });
        return json(201, record, { location: `/v1/volumes/${encodeURIComponent(record.name)}` });
      },
    },
    {
      method: 'GET',
      pattern: '/v1/volumes/{name}',
      handler: async (req) => {
        const name = req.params['name']!;
        const record = await getVolume(deps.root, name);
        return json(200, { ...record, usedBy: await volumeUsers(deps.root, name) });
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1/volumes/{name}',
      handler: async (req) => {
        await removeVolumesWithEvents(sink(req), [req.params['name']!], {
          ...(queryBool(req.query, 'force') ? { force: true } : {}),
        });
        return empty(204);
      },
    },
    {
      method: 'PUT',
      pattern: '/v1/volumes/{name}/content',
      handler: async (req) => {
        assertTarBody(req);
        const name = req.params['name']!;
        const entries = await importVolume(deps.root, name, req.body);
        return json(200, { name, entries });
      },
    },
    {
      method: 'GET',
      pattern: '/v1/volumes/{name}/content',
      handler: async (req) => {
        const name = req.params['name']!;
        await getVolume(deps.root, name);
        const out = new PassThrough();
        exportVolume(deps.root, name, out).catch((err: unknown) => out.destroy(err as Error));
        return { kind: 'stream', status: 200, contentType: 'application/x-tar', chunks: out };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/verify',
      handler: async (req) => {
        const body = validateBody<{
          image: string;
          mode?: string;
          now?: string;
          logQuorum?: number;
          thresholdGroups?: string[];
          details?: boolean;
        }>(parseJsonBody(req.headers['content-type'], await readBody(req.body)), {
          required: ['image'],
          fields: {
            image: 'string',
            mode: 'string',
            now: 'string',
            logQuorum: 'integer',
            thresholdGroups: 'string[]',
            details: 'boolean',
          },
        });
        const mode = body.mode ?? 'strict';
        if (!(VERIFY_MODES as readonly string[]).includes(mode)) {
          throw new VcError('VALIDATION_FAILED', `mode must be one of ${VERIFY_MODES.join(', ')}`);
        }
        let now: Date | undefined;
        if (body.now !== undefined) {
          now = new Date(body.now);
          if (Number.isNaN(now.getTime()))
            throw new VcError('VALIDATION_FAILED', 'now must be RFC 3339');
        }
        const v = await verifyStoreReference(body.image, {
          root: deps.root,
          env: deps.env,
          clock: deps.clock,
          mode: mode as VerifyMode,
          ...(now !== undefined ? { now } : {}),
          ...(body.logQuorum !== undefined ? { logQuorum: body.logQuorum } : {}),
          ...(body.thresholdGroups !== undefined ? { thresholdGroups: body.thresholdGroups } : {}),
        });
        const d = v.result.details;
        return json(200, {
          ...toVerifyResultJson(v.result),
          checks: v.verifyChecks.map(checkLineJson),
          // 05 §12.1: the envelopes with their valid signers, and the 04 §6.5 findings.
          ...(body.details === true ? { attestations: d.attestations, findings: d.findings } : {}),
        });
      },
    },
  ];
}

function assertTarBody(req: ParsedRequest): void {
  const media = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!TAR_TYPES.includes(media)) {
    throw new VcError(
      'UNSUPPORTED_MEDIA_TYPE',
      `the body must be application/x-tar or application/gzip, not ${media || 'untyped'}`,
    );
  }
}
