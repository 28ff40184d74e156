// SPDX-License-Identifier: Apache-2.0
// 05 §6: a user's `stop` disables restarts until the next `start`.
import {
  withContainerLock,
  type ContainerRecord,
  type LifecycleContext,
} from '../container/index.js';

/**
 * Marks a container stopped by its user before `stop` signals it, so the supervisor does not
 * restart it; a `restarting` container (no process between two runs) becomes `exited` here.
 * Containers without a restart policy are left alone (nothing to disable, no write).
 */
export async function markStoppedByUser(
  ctx: LifecycleContext,
  id: string,
): Promise<ContainerRecord | undefined> {
  return withContainerLock(ctx, id, async () => {
    const fresh = await ctx.records.read(id);
    if (fresh === undefined) return undefined;
    const hasPolicy = fresh.restartPolicy !== undefined && fresh.restartPolicy.name !== 'no';
    if (!hasPolicy && fresh.state !== 'restarting') return fresh;
    if (fresh.stoppedByUser === true && fresh.state !== 'restarting') return fresh;
    fresh.stoppedByUser = true;
    if (fresh.state === 'restarting' && fresh.pid === undefined) {
      fresh.state = 'exited';
      delete fresh.restartAt;
    }
    await ctx.records.write(fresh);
    return fresh;
  });
}

/** Clears what restarts left on a container the user starts again (the next `start`). */
export function resetRestartState(record: ContainerRecord): void {
  delete record.stoppedByUser;
  delete record.restartAt;
  delete record.restartStreak;
  if (record.restartCount !== undefined) record.restartCount = 0;
}
