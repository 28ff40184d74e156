// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { json } from './http-types.js';
import { matchRoute, type Route } from './router.js';

const handler = () => Promise.resolve(json(200, {}));
const routes: Route[] = [
  { method: 'GET', pattern: '/v1/containers', handler },
  { method: 'POST', pattern: '/v1/containers', handler },
  { method: 'GET', pattern: '/v1/containers/{ref}', handler },
  { method: 'DELETE', pattern: '/v1/containers/{ref}', handler },
  { method: 'POST', pattern: '/v1/containers/{ref}/stop', handler },
  { method: 'GET', pattern: '/v1/images/{ref}', handler },
];

describe('matchRoute', () => {
  it('matches method and pattern and decodes the parameters', () => {
    const m = matchRoute(routes, 'POST', '/v1/containers/web/stop');
    expect(m.route.pattern).toBe('/v1/containers/{ref}/stop');
    expect(m.params).toEqual({ ref: 'web' });
    expect(matchRoute(routes, 'GET', '/v1/images/cerro-torre%2Fmariadb%3A11.2').params).toEqual({
      ref: 'cerro-torre/mariadb:11.2',
    });
  });

  it('an unknown path is ROUTE_NOT_FOUND', () => {
    expect(() => matchRoute(routes, 'GET', '/v1/nothing')).toThrow(
      expect.objectContaining({ code: 'ROUTE_NOT_FOUND' }),
    );
    expect(() => matchRoute(routes, 'GET', '/v1/containers/')).toThrow(
      expect.objectContaining({ code: 'ROUTE_NOT_FOUND' }),
    );
    expect(() => matchRoute(routes, 'GET', '/v1/containers/%E0%A4%A/logs')).toThrow(
      expect.objectContaining({ code: 'ROUTE_NOT_FOUND' }),
    );
  });

  it('a known path with another method is METHOD_NOT_ALLOWED listing the allowed ones', () => {
    expect(() => matchRoute(routes, 'PUT', '/v1/containers/web')).toThrow(
      expect.objectContaining({
        code: 'METHOD_NOT_ALLOWED',
        details: { allow: ['GET', 'DELETE'] },
      }),
    );
  });
});
