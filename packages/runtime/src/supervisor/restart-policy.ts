// SPDX-License-Identifier: Apache-2.0
// Restart policies of 05 §6, pure: parsing `--restart`, whether an exit restarts, and the backoff.
import { VcError } from '@verified-container/shared';

/** `--restart no|on-failure[:N]|always|unless-stopped`; `maxRetries` only for on-failure:N. */
export type RestartPolicy =
  | { readonly name: 'no' }
  | { readonly name: 'on-failure'; readonly maxRetries?: number }
  | { readonly name: 'always' }
  | { readonly name: 'unless-stopped' };

/** The first delay before a restart; it doubles per quick restart up to {@link MAX_RESTART_DELAY_MS}. */
export const FIRST_RESTART_DELAY_MS = 100;
export const MAX_RESTART_DELAY_MS = 60_000;
/** A run at least this long resets the delay to {@link FIRST_RESTART_DELAY_MS}. */
export const RESTART_RESET_AFTER_MS = 10_000;

/** Parses `--restart`; anything else is `USAGE`. */
export function parseRestartPolicy(text: string): RestartPolicy {
  switch (text) {
    case 'no':
    case 'always':
    case 'unless-stopped':
    case 'on-failure':
      return { name: text };
  }
  const match = /^on-failure:([0-9]{1,6})$/.exec(text);
  if (match !== null) {
    const max = Number(match[1]);
    return max === 0 ? { name: 'on-failure' } : { name: 'on-failure', maxRetries: max };
  }
  throw new VcError('USAGE', `invalid --restart ${JSON.stringify(text)}`, {
    hint: 'one of no, on-failure[:N], always, unless-stopped',
  });
}

/** The policy as docker writes it: `on-failure:3`. */
export function restartPolicyText(policy: RestartPolicy): string {
  return policy.name === 'on-failure' && policy.maxRetries !== undefined
    ? `on-failure:${policy.maxRetries}`
    : policy.name;
}

/** What the restart decision looks at on a container that exited. */
export interface ExitFacts {
  readonly exitCode?: number | null;
  /** Restarts made by the policy since the last user `start`/`run`. */
  readonly restartCount?: number;
  /** A user's `stop` (or `--health-on-failure stop`): no restarts until the next start. */
  readonly stoppedByUser?: boolean;
}

/**
 * Whether an exited container restarts under `policy` (05 §6): never after a user's stop;
 * on-failure only for a known non-zero status and at most N times; always and unless-stopped
 * always (after a host boot too: the status is then lost, which on-failure does not count).
 */
export function shouldRestart(policy: RestartPolicy | undefined, exit: ExitFacts): boolean {
  if (policy === undefined || exit.stoppedByUser === true) return false;
  switch (policy.name) {
    case 'no':
      return false;
    case 'on-failure':
      return (
        typeof exit.exitCode === 'number' &&
        exit.exitCode !== 0 &&
        (policy.maxRetries === undefined || (exit.restartCount ?? 0) < policy.maxRetries)
      );
    case 'always':
    case 'unless-stopped':
      return true;
  }
}

/**
 * The delay before the next restart and the new streak of quick restarts: 100 ms doubling per
 * restart up to 1 min, back to 100 ms when the last run lasted at least 10 s.
 */
export function nextRestartDelay(
  streak: number,
  ranMs: number | undefined,
): { readonly delayMs: number; readonly streak: number } {
  const current = ranMs !== undefined && ranMs >= RESTART_RESET_AFTER_MS ? 0 : Math.max(0, streak);
  const delayMs = Math.min(
    FIRST_RESTART_DELAY_MS * 2 ** Math.min(current, 20),
    MAX_RESTART_DELAY_MS,
  );
  return { delayMs, streak: current + 1 };
}
