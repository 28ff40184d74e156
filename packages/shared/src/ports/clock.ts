// SPDX-License-Identifier: Apache-2.0

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock stopped at one instant (tests, `--now`). */
export function fixedClock(at: Date): Clock {
  return { now: () => new Date(at.getTime()) };
}
