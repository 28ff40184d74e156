// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  MAX_RESTART_DELAY_MS,
  nextRestartDelay,
  parseRestartPolicy,
  restartPolicyText,
  shouldRestart,
} from './restart-policy.js';
import { needsSupervisor } from './supervisor-process.js';

describe('restart policies', () => {
  it('parses the four policies', () => {
    expect(parseRestartPolicy('no')).toEqual({ name: 'no' });
    expect(parseRestartPolicy('always')).toEqual({ name: 'always' });
    expect(parseRestartPolicy('unless-stopped')).toEqual({ name: 'unless-stopped' });
    expect(parseRestartPolicy('on-failure')).toEqual({ name: 'on-failure' });
    expect(parseRestartPolicy('on-failure:3')).toEqual({ name: 'on-failure', maxRetries: 3 });
    expect(parseRestartPolicy('on-failure:0')).toEqual({ name: 'on-failure' });
    expect(restartPolicyText(parseRestartPolicy('on-failure:3'))).toBe('on-failure:3');
  });

  it('refuses anything else with USAGE', () => {
    for (const bad of [
      '',
      'yes',
      'Always',
      'on-failure:',
      'on-failure:-1',
      'on-failure:x',
      'no:1',
    ]) {
      expect(() => parseRestartPolicy(bad), bad).toThrow(
        expect.objectContaining({ code: 'USAGE' }),
      );
    }
  });

  it('on-failure restarts a known non-zero status at most N times', () => {
    const policy = parseRestartPolicy('on-failure:2');
    expect(shouldRestart(policy, { exitCode: 1, restartCount: 0 })).toBe(true);
    expect(shouldRestart(policy, { exitCode: 137, restartCount: 1 })).toBe(true);
    expect(shouldRestart(policy, { exitCode: 1, restartCount: 2 })).toBe(false);
    expect(shouldRestart(policy, { exitCode: 0 })).toBe(false);
    expect(shouldRestart(policy, { exitCode: null })).toBe(false);
    expect(shouldRestart(parseRestartPolicy('on-failure'), { exitCode: 1, restartCount: 99 })).toBe(
      true,
    );
  });

  it('always and unless-stopped restart any exit, never after a user stop', () => {
    for (const name of ['always', 'unless-stopped']) {
      const policy = parseRestartPolicy(name);
      expect(shouldRestart(policy, { exitCode: 0 })).toBe(true);
      expect(shouldRestart(policy, { exitCode: null })).toBe(true);
      expect(shouldRestart(policy, { exitCode: 0, stoppedByUser: true })).toBe(false);
    }
    expect(shouldRestart(undefined, { exitCode: 1 })).toBe(false);
    expect(shouldRestart({ name: 'no' }, { exitCode: 1 })).toBe(false);
  });

  it('backs off from 100 ms doubling to 1 min, and resets after 10 s of running', () => {
    let streak = 0;
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      const next = nextRestartDelay(streak, 50);
      delays.push(next.delayMs);
      streak = next.streak;
    }
    expect(delays.slice(0, 5)).toEqual([100, 200, 400, 800, 1600]);
    expect(delays.at(-1)).toBe(MAX_RESTART_DELAY_MS);
    expect(nextRestartDelay(streak, 10_000)).toEqual({ delayMs: 100, streak: 1 });
    expect(nextRestartDelay(1000, undefined).delayMs).toBe(MAX_RESTART_DELAY_MS);
  });

  it('a container needs the supervisor for a healthcheck, a policy or a pending restart', () => {
    const base = { state: 'running' as const };
    expect(needsSupervisor(base)).toBe(false);
    expect(needsSupervisor({ ...base, restartPolicy: { name: 'no' } })).toBe(false);
    expect(needsSupervisor({ ...base, restartPolicy: { name: 'always' } })).toBe(true);
    expect(
      needsSupervisor({
        ...base,
        healthcheck: {
          test: ['true'],
          intervalMs: 1,
          timeoutMs: 1,
          retries: 1,
          startPeriodMs: 0,
          onFailure: 'none',
        },
      }),
    ).toBe(true);
    expect(needsSupervisor({ state: 'restarting' })).toBe(true);
    expect(
      needsSupervisor({ state: 'exited', exitCode: 1, restartPolicy: { name: 'on-failure' } }),
    ).toBe(true);
    expect(
      needsSupervisor({
        state: 'exited',
        exitCode: 1,
        restartPolicy: { name: 'always' },
        stoppedByUser: true,
      }),
    ).toBe(false);
    expect(needsSupervisor({ state: 'created', restartPolicy: { name: 'always' } })).toBe(false);
  });

  it('a running container with egress host or pattern entries needs the supervisor (05 §4.7)', () => {
    const firewall = (flags: string[], filter = true) => ({
      egress: { filter, manifest: [], flags },
      ingress: [],
      publish: [],
    });
    const running = { state: 'running' as const };
    expect(needsSupervisor({ ...running, firewall: firewall(['api.example.org:443']) })).toBe(true);
    expect(needsSupervisor({ ...running, firewall: firewall(['*.example.org:443']) })).toBe(true);
    expect(needsSupervisor({ ...running, firewall: firewall(['10.0.0.0/8:443']) })).toBe(false);
    expect(needsSupervisor({ ...running, firewall: firewall(['a.example:1'], false) })).toBe(false);
    expect(needsSupervisor({ state: 'exited', firewall: firewall(['a.example:1']) })).toBe(false);
  });
});
