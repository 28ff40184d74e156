// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { renderCheckResult, renderReport, reportJson } from './render.js';
import { makeReport, type CheckResult } from './types.js';
import { parseWatchInterval, watchIntervalOrThrow, watchRounds } from './watch.js';

const PASS: CheckResult = {
  name: 'capabilities',
  title: 'Capabilities not escalated',
  status: 'pass',
  detail: 'CHOWN, SETUID',
  violations: [],
};
const FAIL: CheckResult = {
  name: 'file-integrity',
  title: 'File integrity (no tampering)',
  status: 'fail',
  detail: '/etc/greeting: content changed (and 1 more)',
  violations: ['/etc/greeting: content changed', '/etc/evil: added'],
};
const SKIP: CheckResult = {
  name: 'selinux',
  title: 'SELinux violations (none)',
  status: 'skip',
  detail: 'SELinux not enabled on this host',
  violations: [],
};

describe('render', () => {
  it('prints one ✓/✗/! /– line per check, violations under a failure, then a summary', () => {
    const report = makeReport({
      container: 'web',
      id: 'a'.repeat(64),
      checkedAt: 'T',
      checks: [PASS, FAIL, SKIP],
    });
    expect(report.ok).toBe(false);
    expect(renderReport(report)).toBe(
      [
        '✓ Capabilities not escalated (CHOWN, SETUID)',
        '✗ File integrity (no tampering): /etc/greeting: content changed',
        '    /etc/evil: added',
        '– SELinux violations (none): SELinux not enabled on this host',
        'web (aaaaaaaaaaaa) at T: 3 checks, 1 passed, 1 failed, 0 warnings, 1 skipped: VIOLATIONS FOUND',
        '',
      ].join('\n'),
    );
    expect(renderCheckResult({ ...PASS, status: 'warn' })).toBe(
      '! Capabilities not escalated (CHOWN, SETUID)\n',
    );
  });

  it('has the JSON document of 05 §8 with the violations', () => {
    const report = makeReport({ container: 'web', id: 'x', checkedAt: 'T', checks: [PASS] });
    expect(reportJson(report)).toEqual({
      container: 'web',
      id: 'x',
      checkedAt: 'T',
      ok: true,
      checks: [
        {
          name: 'capabilities',
          title: 'Capabilities not escalated',
          status: 'pass',
          message: 'CHOWN, SETUID',
          detail: 'CHOWN, SETUID',
          violations: [],
        },
      ],
    });
  });
});

describe('watch', () => {
  it('parses intervals and tells a container name from one', () => {
    expect(parseWatchInterval('30s')).toBe(30_000);
    expect(parseWatchInterval('500ms')).toBe(500);
    expect(parseWatchInterval('2m')).toBe(120_000);
    expect(parseWatchInterval('5')).toBe(5000);
    expect(parseWatchInterval('0')).toBeUndefined();
    expect(parseWatchInterval('web')).toBeUndefined();
    expect(() => watchIntervalOrThrow('soon')).toThrow(/invalid --watch interval/);
  });

  it('repeats rounds until aborted and reports whether every round was ok', async () => {
    const abort = new AbortController();
    const results = [true, false, true];
    let rounds = 0;
    const ok = await watchRounds(
      () => {
        const r = results[rounds++]!;
        if (rounds === results.length) abort.abort();
        return Promise.resolve(r);
      },
      1,
      abort.signal,
    );
    expect(rounds).toBe(3);
    expect(ok).toBe(false);
  });

  it('does not start a round once aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    let rounds = 0;
    expect(await watchRounds(() => Promise.resolve(++rounds > 0), 10, abort.signal)).toBe(true);
    expect(rounds).toBe(0);
  });
});
