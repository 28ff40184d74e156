// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parsePullPolicy } from './pull-policy.js';

describe('parsePullPolicy', () => {
  it('defaults to missing and takes missing, always and never', () => {
    expect(parsePullPolicy(undefined)).toBe('missing');
    for (const p of ['missing', 'always', 'never'] as const) expect(parsePullPolicy(p)).toBe(p);
  });

  it('refuses anything else with USAGE', () => {
    expect(() => parsePullPolicy('sometimes')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
