// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  checkCgroupLimits,
  parseCfsQuota,
  parseCpuMax,
  parseMemoryLimit,
  parsePidsLimit,
} from './cgroup-limits.js';

const NONE = { devices: [], pids: { limit: 2048 } };

describe('cgroup file parsing', () => {
  it('reads v1 and v2 spellings of "no limit"', () => {
    expect(parseMemoryLimit('max\n')).toBe('max');
    expect(parseMemoryLimit('9223372036854771712\n')).toBe('max');
    expect(parseMemoryLimit('268435456\n')).toBe(268435456);
    expect(parsePidsLimit('max')).toBe('max');
    expect(parsePidsLimit('2048\n')).toBe(2048);
    expect(parseCpuMax('max 100000\n')).toEqual({ quota: 'max', period: 100000 });
    expect(parseCpuMax('50000 100000')).toEqual({ quota: 50000, period: 100000 });
    expect(parseCfsQuota('-1\n', '100000\n')).toEqual({ quota: 'max', period: 100000 });
    expect(parseCfsQuota('150000', '100000')).toEqual({ quota: 150000, period: 100000 });
    expect(parseMemoryLimit('lots')).toBeUndefined();
  });
});

describe('checkCgroupLimits', () => {
  it('passes when the cgroup has what runc was asked for', () => {
    const r = checkCgroupLimits(
      { ...NONE, memory: { limit: 256 * 1024 * 1024 }, cpu: { quota: 150000, period: 100000 } },
      { memory: 256 * 1024 * 1024, pids: 2048, cpu: { quota: 150000, period: 100000 } },
    );
    expect(r).toMatchObject({ status: 'pass', detail: 'memory 256m, pids 2048, cpus 1.5' });
  });

  it('accepts the kernel rounding a memory limit down to pages', () => {
    const r = checkCgroupLimits(
      { ...NONE, memory: { limit: 10_000_000 } },
      { memory: 9_998_336, pids: 2048, cpu: { quota: 'max', period: 100000 } },
    );
    expect(r.status).toBe('pass');
  });

  it('fails on each limit that differs or cannot be read', () => {
    const r = checkCgroupLimits(
      { ...NONE, memory: { limit: 1024 * 1024 } },
      { memory: 'max', pids: 'max' },
    );
    expect(r.status).toBe('fail');
    expect(r.violations).toEqual([
      'memory max, expected 1048576',
      'pids max, expected 2048',
      'cpu quota unreadable',
    ]);
  });
});
