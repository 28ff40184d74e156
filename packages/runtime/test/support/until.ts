// SPDX-License-Identifier: Apache-2.0
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls `probe` every `everyMs` until `done` holds and returns that value; after 60 s the test
 * fails naming `what` and the last value seen. Readiness, never a fixed sleep.
 */
export async function until<T>(
  what: string,
  probe: () => T,
  done: (value: T) => boolean,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = probe();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    }
    await delay(everyMs);
  }
}
