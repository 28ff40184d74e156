// SPDX-License-Identifier: Apache-2.0
// `vordr check --watch [INTERVAL]` (05 §8): a round, then wait, until aborted (SIGINT).
import { VcError } from '@verified-container/shared';

/** The default `--watch` interval. */
export const DEFAULT_WATCH_INTERVAL_MS = 30_000;

/**
 * `--watch`'s interval: `30s`, `2m`, `500ms`, `1h`, or plain seconds (`5`, `0.5`). Undefined when
 * `text` is not a duration (it may then be the container, as in `check --watch web`).
 */
export function parseWatchInterval(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  const ms = Math.round(Number(match[1]) * unit);
  return ms > 0 ? ms : undefined;
}

/** Like {@link parseWatchInterval}, but a bad interval is a `USAGE` error. */
export function watchIntervalOrThrow(text: string): number {
  const ms = parseWatchInterval(text);
  if (ms === undefined) {
    throw new VcError('USAGE', `invalid --watch interval ${JSON.stringify(text)}`, {
      hint: 'use a duration such as 30s, 500ms or 2m',
    });
  }
  return ms;
}

/**
 * Runs `round` now and then every `intervalMs` until `signal` aborts (a round in progress is
 * finished). Resolves to whether every round was ok.
 */
export async function watchRounds(
  round: () => Promise<boolean>,
  intervalMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  let allOk = true;
  while (!signal.aborted) {
    if (!(await round())) allOk = false;
    await pause(intervalMs, signal);
  }
  return allOk;
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
