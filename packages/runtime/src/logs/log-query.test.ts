// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';

import { parseK8sFileLog } from './k8s-file.js';
import { parseDurationMs, parseLogTime, parseTail, selectLogEntries } from './log-query.js';

const log = parseK8sFileLog(
  [
    '2026-12-07T10:00:00.000000001Z stdout F one',
    '2026-12-07T10:00:01.500000000Z stderr F two',
    '2026-12-07T10:00:02.000000000Z stdout F three',
    '2026-12-07T10:00:03.000000000Z stdout F four',
    '',
  ].join('\n'),
);
const lines = (entries: typeof log): string[] => entries.map((e) => e.line);
const at = (text: string): number => Date.parse(text);

describe('parseLogTime', () => {
  const now = at('2026-12-07T12:00:00Z');

  it('takes RFC 3339 with fractions and offsets', () => {
    expect(parseLogTime('2026-12-07T10:00:01.5Z', now)).toBe(at('2026-12-07T10:00:01.500Z'));
    expect(parseLogTime('2026-12-07T11:00:00+01:00', now)).toBe(at('2026-12-07T10:00:00Z'));
  });

  it('takes Unix seconds', () => {
    expect(parseLogTime('1796637600', now)).toBe(1796637600_000);
    expect(parseLogTime('1796637600.25', now)).toBe(1796637600_250);
  });

  it('takes a duration back from now', () => {
    expect(parseLogTime('10m', now)).toBe(now - 600_000);
    expect(parseLogTime('1h30m', now)).toBe(now - 5_400_000);
    expect(parseLogTime('250ms', now)).toBe(now - 250);
  });

  it('refuses anything else with USAGE', () => {
    for (const bad of ['', 'yesterday', '10', '-5m'].filter((t) => t !== '10')) {
      expect(() => parseLogTime(bad, now)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
    expect(parseDurationMs('5 m')).toBeNull();
  });
});

describe('parseTail', () => {
  it('reads a count or all', () => {
    expect(parseTail('3')).toBe(3);
    expect(parseTail('all')).toBeUndefined();
    expect(() => parseTail('-1')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('selectLogEntries', () => {
  it('keeps everything by default', () => {
    expect(lines(selectLogEntries(log, {}))).toEqual(['one', 'two', 'three', 'four']);
  });

  it('tails N lines from the end, across both streams', () => {
    expect(lines(selectLogEntries(log, { tail: 2 }))).toEqual(['three', 'four']);
    expect(lines(selectLogEntries(log, { tail: 0 }))).toEqual([]);
    expect(lines(selectLogEntries(log, { tail: 10 }))).toHaveLength(4);
  });

  it('filters by since (inclusive) and until (exclusive)', () => {
    expect(lines(selectLogEntries(log, { sinceMs: at('2026-12-07T10:00:01.500Z') }))).toEqual([
      'two',
      'three',
      'four',
    ]);
    expect(lines(selectLogEntries(log, { untilMs: at('2026-12-07T10:00:02Z') }))).toEqual([
      'one',
      'two',
    ]);
  });

  it('applies the time window before tail', () => {
    expect(lines(selectLogEntries(log, { untilMs: at('2026-12-07T10:00:03Z'), tail: 1 }))).toEqual([
      'three',
    ]);
  });
});
