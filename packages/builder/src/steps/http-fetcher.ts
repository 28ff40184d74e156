// SPDX-License-Identifier: Apache-2.0
import { noopLogger, VcError, type Logger } from '@verified-container/shared';
import { DEFAULT_MAX_FETCH_BYTES, type Fetcher } from './step-context.js';

export interface HttpFetcherOptions {
  readonly logger?: Logger;
  /** Redirects followed before giving up (01 §3: 5). */
  readonly maxRedirects?: number;
  /** Largest body accepted, bytes (01 §3: 4 GiB). */
  readonly maxBytes?: number;
  /** Retries after the first attempt (01 §3: 3). */
  readonly retries?: number;
  /** Delay before the first retry, ms; doubled before each further one. */
  readonly backoffMs?: number;
  /** Time allowed until the response headers arrive, ms. */
  readonly headersTimeoutMs?: number;
  readonly userAgent?: string;
  /** The WHATWG fetch to use (Node's global one by default). */
  readonly fetch?: typeof globalThis.fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_HTTP_FETCHER_OPTIONS: Required<Omit<HttpFetcherOptions, 'fetch'>> = {
  logger: noopLogger,
  maxRedirects: 5,
  maxBytes: DEFAULT_MAX_FETCH_BYTES,
  retries: 3,
  backoffMs: 1000,
  headersTimeoutMs: 60_000,
  userAgent: 'cerro-torre',
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A failure worth another attempt: network errors, timeouts, 408, 429 and 5xx. */
class Retriable extends Error {}

/**
 * {@link Fetcher} on Node's `fetch`: TLS verified (Node's default; a process that turned it off
 * with NODE_TLS_REJECT_UNAUTHORIZED=0 is refused), redirects followed by hand (≤ 5, never from
 * https to anything else), `Accept-Encoding: identity` so the bytes are the file's, bodies over
 * `maxBytes` refused. Failures up to the response headers are retried with exponential backoff;
 * a body cut off midway is not (the bytes already went to the caller). Every failure is
 * BUILD_FETCH_FAILED, with credentials removed from the URL.
 */
export class HttpFetcher implements Fetcher {
  readonly #opts: Required<Omit<HttpFetcherOptions, 'fetch'>>;
  readonly #fetch: typeof globalThis.fetch;

  constructor(opts: HttpFetcherOptions = {}) {
    this.#opts = { ...DEFAULT_HTTP_FETCHER_OPTIONS, ...opts };
    this.#fetch = opts.fetch ?? globalThis.fetch;
  }

  async fetch(url: string): Promise<AsyncIterable<Uint8Array>> {
    const { retries, backoffMs, logger, sleep } = this.#opts;
    for (let attempt = 0; ; attempt++) {
      logger.debug({ url: redactUrl(url), attempt }, 'fetch');
      try {
        const response = await this.#open(url);
        return this.#body(response, url);
      } catch (err) {
        if (!(err instanceof Retriable) || attempt >= retries) throw fetchFailed(url, err);
        logger.debug({ url: redactUrl(url), attempt, err: err.message }, 'fetch failed; retrying');
        await sleep(backoffMs * 2 ** attempt);
      }
    }
  }

  async #open(url: string): Promise<Response> {
    let current = parseHttpUrl(url);
    for (let redirects = 0; ; redirects++) {
      if (current.protocol === 'https:' && process.env['NODE_TLS_REJECT_UNAUTHORIZED'] === '0') {
        throw new Error('TLS verification is turned off (NODE_TLS_REJECT_UNAUTHORIZED=0)');
      }
      const response = await this.#request(current);
      if (REDIRECTS.has(response.status)) {
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (location === null) throw new Error(`HTTP ${response.status} without a Location`);
        if (redirects >= this.#opts.maxRedirects) {
          throw new Error(`more than ${this.#opts.maxRedirects} redirects`);
        }
        const next = parseHttpUrl(new URL(location, current).href);
        if (current.protocol === 'https:' && next.protocol !== 'https:') {
          throw new Error(`refusing a redirect from https to ${redactUrl(next.href)}`);
        }
        current = next;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        const message = `HTTP ${response.status} from ${redactUrl(current.href)}`;
        const s = response.status;
        throw s === 408 || s === 429 || s >= 500 ? new Retriable(message) : new Error(message);
      }
      const length = Number(response.headers.get('content-length') ?? '0');
      if (length > this.#opts.maxBytes) {
        await response.body?.cancel();
        throw new Error(`the body is ${length} bytes, more than ${this.#opts.maxBytes}`);
      }
      return response;
    }
  }

  async #request(url: URL): Promise<Response> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#opts.headersTimeoutMs);
    try {
      return await this.#fetch(url, {
        redirect: 'manual',
        signal: abort.signal,
        headers: { 'accept-encoding': 'identity', 'user-agent': this.#opts.userAgent },
      });
    } catch (err) {
      const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
      const why = abort.signal.aborted
        ? 'timed out waiting for the response'
        : (cause?.code ?? cause?.message ?? (err as Error).message);
      throw new Retriable(why);
    } finally {
      clearTimeout(timer);
    }
  }

  async *#body(response: Response, url: string): AsyncGenerator<Uint8Array> {
    if (response.body === null) return;
    let total = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        total += chunk.byteLength;
        if (total > this.#opts.maxBytes) {
          throw new Error(`the body is more than ${this.#opts.maxBytes} bytes`);
        }
        yield chunk;
      }
    } catch (err) {
      throw fetchFailed(url, err);
    }
  }
}

function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`unsupported scheme ${url.protocol}`);
  }
  return url;
}

function fetchFailed(url: string, err: unknown): VcError {
  if (err instanceof VcError) return err as VcError;
  const why = err instanceof Error ? err.message : String(err);
  return new VcError('BUILD_FETCH_FAILED', `cannot fetch ${redactUrl(url)}: ${why}`, {
    cause: err,
    hint: 'check the URL and the network',
  });
}

/** The URL without user name and password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}
