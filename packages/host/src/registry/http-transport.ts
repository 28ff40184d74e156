// SPDX-License-Identifier: Apache-2.0
// The port the registry client speaks HTTP through: one request, one response, no redirects
// followed and no auth added (the client does both). Unit tests feed recorded responses.
import { VcError } from '@verified-container/shared';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request body: bytes, or a function that opens the bytes anew (a retry sends them again). */
export type RequestBody = Uint8Array | (() => AsyncIterable<Uint8Array>);

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
}

export interface HttpResponse {
  readonly status: number;
  /** Header value by name (case-insensitive); undefined when absent. */
  header(name: string): string | undefined;
  /** The body, read once. */
  body(): AsyncIterable<Uint8Array>;
  /** Drops the body without reading it. */
  discard(): Promise<void>;
}

/** Sends one HTTP request. Unreachable hosts are REGISTRY_UNAVAILABLE. */
export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
}

/**
 * Reads a whole body, at most `maxBytes` (REGISTRY_ERROR beyond: a manifest or token response
 * that large is not what was asked for).
 */
export async function readBody(
  response: HttpResponse,
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body()) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw new VcError('REGISTRY_ERROR', `${what} is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}
