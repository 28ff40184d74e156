// SPDX-License-Identifier: Apache-2.0
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '@verified-container/shared';
import { toVcError } from '@verified-container/shared';
import type { HttpResult, ParsedRequest } from './http-types.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';
import { matchRoute, type Route } from './router.js';

/** How long a shutdown waits for requests in flight (05 §12). */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface ApiServerOptions {
  readonly routes: readonly Route[];
  readonly logger: Logger;
  /** The actor of a request without `X-Vordr-Actor` (`cli:<uid>`). */
  readonly defaultActor: string;
}

/**
 * The node:http adapter over the route table (style §23): parses the request, runs the route,
 * writes JSON, nothing, a chunked stream, or problem+json for any error (00 §7).
 */
export class ApiServer {
  readonly server: Server;
  readonly #options: ApiServerOptions;
  readonly #inFlight = new Set<Promise<void>>();
  /** Aborted at shutdown: ends the streams that would otherwise never end (follow, events). */
  readonly #closing = new AbortController();

  constructor(options: ApiServerOptions) {
    this.#options = options;
    this.server = createServer((req, res) => {
      const done = this.#handle(req, res).finally(() => this.#inFlight.delete(done));
      this.#inFlight.add(done);
    });
    // Long follows: no idle timeout on requests in progress.
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 5_000;
  }

  /** Stops accepting, ends streams, waits for requests in flight (at most `graceMs`). */
  async close(graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    this.#closing.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inFlight]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    this.server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://vordr');
    const method = req.method ?? 'GET';
    const abort = new AbortController();
    const onClosing = (): void => abort.abort();
    this.#closing.signal.addEventListener('abort', onClosing, { once: true });
    res.on('close', () => abort.abort());
    const log = this.#options.logger.child({ method, path: url.pathname });
    try {
      const { route, params } = matchRoute(this.#options.routes, method, url.pathname);
      const actorHeader = req.headers['x-vordr-actor'];
      const parsed: ParsedRequest = {
        method,
        path: url.pathname,
        params,
        query: url.searchParams,
        headers: req.headers,
        body: req,
        actor:
          typeof actorHeader === 'string' && actorHeader !== ''
            ? actorHeader
            : this.#options.defaultActor,
        signal: abort.signal,
      };
      await this.#write(res, await route.handler(parsed));
    } catch (err) {
      const problem = toProblem(err, url.pathname);
      if (problem.status >= 500) log.error({ err: toVcError(err) }, 'request failed');
      if (!res.headersSent) {
        const body = JSON.stringify(problem);
        res.writeHead(problem.status, {
          'content-type': PROBLEM_CONTENT_TYPE,
          'content-length': Buffer.byteLength(body),
          ...(problem.code === 'METHOD_NOT_ALLOWED' && Array.isArray(problem.details?.['allow'])
            ? { allow: (problem.details['allow'] as string[]).join(', ') }
            : {}),
        });
        res.end(body);
      } else {
        // A stream that fails midway cannot change its status: the client sees a cut response.
        res.destroy();
      }
      // Unread request bodies would keep the connection busy.
      req.resume();
    } finally {
      this.#closing.signal.removeEventListener('abort', onClosing);
      log.debug({ status: res.statusCode, ms: Date.now() - started }, 'request');
    }
  }

  async #write(res: ServerResponse, result: HttpResult): Promise<void> {
    switch (result.kind) {
      case 'json': {
        const body = JSON.stringify(result.body);
        res.writeHead(result.status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...result.headers,
        });
        res.end(body);
        return;
      }
      case 'empty':
        res.writeHead(result.status, { ...result.headers });
        res.end();
        return;
      case 'stream': {
        res.writeHead(result.status, { 'content-type': result.contentType });
        res.flushHeaders();
        for await (const chunk of result.chunks) {
          if (res.destroyed) break;
          if (!res.write(chunk)) {
            await new Promise<void>((resolve) => {
              res.once('drain', resolve);
              res.once('close', resolve);
            });
          }
        }
        res.end();
        return;
      }
    }
  }
}
