// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { lazyPinoLogger } from './lazy-logger.js';

describe('lazyPinoLogger', () => {
  it('swallows calls below its level without creating pino', () => {
    const logger = lazyPinoLogger('silent', { tool: 'test' });
    expect(() => {
      logger.error({ a: 1 }, 'dropped');
      logger.child({ c: 1 }).child({ d: 2 }).warn('dropped');
    }).not.toThrow();
  });

  it('fails at once on an unknown level, as pino does', () => {
    expect(() => lazyPinoLogger('bogus', {})).toThrow(/bogus/);
  });
});
