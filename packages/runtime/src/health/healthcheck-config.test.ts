// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { effectiveHealthcheck, parseHealthCmd, parseHealthDuration } from './healthcheck-config.js';

const SIGNED = {
  command: ['/bin/check', '--quick'],
  interval: '10s',
  timeout: '5s',
  startPeriod: '1m',
  retries: 4,
};

describe('healthcheck configuration', () => {
  it('a string runs in /bin/sh, a JSON array is exec form', () => {
    expect(parseHealthCmd('curl -f http://localhost/ || exit 1')).toEqual([
      '/bin/sh',
      '-c',
      'curl -f http://localhost/ || exit 1',
    ]);
    expect(parseHealthCmd('["/bin/check", "a b"]')).toEqual(['/bin/check', 'a b']);
    expect(parseHealthCmd('["CMD", "/bin/check"]')).toEqual(['/bin/check']);
    expect(parseHealthCmd('["CMD-SHELL", "exit 0"]')).toEqual(['/bin/sh', '-c', 'exit 0']);
  });

  it('refuses empty commands and bad JSON arrays', () => {
    for (const bad of ['', '  ', '[', '[]', '[1]', '["CMD"]']) {
      expect(() => parseHealthCmd(bad), bad).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
  });

  it('parses durations; zero only where allowed', () => {
    expect(parseHealthDuration('1m30s', '--health-interval', false)).toBe(90_000);
    expect(parseHealthDuration('250ms', '--health-interval', false)).toBe(250);
    expect(parseHealthDuration('0s', '--health-start-period', true)).toBe(0);
    for (const bad of ['0s', '30', 'soon', '-1s']) {
      expect(() => parseHealthDuration(bad, '--health-interval', false), bad).toThrow(
        expect.objectContaining({ code: 'USAGE' }),
      );
    }
  });

  it('defaults: 30s, 30s, 3 retries, no start period, no action', () => {
    expect(effectiveHealthcheck(undefined, { healthCmd: 'true' })).toEqual({
      test: ['/bin/sh', '-c', 'true'],
      intervalMs: 30_000,
      timeoutMs: 30_000,
      retries: 3,
      startPeriodMs: 0,
      onFailure: 'none',
    });
  });

  it("takes the image's signed healthcheck, with the flags over it field by field", () => {
    expect(effectiveHealthcheck(SIGNED, {})).toEqual({
      test: ['/bin/check', '--quick'],
      intervalMs: 10_000,
      timeoutMs: 5_000,
      retries: 4,
      startPeriodMs: 60_000,
      onFailure: 'none',
    });
    expect(
      effectiveHealthcheck(SIGNED, {
        healthInterval: '1s',
        healthRetries: '2',
        healthOnFailure: 'restart',
      }),
    ).toMatchObject({ test: SIGNED.command, intervalMs: 1000, retries: 2, onFailure: 'restart' });
    expect(effectiveHealthcheck(SIGNED, { healthCmd: 'exit 0' })?.test).toEqual([
      '/bin/sh',
      '-c',
      'exit 0',
    ]);
  });

  it('--no-healthcheck removes it; none at all is undefined', () => {
    expect(effectiveHealthcheck(SIGNED, { healthcheck: false })).toBeUndefined();
    expect(effectiveHealthcheck(undefined, {})).toBeUndefined();
  });

  it('bad or contradictory flags are USAGE', () => {
    const usage = expect.objectContaining({ code: 'USAGE' });
    expect(() => effectiveHealthcheck(undefined, { healthInterval: '1s' })).toThrow(usage);
    expect(() => effectiveHealthcheck(SIGNED, { healthcheck: false, healthCmd: 'x' })).toThrow(
      usage,
    );
    expect(() => effectiveHealthcheck(SIGNED, { healthRetries: '0' })).toThrow(usage);
    expect(() => effectiveHealthcheck(SIGNED, { healthOnFailure: 'explode' })).toThrow(usage);
    expect(() => effectiveHealthcheck(SIGNED, { healthTimeout: '0s' })).toThrow(usage);
  });

  it('a malformed signed healthcheck is MALFORMED_BUNDLE', () => {
    expect(() => effectiveHealthcheck({ ...SIGNED, interval: 'often' }, {})).toThrow(
      expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
    );
    expect(() => effectiveHealthcheck({ ...SIGNED, command: [] }, {})).toThrow(
      expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
    );
  });
});
