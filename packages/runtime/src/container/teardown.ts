// SPDX-License-Identifier: Apache-2.0
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { stopFirewall } from '../firewall/index.js';
import { disconnectContainer } from '../network/index.js';
import { releaseContainerRootfs, unmount } from '../rootfs/index.js';
import { containerPaths, probeProcess } from '../store/index.js';
import { emitContainerEvent } from '../events/container-event.js';
import type { LifecycleContext } from './context.js';
import type { ContainerRecord } from './record.js';
import type { VolumePort } from './volumes-port.js';

/** How teardown treats the container's conmon. */
export interface TeardownOptions {
  /**
   * false: return without waiting for conmon to leave (it runs the exit command after the exit
   * file); the caller waits for it at the end (engine `waitForMonitorGone`). Default true.
   */
  readonly awaitMonitor?: boolean;
  /**
   * false (removal only): do not write `removing` first. Only for an `--rm` container whose exit
   * is being settled: a crash midway leaves a record that reconciliation settles and removes all
   * the same (05 §13), so the mark (an atomic write, two fsyncs) buys nothing. Default true.
   */
  readonly markRemoving?: boolean;
  /**
   * true (removal only): the caller has read the container's exit file, so no process of it is
   * left (its pid namespace died with init) and the rootfs is unmounted and removed while runc
   * deletes its state: neither depends on the other. runc backend only (podman's `rm` runs its
   * own cleanup of the rootfs it was given). Default false (one after the other).
   */
  readonly exited?: boolean;
}

/**
 * Records how a container's process ended and frees what it held on the host: the runc state,
 * cgroup and conmon files (engine `delete`), and the rootfs mount (the overlay's upper layer is
 * kept for a later `start`). The caller holds `ctr-<id>`. Idempotent.
 */
export async function settleExit(
  ctx: LifecycleContext,
  record: ContainerRecord,
  exit: { readonly exitCode: number | null; readonly note?: string },
  opts: TeardownOptions = {},
): Promise<ContainerRecord> {
  if (record.state !== 'exited') {
    record.state = 'exited';
    record.exitCode = exit.exitCode;
    record.finishedAt = ctx.clock.now().toISOString();
    if (exit.note !== undefined) record.note = exit.note;
    else delete record.note;
    delete record.pid;
    delete record.conmonPid;
    delete record.monitorLost;
    record.cleanedUp = false;
    // Written before the engine deletes the exit file, so the status is never lost.
    await ctx.records.write(record);
    await emitContainerEvent(ctx, 'die', record, {
      exitCode: record.exitCode === null ? '' : String(record.exitCode),
    });
  }
  if (record.cleanedUp !== true) {
    await ctx.engine.delete(record.id, opts);
    await stopFirewall(ctx.root, record);
    await disconnectContainer(ctx.root, record);
    const paths = containerPaths(ctx.root, record.id);
    if (record.rootfsMode !== 'copy') await unmount(paths.rootfs);
    record.cleanedUp = true;
    await ctx.records.write(record);
    await writeFile(exitedMarker(ctx.root, record.id), `${record.exitCode ?? ''}\n`);
  }
  return record;
}

/**
 * `containers/<id>/exited`: written once an exit is settled, removed by the next start. `logs -f`
 * ends on it (conmon's own exit file is removed by the cleanup).
 */
export function exitedMarker(root: string, id: string): string {
  return join(containerPaths(root, id).dir, 'exited');
}

/** Whether a foreground `run` still waits on the container (then `--rm` is its job). */
export async function isAttached(record: ContainerRecord): Promise<boolean> {
  if (record.attachedBy === undefined) return false;
  const probe = await probeProcess(record.attachedBy.pid);
  return (
    probe.alive &&
    (record.attachedBy.startTime === null ||
      probe.startTime === null ||
      probe.startTime === record.attachedBy.startTime)
  );
}

/**
 * Removes a container (05 §2 `rm`): a running one only with `force` (killed first), then runc
 * state, rootfs, its non-persistent anonymous volumes (all of them with `volumes`) and its
 * directory. The caller holds `ctr-<id>`.
 */
export async function removeContainer(
  ctx: LifecycleContext,
  record: ContainerRecord,
  opts: TeardownOptions & {
    readonly force: boolean;
    readonly volumes: boolean;
    readonly volumePort: VolumePort;
  },
): Promise<void> {
  if ((record.state === 'running' || record.state === 'restarting') && !opts.force) {
    throw new VcError('CONTAINER_RUNNING', `container ${record.name} is running`, {
      hint: 'stop it first, or use rm -f',
    });
  }
  if (record.state !== 'removing' && opts.markRemoving !== false) {
    record.state = 'removing';
    await ctx.records.write(record);
  }
  const engineSide = async (): Promise<void> => {
    await ctx.engine.delete(record.id, { awaitMonitor: opts.awaitMonitor ?? true });
    await stopFirewall(ctx.root, record);
    await disconnectContainer(ctx.root, record);
  };
  if (opts.exited === true && ctx.engine.backend === 'runc') {
    // Both run to the end before a failure is thrown: nothing is left half-done behind it.
    const steps = [engineSide(), releaseContainerRootfs(ctx.root, record.id)];
    await Promise.allSettled(steps);
    for (const step of steps) await step;
  } else {
    await engineSide();
    await releaseContainerRootfs(ctx.root, record.id);
  }
  for (const volume of record.volumes) {
    if (!volume.persistent || opts.volumes) await opts.volumePort.remove(volume.name);
  }
  await ctx.records.remove(record.id);
  await emitContainerEvent(ctx, 'destroy', record);
}
