// SPDX-License-Identifier: Apache-2.0
import { VcError, parseRfc3339 } from '@verified-container/shared';

import type { TimedLogEntry } from './k8s-file.js';

/** Which lines `logs` shows (05 §5). Times are milliseconds since the epoch. */
export interface LogSelection {
  /** Lines stamped at or after this time. */
  readonly sinceMs?: number;
  /** Lines stamped before this time. */
  readonly untilMs?: number;
  /** Only the last N of the lines selected by time (undefined = all). */
  readonly tail?: number;
}

const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
const UNIX_SECONDS = /^\d+(?:\.\d+)?$/;

/** Milliseconds of a Go-style duration (`90s`, `1h30m`, `250ms`), or null when it is not one. */
export function parseDurationMs(text: string): number | null {
  if (!DURATION.test(text)) return null;
  let total = 0;
  for (const m of text.matchAll(DURATION_PART)) {
    total += Number(m[1]) * (DURATION_UNIT_MS[m[2] ?? ''] ?? 0);
  }
  return total;
}

/**
 * The instant a `--since`/`--until` value names (05 §5): an RFC 3339 date-time, Unix seconds
 * (fractions allowed), or a duration back from `nowMs`. Anything else is `USAGE`.
 */
export function parseLogTime(text: string, nowMs: number): number {
  const trimmed = text.trim();
  const rfc = parseRfc3339(trimmed);
  if (rfc !== null) return rfc;
  if (UNIX_SECONDS.test(trimmed)) return Number(trimmed) * 1000;
  const duration = parseDurationMs(trimmed);
  if (duration !== null) return nowMs - duration;
  throw new VcError(
    'USAGE',
    `invalid time "${text}": expected RFC 3339, Unix seconds or a duration like 10m`,
  );
}

/** `--tail N|all`: a count of lines, or undefined for all. Anything else is `USAGE`. */
export function parseTail(text: string): number | undefined {
  if (text === 'all') return undefined;
  if (!/^\d+$/.test(text))
    throw new VcError('USAGE', `invalid --tail "${text}": expected a number or "all"`);
  return Number(text);
}

/** True when an entry's time lies inside the selection's window. */
export function isInTimeWindow(entry: TimedLogEntry, selection: LogSelection): boolean {
  if (selection.sinceMs !== undefined && entry.timeMs < selection.sinceMs) return false;
  if (selection.untilMs !== undefined && entry.timeMs >= selection.untilMs) return false;
  return true;
}

/** The entries a selection keeps: the time window first, then the last `tail` of those. */
export function selectLogEntries(
  entries: readonly TimedLogEntry[],
  selection: LogSelection,
): TimedLogEntry[] {
  const windowed = entries.filter((entry) => isInTimeWindow(entry, selection));
  if (selection.tail === undefined) return windowed;
  return selection.tail === 0 ? [] : windowed.slice(-selection.tail);
}
