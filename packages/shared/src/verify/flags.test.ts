// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { VcError } from '../errors.js';
import { parseLogQuorumFlag, parseVerifyMode, parseVerifyNow } from './flags.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof VcError)) return 'not a VcError';
    const code: string = err.code;
    return code;
  }
  return undefined;
}

describe('verification flags', () => {
  it('--mode: strict by default, the three modes, anything else USAGE', () => {
    expect(parseVerifyMode(undefined)).toBe('strict');
    expect(parseVerifyMode('audit')).toBe('audit');
    expect(codeOf(() => parseVerifyMode('lenient'))).toBe('USAGE');
  });

  it('--now: RFC 3339 only', () => {
    expect(parseVerifyNow('2026-11-25T12:00:00Z').toISOString()).toBe('2026-11-25T12:00:00.000Z');
    expect(codeOf(() => parseVerifyNow('yesterday'))).toBe('USAGE');
  });

  it('--log-quorum: an integer ≥ 1', () => {
    expect(parseLogQuorumFlag('2')).toBe(2);
    for (const bad of ['0', '-1', '1.5', 'two', '']) {
      expect(codeOf(() => parseLogQuorumFlag(bad))).toBe('USAGE');
    }
  });
});
