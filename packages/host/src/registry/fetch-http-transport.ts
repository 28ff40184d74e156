// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import type { HttpRequest, HttpResponse, HttpTransport } from './http-transport.js';

export interface FetchHttpTransportOptions {
  /** Time allowed until the response headers arrive, ms. */
  readonly headersTimeoutMs?: number;
  /** The WHATWG fetch to use (Node's global one by default). */
  readonly fetch?: typeof globalThis.fetch;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;

/**
 * {@link HttpTransport} on Node's `fetch`: redirects are returned, not followed (the client
 * decides which headers may follow them), bodies are streamed both ways, TLS is verified by Node.
 * A host that cannot be reached, a timeout, or a connection that breaks while a body is read
 * is REGISTRY_UNAVAILABLE (exit 3).
 */
export class FetchHttpTransport implements HttpTransport {
  readonly #timeoutMs: number;
  readonly #fetch: typeof globalThis.fetch;

  constructor(opts: FetchHttpTransportOptions = {}) {
    this.#timeoutMs = opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    this.#fetch = opts.fetch ?? globalThis.fetch;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#timeoutMs);
    let response: Response;
    try {
      const body = request.body;
      response = await this.#fetch(request.url, {
        method: request.method,
        headers: request.headers,
        redirect: 'manual',
        signal: abort.signal,
        ...(body === undefined
          ? {}
          : // Node's fetch streams an async iterable when told the body is half duplex.
            {
              body: (typeof body === 'function' ? body() : body) as RequestInit['body'],
              duplex: 'half',
            }),
      });
    } catch (err) {
      throw unreachable(
        request.url,
        abort.signal.aborted ? 'no response in time' : reason(err),
        err,
      );
    } finally {
      clearTimeout(timer);
    }
    const url = request.url;
    return {
      status: response.status,
      header: (name) => response.headers.get(name) ?? undefined,
      body: () => readStream(response, url),
      discard: async () => {
        await response.body?.cancel().catch(() => undefined);
      },
    };
  }
}

async function* readStream(response: Response, url: string): AsyncGenerator<Uint8Array> {
  if (response.body === null) return;
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) yield chunk;
  } catch (err) {
    throw unreachable(url, `the connection broke off: ${reason(err)}`, err);
  }
}

function reason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

function unreachable(url: string, why: string, cause: unknown): VcError {
  const origin = new URL(url).host;
  return new VcError('REGISTRY_UNAVAILABLE', `cannot reach the registry ${origin}: ${why}`, {
    cause,
    hint: 'check that the registry is running and reachable, and whether it speaks http or https',
  });
}
