// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { humanDuration, statusText } from './status-text.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('statusText', () => {
  it('says how long a running container is up', () => {
    expect(statusText({ state: 'running', startedAt: ago(5 * 60_000) }, NOW)).toBe('Up 5 minutes');
    expect(statusText({ state: 'running', startedAt: ago(500) }, NOW)).toBe(
      'Up Less than a second',
    );
    expect(statusText({ state: 'running', startedAt: ago(90_000) }, NOW)).toBe('Up About a minute');
  });

  it('gives the exit code and when, "?" for a lost status', () => {
    expect(statusText({ state: 'exited', exitCode: 0, finishedAt: ago(2 * 60_000) }, NOW)).toBe(
      'Exited (0) 2 minutes ago',
    );
    expect(
      statusText({ state: 'exited', exitCode: null, finishedAt: ago(3 * 3600_000) }, NOW),
    ).toBe('Exited (?) 3 hours ago');
  });

  it('names the other states', () => {
    expect(statusText({ state: 'created' }, NOW)).toBe('Created');
    expect(statusText({ state: 'creating' }, NOW)).toBe('Created');
    expect(statusText({ state: 'dead' }, NOW)).toBe('Dead');
  });
});

describe('humanDuration', () => {
  it('rounds like docker', () => {
    expect(humanDuration(1000)).toBe('1 second');
    expect(humanDuration(59_000)).toBe('59 seconds');
    expect(humanDuration(3600_000)).toBe('About an hour');
    expect(humanDuration(3 * 86400_000)).toBe('3 days');
  });

  it('adds the health to a running container with a healthcheck', () => {
    const healthcheck = {
      test: ['true'],
      intervalMs: 1000,
      timeoutMs: 1000,
      retries: 3,
      startPeriodMs: 0,
      onFailure: 'none' as const,
    };
    const up = { state: 'running' as const, startedAt: ago(5 * 60_000), healthcheck };
    expect(statusText(up, NOW)).toBe('Up 5 minutes (health: starting)');
    const health = (status: 'healthy' | 'unhealthy') => ({ status, failingStreak: 0, log: [] });
    expect(statusText({ ...up, health: health('healthy') }, NOW)).toBe('Up 5 minutes (healthy)');
    expect(statusText({ ...up, health: health('unhealthy') }, NOW)).toBe(
      'Up 5 minutes (unhealthy)',
    );
    expect(statusText({ ...up, healthcheck: undefined }, NOW)).toBe('Up 5 minutes');
  });

  it('says a restarting container’s last status and when it exited', () => {
    expect(statusText({ state: 'restarting', exitCode: 1, finishedAt: ago(5_000) }, NOW)).toBe(
      'Restarting (1) 5 seconds ago',
    );
    expect(statusText({ state: 'restarting', exitCode: null }, NOW)).toBe('Restarting (?)');
  });
});
