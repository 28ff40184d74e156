// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it, vi } from 'vitest';
import { lazyPinoLogger } from './lazy-logger.js';

describe('lazyPinoLogger', () => {
  it('swallows calls below its level without creating pino', () => {
    const logger = lazyPinoLogger('silent', { tool: 'test' });
    expect(() => {
      logger.error({ a: 1 }, 'dropped');
      logger.child({ c: 1 }).child({ d: 2 }).warn('dropped');
    }).not.toThrow();
  });

  it('an unknown level is one warning line, then warn (no stack trace, the command still runs)', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      lazyPinoLogger('bogus', {}).info('dropped');
      expect(write).toHaveBeenCalledWith(
        'warning: VC_LOG_LEVEL="bogus" is not a log level (trace, debug, info, warn, error, fatal, silent); using warn\n',
      );
      expect(write).toHaveBeenCalledTimes(1);
    } finally {
      write.mockRestore();
    }
  });
});
