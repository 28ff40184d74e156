// SPDX-License-Identifier: Apache-2.0
// Submitting to a served log over its HTTP API (03 §7), and reading it back (03 §12).
import { VcError } from '@verified-container/shared';
import type { LogReader, LogReadErrorCode } from '../transparency/log-reader.js';
import { LogSubmitError, type LogClient } from './log-client.js';

/** Per-request timeout of 03 §10 step 2. */
export const DEFAULT_LOG_REQUEST_TIMEOUT_MS = 30_000;

export interface HttpLogClientOptions {
  /** The log URL from the trust store (`http:` or `https:`); API paths are relative to it. */
  readonly url: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

/**
 * `POST <url>/api/v1/entries` with `{"attestation":"<base64 envelope bytes>"}`; the read methods
 * are the GETs of 03 §7. Reads reject with `LOG_UNAVAILABLE` (unreachable, timeout, 408, 429,
 * 5xx) or `LOG_REJECTED` (any other status, or a body that is not what was asked for).
 */
export class HttpLogClient implements LogClient, LogReader {
  private readonly opts: Required<HttpLogClientOptions>;

  constructor(opts: HttpLogClientOptions) {
    this.opts = {
      fetch: globalThis.fetch,
      timeoutMs: DEFAULT_LOG_REQUEST_TIMEOUT_MS,
      ...opts,
    };
  }

  async submit(envelopeBytes: Uint8Array): Promise<unknown> {
    const endpoint = this.endpoint('api/v1/entries');
    const body = JSON.stringify({ attestation: Buffer.from(envelopeBytes).toString('base64') });
    let res: Response;
    try {
      res = await this.opts.fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (cause) {
      throw new LogSubmitError(`cannot reach ${endpoint.origin}: ${reasonOf(cause)}`, {
        retryable: true,
        cause,
      });
    }
    const text = await res.text().catch(() => '');
    if (res.status === 200 || res.status === 201) {
      try {
        return JSON.parse(text) as unknown;
      } catch (cause) {
        throw new LogSubmitError(`HTTP ${res.status} with a body that is not JSON`, {
          retryable: false,
          cause,
        });
      }
    }
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    const retryAfterMs = retryAfter(res.headers.get('retry-after'));
    throw new LogSubmitError(`HTTP ${res.status}${problemDetail(text)}`, {
      retryable,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }

  /** `GET /api/v1/sth` and `GET /checkpoint`. */
  async readTreeHead(): Promise<{ sth: unknown; checkpoint: string }> {
    const [sth, checkpoint] = await Promise.all([
      this.get('api/v1/sth').then((t) => parseJson(t, 'api/v1/sth')),
      this.get('checkpoint'),
    ]);
    return { sth, checkpoint };
  }

  /** `GET /api/v1/consistency?first=m&second=n`. */
  async readConsistencyProof(first: number, second: number): Promise<unknown> {
    const path = `api/v1/consistency?first=${first}&second=${second}`;
    return parseJson(await this.get(path), path);
  }

  /** `GET /api/v1/proof?logIndex=i&treeSize=n`. */
  async readInclusionProof(logIndex: number, treeSize: number): Promise<unknown> {
    const path = `api/v1/proof?logIndex=${logIndex}&treeSize=${treeSize}`;
    return parseJson(await this.get(path), path);
  }

  /** `GET /api/v1/entries/{logIndex}`. */
  async readEntry(logIndex: number): Promise<unknown> {
    const path = `api/v1/entries/${logIndex}`;
    return parseJson(await this.get(path), path);
  }

  /** `GET /api/v1/entries?revokedDigest=sha256:…`. */
  async findRevocations(revokedDigest: string): Promise<unknown> {
    const path = `api/v1/entries?revokedDigest=${encodeURIComponent(revokedDigest)}`;
    return parseJson(await this.get(path), path);
  }

  private endpoint(path: string): URL {
    return new URL(path, this.opts.url.endsWith('/') ? this.opts.url : `${this.opts.url}/`);
  }

  /** The body of a 200 answer to `GET <url>/<path>`. */
  private async get(path: string): Promise<string> {
    const endpoint = this.endpoint(path);
    let res: Response;
    try {
      res = await this.opts.fetch(endpoint, {
        method: 'GET',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (cause) {
      throw readError(
        'LOG_UNAVAILABLE',
        `cannot reach ${endpoint.origin}: ${reasonOf(cause)}`,
        cause,
      );
    }
    let text: string;
    try {
      text = await res.text();
    } catch (cause) {
      throw readError('LOG_UNAVAILABLE', `GET ${endpoint.pathname}: ${reasonOf(cause)}`, cause);
    }
    if (res.status === 200) return text;
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    throw readError(
      retryable ? 'LOG_UNAVAILABLE' : 'LOG_REJECTED',
      `GET ${endpoint.pathname}${endpoint.search}: HTTP ${res.status}${problemDetail(text)}`,
    );
  }
}

function readError(code: LogReadErrorCode, message: string, cause?: unknown): VcError {
  return new VcError(code, message, cause !== undefined ? { cause } : {});
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw readError(
      'LOG_REJECTED',
      `GET /${path.split('?')[0] ?? path}: the body is not JSON`,
      cause,
    );
  }
}

function reasonOf(cause: unknown): string {
  if (cause instanceof Error) {
    if (cause.name === 'TimeoutError') return 'timed out';
    const inner = (cause as { cause?: { code?: string } }).cause?.code;
    return inner ?? cause.message;
  }
  return String(cause);
}

/** `Retry-After` in seconds (the HTTP-date form is ignored). */
function retryAfter(header: string | null): number | undefined {
  if (header === null || !/^[0-9]{1,6}$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

/** ` LOG_BAD_REQUEST: detail` from an `application/problem+json` body, if there is one. */
function problemDetail(text: string): string {
  try {
    const p = JSON.parse(text) as { code?: unknown; detail?: unknown };
    const parts = [p.code, p.detail].filter((x): x is string => typeof x === 'string');
    return parts.length > 0 ? ` ${parts.join(': ')}` : '';
  } catch {
    return '';
  }
}
