// SPDX-License-Identifier: Apache-2.0
import { noopLogger } from '@verified-container/shared';
import { describe, expect, it } from 'vitest';
import { verboseLogger } from './verbose-logger.js';

describe('verboseLogger', () => {
  it('writes level, message and bound fields; leaves trace out', () => {
    const lines: string[] = [];
    const log = verboseLogger((l) => lines.push(l), noopLogger).child({ step: 2 });
    log.debug({ action: 'mkdir' }, 'build step');
    log.trace({ x: 1 }, 'noise');
    log.warn('plain');
    expect(lines).toEqual(['debug build step  step=2 action=mkdir\n', 'warn plain  step=2\n']);
  });
});
