// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { storeRoot, type GlobalFlags } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import {
  lifecycleContext,
  reconcileRecord,
  withContainerLock,
  type ContainerRecord,
  type LifecycleContext,
  type VolumePort,
} from '../container/index.js';
import type { EventSink } from '../events/index.js';
import { resolveContainerReference } from '../store/index.js';
import { ensureSupervisorFor } from '../supervisor/supervisor-process.js';

/** The lifecycle context of a command: store root, engine (`--runtime`, `VORDR_RUNTIME`), records. */
export function contextFor(deps: CliDeps, flags: GlobalFlags): LifecycleContext {
  const runtime = flags.runtime ?? deps.env['VORDR_RUNTIME'];
  return lifecycleContext({
    root: storeRoot(deps, flags),
    clock: deps.clock,
    logger: deps.logger,
    env: deps.env,
    ...(runtime !== undefined && runtime !== '' ? { runtime } : {}),
    ...(deps.selfCommand !== undefined ? { selfCommand: deps.selfCommand } : {}),
    ...(deps.exitHookCommand !== undefined ? { exitHookCommand: deps.exitHookCommand } : {}),
    actor: `cli:${deps.uid}`,
  });
}

/**
 * The named volumes of the store (05 §10.2), as the lifecycle uses them. The volume modules (tar
 * archives and all) load only when a container actually has a volume.
 */
export function volumePortFor(ctx: LifecycleContext): VolumePort {
  return {
    async ensure(request) {
      const { prepareVolumeMount } = await import('../volume/index.js');
      const prepared = await prepareVolumeMount({
        root: ctx.root,
        name: request.name,
        rootfs: request.rootfs,
        destination: request.destination,
        now: ctx.clock.now(),
        ...(request.nocopy !== undefined ? { nocopy: request.nocopy } : {}),
        ...(request.anonymous !== undefined ? { anonymous: request.anonymous } : {}),
        ...(request.labels !== undefined ? { labels: request.labels } : {}),
      });
      return prepared.source;
    },
    async remove(name) {
      const { removeVolumes } = await import('../volume/index.js');
      await removeVolumes(ctx.root, [name], { force: true }).catch((err: unknown) => {
        if (!(err instanceof VcError && err.code === 'VOLUME_NOT_FOUND')) throw err;
      });
    },
  };
}

/**
 * Resolves a container reference (05 §2) and reconciles that container (05 §13) under its lock.
 * Undefined when reconciliation removed it (an exited `--rm` container). The supervisor is started
 * when the container needs it and none runs, unless `superviseAfter` is false (`stop`, `rm`).
 */
export async function findContainer(
  ctx: LifecycleContext,
  ref: string,
  opts: { readonly superviseAfter?: boolean } = {},
): Promise<ContainerRecord> {
  const record = resolveContainerReference(ref, await ctx.records.list());
  const current = await withContainerLock(ctx, record.id, async () => {
    const fresh = await ctx.records.read(record.id);
    return fresh === undefined ? undefined : reconcileRecord(ctx, fresh, volumePortFor(ctx));
  });
  if (current === undefined) {
    throw new VcError('CONTAINER_NOT_FOUND', `no such container: ${ref}`, {
      hint: 'vordr ps -a lists the containers',
    });
  }
  // A supervisor that died is replaced by the next command that sees its work (05 §13).
  if (opts.superviseAfter !== false) await ensureSupervisorFor(ctx, [current]);
  return current;
}

/** Every container, each reconciled (05 §13); removed ones are left out. */
export async function listReconciled(ctx: LifecycleContext): Promise<ContainerRecord[]> {
  const out: ContainerRecord[] = [];
  for (const record of await ctx.records.list()) {
    const current = await withContainerLock(ctx, record.id, async () => {
      const fresh = await ctx.records.read(record.id);
      return fresh === undefined ? undefined : reconcileRecord(ctx, fresh, volumePortFor(ctx));
    });
    if (current !== undefined) out.push(current);
  }
  await ensureSupervisorFor(ctx, out);
  return out;
}

/** `--stop-timeout`/`-t`: whole seconds ≥ 0. */
export function parseSeconds(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) {
    throw new VcError('USAGE', `invalid ${flag} ${JSON.stringify(text)}: expected whole seconds`);
  }
  return Number(text);
}

/** Where this command's events go (05 §12): the store, as `cli:<uid>`. */
export function eventSink(deps: CliDeps, flags: GlobalFlags): EventSink {
  return {
    root: storeRoot(deps, flags),
    clock: deps.clock,
    logger: deps.logger,
    actor: `cli:${deps.uid}`,
  };
}
