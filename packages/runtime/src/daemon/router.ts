// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import type { HttpResult, ParsedRequest } from './http-types.js';

/** A transport-free handler (style §23). */
export type RouteHandler = (req: ParsedRequest) => Promise<HttpResult>;

/** One row of the route table: `GET /v1/containers/{ref}/logs`. */
export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `/v1/…` with `{name}` segments; a segment matches one percent-encoded path segment. */
  readonly pattern: string;
  readonly handler: RouteHandler;
}

export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/**
 * Finds the route of a request path. No path matches: `ROUTE_NOT_FOUND` (404); the path matches
 * but not the method: `METHOD_NOT_ALLOWED` (405, with the allowed methods in details).
 */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const segments = path.split('/').slice(1);
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (params === undefined) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  if (allowed.length > 0) {
    throw new VcError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`, {
      details: { allow: [...new Set(allowed)] },
    });
  }
  throw new VcError('ROUTE_NOT_FOUND', `no such endpoint: ${method} ${path}`, {
    hint: 'the API is described in spec 05 §12.1 (prefix /v1)',
  });
}

function matchPattern(
  pattern: string,
  segments: readonly string[],
): Record<string, string> | undefined {
  const parts = pattern.split('/').slice(1);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const segment = segments[i]!;
    if (part.startsWith('{') && part.endsWith('}')) {
      if (segment === '') return undefined;
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
      params[part.slice(1, -1)] = decoded;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}
