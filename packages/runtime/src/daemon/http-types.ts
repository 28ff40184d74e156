// SPDX-License-Identifier: Apache-2.0
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

/** A request as a route sees it: no socket, no response object (style §23). */
export interface ParsedRequest {
  readonly method: string;
  readonly path: string;
  /** The `{name}` parts of the route pattern, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The raw body; JSON routes read it through `readJsonBody`, tar routes stream it. */
  readonly body: Readable;
  /** `X-Vordr-Actor`, else `cli:<uid>` of the daemon. */
  readonly actor: string;
  /** Aborted when the client goes away (ends streams: logs -f, events). */
  readonly signal: AbortSignal;
}

/** What a route answers; the server adapter writes it. */
export type HttpResult =
  | {
      readonly kind: 'json';
      readonly status: number;
      readonly body: unknown;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'empty';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'stream';
      readonly status: number;
      readonly contentType: string;
      /** Each chunk is written (and flushed) as it comes; ends the response when done. */
      readonly chunks: AsyncIterable<string | Uint8Array>;
    };

export function json(status: number, body: unknown, headers?: Record<string, string>): HttpResult {
  return { kind: 'json', status, body, ...(headers !== undefined ? { headers } : {}) };
}

export function empty(status = 204): HttpResult {
  return { kind: 'empty', status };
}
