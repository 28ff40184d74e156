// SPDX-License-Identifier: Apache-2.0
import type { LifecycleContext } from './context.js';
import type { ContainerRecord } from './record.js';
import { isAttached, removeContainer, settleExit } from './teardown.js';
import type { VolumePort } from './volumes-port.js';

/** How old a `creating` record must be before it is taken as abandoned (05 §13). */
export const ABANDONED_CREATE_MS = 5 * 60_000;

/**
 * Brings one record in line with the host (05 §13) and returns it, or undefined when the
 * container is gone (an `--rm` container that exited, an abandoned create, an unfinished
 * removal). The caller holds `ctr-<id>`.
 *
 * - exit file present → `exited` with its status; cleanup if not done;
 * - runc `stopped` or unknown without exit file → `exited`, `exitCode: null`, "exit status lost";
 * - conmon alive, runc running → stays `running`; conmon dead → `running` with `monitorLost`.
 */
export async function reconcileRecord(
  ctx: LifecycleContext,
  record: ContainerRecord,
  volumePort: VolumePort,
): Promise<ContainerRecord | undefined> {
  const { engine } = ctx;
  if (record.state === 'removing') {
    await removeContainer(ctx, record, { force: true, volumes: false, volumePort });
    return undefined;
  }
  if (record.state === 'creating') {
    const age = ctx.clock.now().getTime() - Date.parse(record.createdAt);
    if (age < ABANDONED_CREATE_MS) return record;
    await removeContainer(ctx, record, { force: true, volumes: false, volumePort });
    return undefined;
  }
  // Between two runs of a restart policy: the supervisor's to start again (05 §6).
  if (record.state === 'restarting' && record.pid === undefined) return record;
  if (record.state === 'running' || record.state === 'restarting') {
    // A foreground run settles its own container's exit (it still reads conmon's exit file).
    if (await isAttached(record)) return record;
    const code = await engine.exitStatus(record.id);
    if (code !== undefined) {
      await settleExit(ctx, record, { exitCode: code });
    } else {
      const runc = await engine.state(record.id);
      if (runc === undefined || runc.status === 'stopped') {
        await settleExit(ctx, record, { exitCode: null, note: 'exit status lost' });
      } else {
        const monitorLost = (await engine.conmonPid(record.id)) === undefined;
        if (monitorLost !== (record.monitorLost === true)) {
          if (monitorLost) record.monitorLost = true;
          else delete record.monitorLost;
          await ctx.records.write(record);
        }
        return record;
      }
    }
  } else if (record.state === 'exited' && record.cleanedUp !== true) {
    await settleExit(ctx, record, { exitCode: record.exitCode ?? null });
  }
  if (record.state === 'exited' && record.autoRemove && !(await isAttached(record))) {
    await removeContainer(ctx, record, { force: true, volumes: false, volumePort });
    return undefined;
  }
  return record;
}
