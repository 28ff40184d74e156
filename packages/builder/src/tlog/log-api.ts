// SPDX-License-Identifier: Apache-2.0
import { VcError, httpStatusFor, isVcError } from '@verified-container/shared';
import type { FileLog } from './file-log.js';
import { parseSubmissionBody } from './submission.js';

/** One API request, transport-free (the HTTP adapter builds it; tests call it directly). */
export interface LogApiRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  contentType?: string;
  body?: Uint8Array;
}

/** One API response: JSON (`json`) or text (`text`). */
export interface LogApiResponse {
  status: number;
  headers: Record<string, string>;
  json?: unknown;
  text?: string;
}

/** Problem details of 03 §7: `application/problem+json`. */
export function problemResponse(err: unknown): LogApiResponse {
  const e: VcError =
    isVcError(err) && (err.code.startsWith('LOG_') || err.code === 'INVALID_ARGUMENT')
      ? err
      : new VcError('LOG_INTERNAL', 'internal error');
  const code = e.code === 'INVALID_ARGUMENT' ? 'LOG_BAD_REQUEST' : e.code;
  const status = code === 'LOG_UNAVAILABLE' ? 503 : httpStatusFor(code);
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (status === 503) headers['retry-after'] = '1';
  const title = TITLES[status] ?? 'Error';
  return {
    status,
    headers,
    json: { type: 'about:blank', title, status, detail: e.message, code },
  };
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/** A query integer (03 §7): decimal, no sign or leading zeros, ≤ 2^53−1. */
export function queryInteger(
  query: URLSearchParams,
  name: string,
  required: boolean,
): number | undefined {
  const text = query.get(name);
  if (text === null) {
    if (required) throw new VcError('LOG_BAD_REQUEST', `the query parameter ${name} is required`);
    return undefined;
  }
  const n = Number(text);
  if (!DECIMAL.test(text) || !Number.isSafeInteger(n)) {
    throw new VcError(
      'LOG_BAD_REQUEST',
      `${name} must be a decimal integer ≤ 2^53−1, not ${JSON.stringify(text)}`,
    );
  }
  return n;
}

const ENTRY_PATH = /^\/api\/v1\/entries\/([^/]+)$/;

function json(status: number, body: unknown, headers: Record<string, string> = {}): LogApiResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, json: body };
}

function methodNotAllowed(allow: string): LogApiResponse {
  const r = problemResponse(new VcError('LOG_METHOD_NOT_ALLOWED', `use ${allow} on this path`));
  r.headers['allow'] = allow;
  return r;
}

/** The methods each path accepts; others get 405 with `Allow`. */
export function allowedMethods(path: string): string | undefined {
  if (path === '/api/v1/entries') return 'GET, POST';
  if (ENTRY_PATH.test(path)) return 'GET';
  if (
    ['/api/v1/proof', '/api/v1/consistency', '/api/v1/sth', '/checkpoint', '/healthz'].includes(
      path,
    )
  ) {
    return 'GET';
  }
  return undefined;
}

/** Handles one request of the log API (03 §7) against `log`; never throws. */
export async function handleLogRequest(log: FileLog, req: LogApiRequest): Promise<LogApiResponse> {
  try {
    const allow = allowedMethods(req.path);
    if (allow === undefined) throw new VcError('LOG_NOT_FOUND', `no such path ${req.path}`);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (!allow.split(', ').includes(method)) return methodNotAllowed(allow);
    if (method === 'POST') return await postEntry(log, req);
    const entryMatch = ENTRY_PATH.exec(req.path);
    if (entryMatch !== null) {
      const text = entryMatch[1] as string;
      const index = Number(text);
      if (!DECIMAL.test(text) || !Number.isSafeInteger(index)) {
        throw new VcError(
          'LOG_BAD_REQUEST',
          `logIndex must be a decimal integer, not ${JSON.stringify(text)}`,
        );
      }
      return json(200, await log.entry(index), {
        'cache-control': 'public, max-age=31536000, immutable',
      });
    }
    switch (req.path) {
      case '/api/v1/entries':
        return await findEntries(log, req.query);
      case '/api/v1/proof': {
        const logIndex = queryInteger(req.query, 'logIndex', true) as number;
        const treeSize = queryInteger(req.query, 'treeSize', false);
        const size = log.size();
        if (treeSize !== undefined && treeSize > size) {
          throw new VcError(
            'LOG_BAD_REQUEST',
            `treeSize ${treeSize} is larger than the log (${size})`,
          );
        }
        if (logIndex >= size)
          throw new VcError('LOG_NOT_FOUND', `entry ${logIndex} is not in the log (size ${size})`);
        if (treeSize !== undefined && logIndex >= treeSize) {
          throw new VcError(
            'LOG_BAD_REQUEST',
            `logIndex ${logIndex} is not below treeSize ${treeSize}`,
          );
        }
        return json(200, await log.inclusionProof(logIndex, treeSize));
      }
      case '/api/v1/consistency': {
        const first = queryInteger(req.query, 'first', true) as number;
        const second = queryInteger(req.query, 'second', false);
        const size = log.size();
        const n = second ?? size;
        if (n > size || first > n) {
          throw new VcError(
            'LOG_BAD_REQUEST',
            `need 0 ≤ first (${first}) ≤ second (${n}) ≤ size (${size})`,
          );
        }
        return json(200, await log.consistencyProof(first, n));
      }
      case '/api/v1/sth': {
        const head = await log.head();
        const sth = {
          logId: head.logId,
          treeSize: head.treeSize,
          timestamp: head.timestamp,
          rootHash: head.rootHash,
          signature: head.signature,
        };
        return json(200, sth, { 'cache-control': 'no-store' });
      }
      case '/checkpoint': {
        const head = await log.head();
        return {
          status: 200,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
          text: head.checkpoint,
        };
      }
      case '/healthz': {
        const health = await log.health();
        return json(
          health.ok ? 200 : 503,
          {
            status: health.ok ? 'ok' : 'unavailable',
            logId: log.logId,
            treeSize: log.size(),
            ...(health.ok ? {} : { detail: health.detail }),
          },
          health.ok ? {} : { 'retry-after': '1' },
        );
      }
      default:
        throw new VcError('LOG_NOT_FOUND', `no such path ${req.path}`);
    }
  } catch (err) {
    return problemResponse(err);
  }
}

async function postEntry(log: FileLog, req: LogApiRequest): Promise<LogApiResponse> {
  const type = (req.contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new VcError(
      'LOG_UNSUPPORTED_MEDIA_TYPE',
      'POST /api/v1/entries takes Content-Type: application/json',
    );
  }
  const submission = parseSubmissionBody(req.body ?? new Uint8Array());
  const { created, response } = await log.append(submission);
  return json(
    created ? 201 : 200,
    response,
    created ? { location: `/api/v1/entries/${response.logIndex}` } : {},
  );
}

async function findEntries(log: FileLog, query: URLSearchParams): Promise<LogApiResponse> {
  const keys = [...new Set(query.keys())];
  if (keys.length !== 1 || (keys[0] !== 'attestationDigest' && keys[0] !== 'revokedDigest')) {
    throw new VcError(
      'LOG_BAD_REQUEST',
      'query by exactly one of attestationDigest= or revokedDigest=',
    );
  }
  const by = keys[0];
  const digest = query.get(by) ?? '';
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new VcError('LOG_BAD_REQUEST', `${by} must be sha256:<64 lowercase hex>`);
  }
  return json(200, { entries: await log.find(by, digest) });
}
