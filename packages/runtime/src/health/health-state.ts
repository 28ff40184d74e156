// SPDX-License-Identifier: Apache-2.0
// The health state machine of 05 §6, pure: one healthcheck result in, the new state out.

/** `starting` until the first success or `retries` failures after the start period. */
export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One healthcheck run as kept on the record (05 §6). */
export interface HealthResult {
  /** RFC 3339 times of the run. */
  readonly start: string;
  readonly end: string;
  /** The command's status; -1 when it timed out or could not run. */
  readonly exitCode: number;
  /** stdout then stderr, at most {@link MAX_HEALTH_OUTPUT_BYTES} bytes. */
  readonly output: string;
}

/** The health of a container, stored on its record. */
export interface HealthState {
  readonly status: HealthStatus;
  /** Consecutive failures counted so far. */
  readonly failingStreak: number;
  /** The last {@link MAX_HEALTH_LOG} results, oldest first. */
  readonly log: readonly HealthResult[];
}

export const MAX_HEALTH_LOG = 5;
export const MAX_HEALTH_OUTPUT_BYTES = 4096;

/** The state of a container that just started: `starting`, earlier results kept. */
export function initialHealth(previous?: HealthState): HealthState {
  return { status: 'starting', failingStreak: 0, log: previous?.log ?? [] };
}

/**
 * Applies one result. A success is `healthy` (streak 0). A failure counts towards `retries`,
 * except while the container is still `starting` within its start period; reaching `retries`
 * consecutive counted failures is `unhealthy`. `changed` tells a status transition (an event).
 */
export function applyHealthResult(
  state: HealthState,
  result: HealthResult,
  opts: { readonly retries: number; readonly inStartPeriod: boolean },
): { readonly state: HealthState; readonly changed: boolean } {
  const log = [...state.log, result].slice(-MAX_HEALTH_LOG);
  let status: HealthStatus;
  let failingStreak: number;
  if (result.exitCode === 0) {
    status = 'healthy';
    failingStreak = 0;
  } else if (opts.inStartPeriod && state.status === 'starting') {
    status = 'starting';
    failingStreak = state.failingStreak;
  } else {
    failingStreak = state.failingStreak + 1;
    status = failingStreak >= opts.retries ? 'unhealthy' : state.status;
  }
  return { state: { status, failingStreak, log }, changed: status !== state.status };
}

/** Output as stored: at most {@link MAX_HEALTH_OUTPUT_BYTES} bytes of UTF-8, cut on a character. */
export function healthOutput(stdout: Uint8Array, stderr: Uint8Array): string {
  const all = Buffer.concat([stdout, stderr]);
  if (all.length <= MAX_HEALTH_OUTPUT_BYTES) return all.toString('utf8');
  let end = MAX_HEALTH_OUTPUT_BYTES;
  // Back off continuation bytes so no character is split.
  while (end > 0 && (all[end]! & 0xc0) === 0x80) end--;
  return all.subarray(0, end).toString('utf8');
}
