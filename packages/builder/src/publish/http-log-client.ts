// SPDX-License-Identifier: Apache-2.0
// Submitting to a served log over its HTTP API (03 §7).
import { LogSubmitError, type LogClient } from './log-client.js';

/** Per-request timeout of 03 §10 step 2. */
export const DEFAULT_LOG_REQUEST_TIMEOUT_MS = 30_000;

export interface HttpLogClientOptions {
  /** The log URL from the trust store (`http:` or `https:`); API paths are relative to it. */
  readonly url: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

/** `POST <url>/api/v1/entries` with `{"attestation":"<base64 envelope bytes>"}`. */
export class HttpLogClient implements LogClient {
  private readonly opts: Required<HttpLogClientOptions>;

  constructor(opts: HttpLogClientOptions) {
    this.opts = {
      fetch: globalThis.fetch,
      timeoutMs: DEFAULT_LOG_REQUEST_TIMEOUT_MS,
      ...opts,
    };
  }

  async submit(envelopeBytes: Uint8Array): Promise<unknown> {
    const endpoint = new URL(
      'api/v1/entries',
      this.opts.url.endsWith('/') ? this.opts.url : `${this.opts.url}/`,
    );
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
