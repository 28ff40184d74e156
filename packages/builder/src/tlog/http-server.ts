// SPDX-License-Identifier: Apache-2.0
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { VcError, noopLogger, type Logger } from '@verified-container/shared';
import type { FileLog } from './file-log.js';
import { handleLogRequest, problemResponse, type LogApiResponse } from './log-api.js';

/** Default `--max-body` (03 §7): 32 MiB. */
export const DEFAULT_MAX_BODY = 32 * 1024 * 1024;
/** More open connections than this → 503 (03 §7). */
export const MAX_CONNECTIONS = 256;
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_HEADER_BYTES = 16 * 1024;

export interface LogServerOptions {
  log: FileLog;
  host?: string;
  port?: number;
  maxBody?: number;
  logger?: Logger;
}

/** A listening log server. */
export interface LogServer {
  /** `http://host:port`. */
  url: string;
  port: number;
  /** Stops accepting, finishes in-flight requests, closes the log. */
  close(): Promise<void>;
}

/**
 * Serves the HTTP API of 03 §7 over `log` (node:http). Resolves once listening; a port in use →
 * `LOG_LISTEN_FAILED`.
 */
export async function startLogServer(opts: LogServerOptions): Promise<LogServer> {
  const host = opts.host ?? '127.0.0.1';
  const maxBody = opts.maxBody ?? DEFAULT_MAX_BODY;
  const logger = opts.logger ?? noopLogger;
  let closing = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: REQUEST_TIMEOUT_MS },
    (req, res) => {
      void serve(req, res);
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let response: LogApiResponse;
    let closeAfter = false;
    const url = new URL(req.url ?? '/', 'http://log.invalid');
    if (closing) {
      response = problemResponse(new VcError('LOG_UNAVAILABLE', 'the log is shutting down'));
      closeAfter = true;
    } else if (sockets.size > MAX_CONNECTIONS) {
      response = problemResponse(new VcError('LOG_UNAVAILABLE', 'too many connections'));
      closeAfter = true;
    } else {
      let body: Uint8Array | undefined;
      if (req.method === 'POST' && url.pathname === '/api/v1/entries') {
        const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
        if (type === 'application/json') {
          body = await readBody(req, maxBody);
          if (body === undefined) {
            closeAfter = true;
          }
        }
      }
      response = closeAfter
        ? problemResponse(
            new VcError(
              'LOG_PAYLOAD_TOO_LARGE',
              `the request body is larger than ${maxBody} bytes`,
            ),
          )
        : await handleLogRequest(opts.log, {
            method: req.method ?? 'GET',
            path: url.pathname,
            query: url.searchParams,
            contentType: req.headers['content-type'],
            body,
          });
    }
    const payload =
      response.text !== undefined ? response.text : `${JSON.stringify(response.json)}\n`;
    const headers: Record<string, string | number> = {
      ...response.headers,
      'content-length': Buffer.byteLength(payload),
    };
    if (closeAfter) headers['connection'] = 'close';
    res.writeHead(response.status, headers);
    res.end(req.method === 'HEAD' ? undefined : payload, () => {
      if (closeAfter) req.socket.destroySoon();
    });
    logger.debug(
      {
        method: req.method,
        path: url.pathname,
        status: response.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) => {
      reject(
        new VcError(
          'LOG_LISTEN_FAILED',
          `cannot listen on ${host}:${opts.port ?? 0}: ${cause.code ?? cause.message}`,
          {
            cause,
            hint:
              cause.code === 'EADDRINUSE'
                ? 'choose another --port, or 0 for a free one'
                : undefined,
          },
        ),
      );
    });
    server.listen(opts.port ?? 0, host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: async () => {
      closing = true;
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeIdleConnections();
      await opts.log.close();
      await closed;
    },
  };
}

/** Reads the body, giving up (undefined) as soon as it exceeds `max` bytes. */
async function readBody(req: IncomingMessage, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return undefined;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    total += buf.byteLength;
    if (total > max) return undefined;
    chunks.push(buf);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
