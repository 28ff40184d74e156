// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { resolveSourceDateEpoch } from './source-date-epoch.js';

describe('SOURCE_DATE_EPOCH precedence (01 §6.3)', () => {
  it('takes the flag, then the environment, then the lock, then 0', () => {
    expect(resolveSourceDateEpoch({ flag: '10', env: '20', lock: 30 })).toEqual({
      value: 10,
      source: 'flag',
    });
    expect(resolveSourceDateEpoch({ env: '20', lock: 30 })).toEqual({ value: 20, source: 'env' });
    expect(resolveSourceDateEpoch({ env: '', lock: 30 })).toEqual({ value: 30, source: 'lock' });
    expect(resolveSourceDateEpoch({})).toEqual({ value: 0, source: 'default' });
  });

  it('accepts 0 through 253402300799 only', () => {
    expect(resolveSourceDateEpoch({ flag: '253402300799' }).value).toBe(253402300799);
    for (const bad of ['-1', '1.5', '1e3', 'abc', '253402300800', '']) {
      expect(() => resolveSourceDateEpoch({ flag: bad }), bad).toThrow(
        expect.objectContaining({ code: 'MANIFEST_VALUE' }),
      );
    }
    expect(() => resolveSourceDateEpoch({ env: 'yesterday' })).toThrow(
      expect.objectContaining({
        code: 'MANIFEST_VALUE',
        message: expect.stringContaining('SOURCE_DATE_EPOCH'),
      }),
    );
  });
});
