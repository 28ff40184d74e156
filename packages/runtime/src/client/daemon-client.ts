// SPDX-License-Identifier: Apache-2.0
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { VcError } from '@verified-container/shared';

/** How long the CLI waits for `GET /v1/healthz` before it works directly (05 §12). */
export const DAEMON_PROBE_MS = 1000;

export interface DaemonResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** The CLI's side of the daemon's HTTP API on a unix socket (node:http, no dependency). */
export class DaemonClient {
  readonly socket: string;
  readonly #actor: string | undefined;

  constructor(socket: string, opts: { actor?: string } = {}) {
    this.socket = socket;
    this.#actor = opts.actor;
  }

  /** One request; a problem+json answer is thrown as the VcError it carries. */
  async call(
    method: string,
    path: string,
    opts: { body?: unknown; timeoutMs?: number } = {},
  ): Promise<DaemonResponse> {
    const res = await this.#send(method, path, opts);
    const body = await readAll(res);
    const response = { status: res.statusCode ?? 0, headers: res.headers, body };
    if (response.status >= 400) throw errorOf(response);
    return response;
  }

  /** `call` for a JSON answer. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call(method, path, body !== undefined ? { body } : {});
    return JSON.parse(res.body.toString('utf8')) as T;
  }

  /** A streamed answer (logs, events): its lines as they arrive. */
  async *lines(path: string, signal?: AbortSignal): AsyncGenerator<string> {
    const res = await this.#send('GET', path, signal !== undefined ? { signal } : {});
    if ((res.statusCode ?? 0) >= 400) {
      throw errorOf({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: await readAll(res),
      });
    }
    let rest = '';
    res.setEncoding('utf8');
    try {
      for await (const chunk of res as AsyncIterable<string>) {
        const text = rest + chunk;
        const cut = text.lastIndexOf('\n');
        rest = text.slice(cut + 1);
        if (cut >= 0) yield* text.slice(0, cut).split('\n');
      }
    } catch (err) {
      if (signal?.aborted !== true) throw err;
    }
    if (rest !== '') yield rest;
  }

  #send(
    method: string,
    path: string,
    opts: { body?: unknown; timeoutMs?: number; signal?: AbortSignal },
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const payload = opts.body !== undefined ? JSON.stringify(opts.body) : undefined;
      const req = httpRequest({
        socketPath: this.socket,
        method,
        path,
        headers: {
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
          ...(this.#actor !== undefined ? { 'x-vordr-actor': this.#actor } : {}),
        },
        ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
      });
      if (opts.timeoutMs !== undefined) {
        req.setTimeout(opts.timeoutMs, () => req.destroy(new Error('timed out')));
      }
      req.once('response', resolve);
      req.once('error', (cause) =>
        reject(
          new VcError('DAEMON_UNAVAILABLE', `the daemon on ${this.socket} did not answer`, {
            cause,
            hint: 'start it with vordr daemon, or use --direct',
          }),
        ),
      );
      req.end(payload);
    });
  }
}

/**
 * The daemon to use (05 §12): `--socket`, else `VORDR_SOCKET`, when it answers `GET /v1/healthz`
 * within 1 s with the same store root, and `--direct` is absent. Undefined: work directly.
 */
export async function probeDaemon(opts: {
  readonly socket: string | undefined;
  readonly direct: boolean;
  readonly storeRoot: string;
}): Promise<DaemonClient | undefined> {
  if (opts.direct || opts.socket === undefined || opts.socket === '') return undefined;
  const client = new DaemonClient(opts.socket);
  try {
    const res = await client.call('GET', '/v1/healthz', { timeoutMs: DAEMON_PROBE_MS });
    const health = JSON.parse(res.body.toString('utf8')) as { status?: string; storeRoot?: string };
    return health.status === 'ok' && health.storeRoot === opts.storeRoot ? client : undefined;
  } catch {
    return undefined;
  }
}

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A problem+json answer as the VcError of 00 §7 (anything else: BACKEND_ERROR). */
export function errorOf(res: DaemonResponse): VcError {
  try {
    const problem = JSON.parse(res.body.toString('utf8')) as {
      code?: string;
      detail?: string;
      hint?: string;
      details?: Record<string, unknown>;
      errors?: [];
    };
    if (typeof problem.code === 'string') {
      return new VcError(problem.code, problem.detail ?? problem.code, {
        ...(problem.hint !== undefined ? { hint: problem.hint } : {}),
        ...(problem.details !== undefined ? { details: problem.details } : {}),
        ...(problem.errors !== undefined ? { errors: problem.errors } : {}),
      });
    }
  } catch {
    // Not JSON: reported below.
  }
  return new VcError('BACKEND_ERROR', `the daemon answered ${res.status}`);
}
