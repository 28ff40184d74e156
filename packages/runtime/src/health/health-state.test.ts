// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  MAX_HEALTH_LOG,
  MAX_HEALTH_OUTPUT_BYTES,
  applyHealthResult,
  healthOutput,
  initialHealth,
  type HealthResult,
  type HealthState,
} from './health-state.js';

const result = (exitCode: number, i = 0): HealthResult => ({
  start: `2026-01-01T00:00:0${i % 10}Z`,
  end: `2026-01-01T00:00:0${i % 10}Z`,
  exitCode,
  output: `run ${i}`,
});

function feed(
  codes: readonly number[],
  opts: { retries: number; inStartPeriod?: (i: number) => boolean },
): { states: HealthState[]; changes: number[] } {
  let state = initialHealth();
  const states: HealthState[] = [];
  const changes: number[] = [];
  codes.forEach((code, i) => {
    const applied = applyHealthResult(state, result(code, i), {
      retries: opts.retries,
      inStartPeriod: opts.inStartPeriod?.(i) ?? false,
    });
    state = applied.state;
    states.push(state);
    if (applied.changed) changes.push(i);
  });
  return { states, changes };
}

describe('health state machine', () => {
  it('is starting until the first success, then healthy', () => {
    const { states, changes } = feed([1, 0], { retries: 3 });
    expect(states.map((s) => s.status)).toEqual(['starting', 'healthy']);
    expect(states[1]!.failingStreak).toBe(0);
    expect(changes).toEqual([1]);
  });

  it('turns unhealthy after `retries` consecutive failures, healthy again on a success', () => {
    const { states, changes } = feed([0, 1, 1, 1, 1, 0], { retries: 3 });
    expect(states.map((s) => s.status)).toEqual([
      'healthy',
      'healthy',
      'healthy',
      'unhealthy',
      'unhealthy',
      'healthy',
    ]);
    expect(states[4]!.failingStreak).toBe(4);
    expect(changes).toEqual([0, 3, 5]);
  });

  it('a success in between resets the streak', () => {
    const { states } = feed([1, 1, 0, 1, 1], { retries: 3 });
    expect(states.at(-1)).toMatchObject({ status: 'healthy', failingStreak: 2 });
  });

  it('failures while starting in the start period do not count', () => {
    const { states } = feed([1, 1, 1, 1, 1], { retries: 2, inStartPeriod: (i) => i < 3 });
    expect(states.map((s) => s.failingStreak)).toEqual([0, 0, 0, 1, 2]);
    expect(states.map((s) => s.status)).toEqual([
      'starting',
      'starting',
      'starting',
      'starting',
      'unhealthy',
    ]);
  });

  it('after a success the start period no longer hides failures', () => {
    const { states } = feed([0, 1], { retries: 1, inStartPeriod: () => true });
    expect(states.at(-1)?.status).toBe('unhealthy');
  });

  it('keeps the last five results, oldest first', () => {
    const { states } = feed([0, 0, 0, 0, 0, 0, 1], { retries: 3 });
    const log = states.at(-1)!.log;
    expect(log).toHaveLength(MAX_HEALTH_LOG);
    expect(log.map((r) => r.output)).toEqual(['run 2', 'run 3', 'run 4', 'run 5', 'run 6']);
  });

  it('a restart starts over as starting and keeps the log', () => {
    const { states } = feed([0, 1, 1, 1], { retries: 3 });
    const again = initialHealth(states.at(-1));
    expect(again).toMatchObject({ status: 'starting', failingStreak: 0 });
    expect(again.log).toHaveLength(4);
  });

  it('stores at most 4 KiB of output without splitting a character', () => {
    expect(healthOutput(Buffer.from('out\n'), Buffer.from('err\n'))).toBe('out\nerr\n');
    const long = healthOutput(Buffer.from('é'.repeat(3000)), Buffer.alloc(0));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(MAX_HEALTH_OUTPUT_BYTES);
    expect(long).toBe('é'.repeat(MAX_HEALTH_OUTPUT_BYTES / 2));
    const odd = healthOutput(Buffer.from(`x${'é'.repeat(3000)}`), Buffer.alloc(0));
    expect(odd.endsWith('é')).toBe(true);
    expect(odd).not.toContain('\ufffd');
  });
});
