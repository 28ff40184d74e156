// SPDX-License-Identifier: Apache-2.0
// Settling exits that no exit command reports (05 §14): podman's conmon runs podman's cleanup,
// not vordr's, so a podman container's exit is settled by whoever looks next (reconciliation in
// every command), by a waiting command, or by the supervisor following `podman events`.
import { PodmanEngine } from '../engine/index.js';
import { withContainerLock, type LifecycleContext } from './context.js';
import { reconcileRecord } from './reconcile.js';
import type { VolumePort } from './volumes-port.js';

/** Reconciles one container under its lock (05 §13): exit status, cleanup, `--rm`. */
export async function settleContainer(
  ctx: LifecycleContext,
  id: string,
  volumePort: VolumePort,
): Promise<void> {
  await withContainerLock(ctx, id, async () => {
    const record = await ctx.records.read(id);
    if (record !== undefined) await reconcileRecord(ctx, record, volumePort);
  });
}

/**
 * Waits for a container's exit (podman: `podman wait`) and settles it. Returns early, settling
 * nothing, when `signal` aborts.
 */
export async function settleWhenExited(
  ctx: LifecycleContext,
  id: string,
  volumePort: VolumePort,
  signal?: AbortSignal,
): Promise<void> {
  const exit = await ctx.engine.waitForExit(id, signal !== undefined ? { signal } : {});
  if (exit === undefined) return;
  await settleContainer(ctx, id, volumePort);
}

/**
 * For the supervisor: settles each podman container of the store as `podman events` reports it
 * died, until `signal` aborts. Give `since` the time of the last reconciliation of every
 * container (the supervisor's start), so no death in between is missed; settling twice is
 * harmless. A failing settle is logged, the watch goes on.
 */
export async function settlePodmanExits(
  ctx: LifecycleContext,
  volumePort: VolumePort,
  signal: AbortSignal,
  options: { since?: Date } = {},
): Promise<void> {
  const engine = ctx.engine.engine('podman');
  if (!(engine instanceof PodmanEngine)) return;
  for await (const id of engine.exits(signal, options)) {
    await settleContainer(ctx, id, volumePort).catch((err: unknown) =>
      ctx.logger.warn({ err, id }, 'could not settle a podman container that died'),
    );
  }
}
