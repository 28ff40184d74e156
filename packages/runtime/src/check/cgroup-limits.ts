// SPDX-License-Identifier: Apache-2.0
// `cgroup-limits` (05 §8): memory, pids and cpu limits of the container's cgroup (pure part).
import type { OciResources } from '../oci-spec/index.js';
import type { CheckResult } from './types.js';

/** A limit as a cgroup file shows it: a number, or `max` for none. */
export type Limit = number | 'max';

/** The limits read from the cgroup (v1 or v2 files); undefined when a file is missing. */
export interface ObservedLimits {
  readonly memory?: Limit;
  readonly pids?: Limit;
  readonly cpu?: { readonly quota: Limit; readonly period: number };
}

/** cgroup v1 shows "no memory limit" as a page-aligned value near 2^63. */
const V1_MEMORY_UNLIMITED = 2 ** 62;
const PAGE = 4096;

/** `memory.max` / `memory.limit_in_bytes` text → limit. */
export function parseMemoryLimit(text: string): Limit | undefined {
  const t = text.trim();
  if (t === 'max') return 'max';
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return n >= V1_MEMORY_UNLIMITED ? 'max' : n;
}

/** `pids.max` text → limit. */
export function parsePidsLimit(text: string): Limit | undefined {
  const t = text.trim();
  if (t === 'max') return 'max';
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

/** v2 `cpu.max` (`max 100000`, `50000 100000`) → quota and period. */
export function parseCpuMax(text: string): ObservedLimits['cpu'] {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || period === undefined || !/^\d+$/.test(period)) return undefined;
  if (quota === 'max') return { quota: 'max', period: Number(period) };
  return /^\d+$/.test(quota) ? { quota: Number(quota), period: Number(period) } : undefined;
}

/** v1 `cpu.cfs_quota_us` (-1 = none) and `cpu.cfs_period_us` → quota and period. */
export function parseCfsQuota(quotaText: string, periodText: string): ObservedLimits['cpu'] {
  const quota = quotaText.trim();
  const period = periodText.trim();
  if (!/^\d+$/.test(period) || !/^-?\d+$/.test(quota)) return undefined;
  return { quota: Number(quota) < 0 ? 'max' : Number(quota), period: Number(period) };
}

/** Compares the cgroup's limits with the ones vordr asked runc for (`linux.resources`). */
export function checkCgroupLimits(
  resources: OciResources | undefined,
  observed: ObservedLimits,
): CheckResult {
  const violations: string[] = [];
  const shown: string[] = [];
  const memory: Limit = resources?.memory?.limit ?? 'max';
  const pids: Limit =
    resources?.pids !== undefined && resources.pids.limit > 0 ? resources.pids.limit : 'max';
  const cpu: Limit = resources?.cpu !== undefined ? resources.cpu.quota : 'max';

  if (observed.memory === undefined) violations.push('memory limit unreadable');
  else if (!memoryMatches(memory, observed.memory)) {
    violations.push(`memory ${observed.memory}, expected ${memory}`);
  }
  shown.push(`memory ${bytesText(memory)}`);

  if (observed.pids === undefined) violations.push('pids limit unreadable');
  else if (observed.pids !== pids) violations.push(`pids ${observed.pids}, expected ${pids}`);
  shown.push(`pids ${pids}`);

  if (observed.cpu === undefined) violations.push('cpu quota unreadable');
  else {
    const period = resources?.cpu?.period;
    if (observed.cpu.quota !== cpu)
      violations.push(`cpu quota ${observed.cpu.quota}, expected ${cpu}`);
    else if (cpu !== 'max' && period !== undefined && observed.cpu.period !== period) {
      violations.push(`cpu period ${observed.cpu.period}, expected ${period}`);
    }
  }
  shown.push(
    cpu === 'max' || resources?.cpu === undefined
      ? 'cpus max'
      : `cpus ${Number((resources.cpu.quota / resources.cpu.period).toFixed(3))}`,
  );

  return {
    name: 'cgroup-limits',
    title: 'Resource limits applied',
    status: violations.length === 0 ? 'pass' : 'fail',
    detail: violations.length === 0 ? shown.join(', ') : violations.join('; '),
    expected: shown.join(', '),
    violations,
  };
}

/** The kernel rounds a memory limit down to whole pages. */
function memoryMatches(expected: Limit, observed: Limit): boolean {
  if (expected === 'max' || observed === 'max') return expected === observed;
  return observed === expected || observed === Math.floor(expected / PAGE) * PAGE;
}

function bytesText(limit: Limit): string {
  if (limit === 'max') return 'max';
  for (const [unit, size] of [
    ['g', 1024 ** 3],
    ['m', 1024 ** 2],
    ['k', 1024],
  ] as const) {
    if (limit % size === 0) return `${limit / size}${unit}`;
  }
  return `${limit}`;
}
