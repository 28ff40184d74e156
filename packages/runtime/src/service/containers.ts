// SPDX-License-Identifier: Apache-2.0
// The container operations of 05 §7 and §12.1 that the CLI and the daemon share: each takes a
// lifecycle context and plain values, and returns records or outcomes (no printing).
import { readFile } from 'node:fs/promises';
import { VcError, type Clock } from '@verified-container/shared';
import {
  readHostFacts,
  reconcileRecord,
  removeContainer,
  startContainer,
  statusText,
  withContainerLock,
  type ContainerRecord,
  type LifecycleContext,
} from '../container/index.js';
import { readRootfsText } from '../container/host-facts.js';
import { resolveImage } from '../image/index.js';
import type { OciSpec } from '../oci-spec/index.js';
import { normalizeContainerPath, resolveUser } from '../profile/index.js';
import { recordExecSession } from '../check/index.js';
import { networksJson } from '../network/index.js';
import { containerPaths } from '../store/index.js';
import { verifyStoreImage, type ImageVerification } from '../verification/index.js';
import { assertPsFilters, matchesFilters } from '../commands/ps.js';
import { findContainer, volumePortFor } from '../commands/support.js';
import { stopContainer } from '../commands/stop.js';
import { ensureSupervisorFor } from '../supervisor/supervisor-process.js';
import { resetRestartState } from '../supervisor/user-stop.js';

/** The verify mode a container was run with, from its recorded decision. */
export function modeOfDecision(
  decision: ContainerRecord['decision'],
): 'strict' | 'permissive' | 'audit' {
  return decision === 'ALLOW' ? 'strict' : decision === 'WARN' ? 'permissive' : 'audit';
}

/**
 * The Container object of 05 §12.2. The stored record's own fields come along (the CLI's `ps`
 * and `inspect` format from them, so output is the same through the daemon); `health` is the
 * record's, present while the container has a healthcheck.
 */
export function containerObject(record: ContainerRecord, nowMs: number) {
  return {
    ...record,
    status: statusText(record, nowMs),
    restartCount: record.restartCount ?? 0,
    ports: record.ports ?? [],
    networks: networksJson(record.networkAttachments),
    verification: { decision: record.decision, mode: modeOfDecision(record.decision) },
    backend: record.backend ?? 'runc',
  };
}

/** `inspect` (05 §7): the container object plus its paths and SELinux facts. */
export function inspectObject(root: string, record: ContainerRecord, nowMs: number) {
  const paths = containerPaths(root, record.id);
  return {
    ...containerObject(record, nowMs),
    paths: { dir: paths.dir, rootfs: paths.rootfs, config: paths.config, log: paths.log },
    selinux: { enabled: false, label: record.selinuxLabel, applied: false },
  };
}

/** `ps` (05 §7): reconciled, running unless `all`, every filter matching, newest first. */
export async function listContainers(
  ctx: LifecycleContext,
  opts: { all: boolean; filters: readonly string[] },
): Promise<ContainerRecord[]> {
  assertPsFilters(opts.filters);
  const records = (
    await Promise.all((await ctx.records.list()).map((r) => settled(ctx, r)))
  ).filter((r): r is ContainerRecord => r !== undefined);
  // A supervisor that died is replaced by the next command that sees its work (05 §13).
  await ensureSupervisorFor(ctx, records);
  return records
    .filter((r) => opts.all || r.state === 'running' || r.state === 'restarting')
    .filter((r) => matchesFilters(r, opts.filters))
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

/**
 * One record as reconciliation (05 §13) leaves it, without the lock and without asking runc when
 * nothing can change: `created`; `exited` and cleaned up (not `--rm`); `running` while its conmon
 * lives and has written no exit file (conmon outlives the container and writes that file first).
 * Anything else is reconciled under the container's lock. Undefined: the container is gone.
 */
async function settled(
  ctx: LifecycleContext,
  record: ContainerRecord,
): Promise<ContainerRecord | undefined> {
  if (record.state === 'created') return record;
  if (record.state === 'exited' && record.cleanedUp === true && !record.autoRemove) return record;
  if (
    record.state === 'running' &&
    record.monitorLost !== true &&
    (await ctx.engine.exitStatus(record.id)) === undefined &&
    (await ctx.engine.conmonPid(record.id)) !== undefined
  ) {
    return record;
  }
  return withContainerLock(ctx, record.id, async () => {
    const fresh = await ctx.records.read(record.id);
    return fresh === undefined ? undefined : reconcileRecord(ctx, fresh, volumePortFor(ctx));
  });
}

/** A start or restart that verification refused, or the started container. */
export type StartOutcome =
  | {
      readonly kind: 'rejected';
      readonly record: ContainerRecord;
      readonly verification: ImageVerification;
    }
  | {
      readonly kind: 'started';
      readonly record: ContainerRecord;
      readonly alreadyRunning: boolean;
    };

/**
 * `start` (05 §7), or `restart` when `stopGrace` is given (null: the container's own grace):
 * verify again (normally a cache hit; a REJECT refuses the start), then start.
 */
export async function startByRef(
  ctx: LifecycleContext,
  env: { readonly env: Readonly<Record<string, string | undefined>>; readonly clock: Clock },
  ref: string,
  stopGrace?: number | null,
): Promise<StartOutcome> {
  let record = await findContainer(ctx, ref);
  if (stopGrace !== undefined) {
    await stopContainer(ctx, record.id, stopGrace ?? undefined);
    record = await findContainer(ctx, record.id);
  } else if (record.state === 'running' || record.state === 'restarting') {
    return { kind: 'started', record, alreadyRunning: true };
  }
  if (record.state === 'dead' || record.state === 'removing') {
    throw new VcError(
      'CONTAINER_NOT_RUNNING',
      `container ${record.name} is ${record.state}; only rm works on it`,
    );
  }
  const host = await readHostFacts();
  const image = await resolveImage(ctx.root, record.imageDigest);
  const verification = await verifyStoreImage(image, {
    root: ctx.root,
    env: env.env,
    clock: env.clock,
    mode: modeOfDecision(record.decision),
  });
  if (verification.result.decision === 'REJECT') return { kind: 'rejected', record, verification };
  const current = record;
  resetRestartState(current);
  const started = await withContainerLock(ctx, record.id, () =>
    startContainer(ctx, current, { layers: image.layers, selinuxEnabled: host.selinuxEnabled }),
  );
  // 05 §4.7: the supervisor runs its healthcheck and restart policy.
  await ensureSupervisorFor(ctx, [started]);
  return { kind: 'started', record: started, alreadyRunning: false };
}

/**
 * `rm` (05 §7): a running container needs `force` (`CONTAINER_RUNNING`); with `force` a missing
 * one is not an error (returns false).
 */
export async function removeByRef(
  ctx: LifecycleContext,
  ref: string,
  opts: { force: boolean; volumes: boolean },
): Promise<boolean> {
  let id: string;
  try {
    id = (await findContainer(ctx, ref, { superviseAfter: false })).id;
  } catch (err) {
    if (opts.force && err instanceof VcError && err.code === 'CONTAINER_NOT_FOUND') return false;
    throw err;
  }
  await withContainerLock(ctx, id, async () => {
    const record = await ctx.records.read(id);
    if (record === undefined) return;
    await removeContainer(ctx, record, {
      force: opts.force,
      volumes: opts.volumes,
      volumePort: volumePortFor(ctx),
    });
  });
  return true;
}

/** `POST /v1/containers/{ref}/kill?signal=` : the signal to the container's init process. */
export async function killByRef(
  ctx: LifecycleContext,
  ref: string,
  signal: string,
): Promise<ContainerRecord> {
  if (!/^(SIG)?[A-Z0-9+-]+$|^\d+$/.test(signal)) {
    throw new VcError('USAGE', `invalid signal ${JSON.stringify(signal)}`);
  }
  const record = await findContainer(ctx, ref);
  if (record.state !== 'running') {
    throw new VcError('CONTAINER_NOT_RUNNING', `container ${record.name} is not running`);
  }
  await ctx.engine.kill(record.id, signal);
  return record;
}

/** `wait`: the exit status once the container has exited (null: the status was lost). */
export async function waitByRef(
  ctx: LifecycleContext,
  ref: string,
  signal?: AbortSignal,
): Promise<number | null> {
  let record = await findContainer(ctx, ref);
  while (record.state === 'running' || record.state === 'restarting') {
    const exit = await ctx.engine.waitForExit(record.id, signal !== undefined ? { signal } : {});
    if (exit === undefined) {
      throw new VcError('TIMEOUT', `stopped waiting for container ${record.name}`);
    }
    record = await findContainer(ctx, record.id);
  }
  if (record.state !== 'exited') {
    throw new VcError('CONTAINER_NOT_RUNNING', `container ${record.name} is ${record.state}`);
  }
  return record.exitCode ?? null;
}

/** What `exec` runs (05 §7): the command, variables, and `-u`/`-w` overrides. */
export interface ExecRequest {
  readonly command: readonly string[];
  readonly env: Iterable<readonly [string, string]>;
  readonly user?: string;
  readonly workdir?: string;
  readonly timeoutMs?: number;
  readonly maxOutputBytes?: number;
}

/**
 * `runc exec` with the container's profile (05 §7); `user`, `env`, `workdir` override. The
 * session is recorded for `check`.
 */
export async function execInContainer(
  ctx: LifecycleContext,
  record: ContainerRecord,
  request: ExecRequest,
) {
  if (record.state !== 'running') {
    throw new VcError('CONTAINER_NOT_RUNNING', `container ${record.name} is not running`);
  }
  const paths = containerPaths(ctx.root, record.id);
  const spec = JSON.parse(await readFile(paths.config, 'utf8')) as OciSpec;
  const env = new Map<string, string>();
  for (const entry of spec.process.env ?? []) {
    const eq = entry.indexOf('=');
    env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (const [k, v] of request.env) env.set(k, v);
  let user = spec.process.user;
  if (request.user !== undefined) {
    const [passwd, group] = await Promise.all([
      readRootfsText(paths.rootfs, '/etc/passwd'),
      readRootfsText(paths.rootfs, '/etc/group'),
    ]);
    const resolved = resolveUser(request.user, {
      ...(passwd !== undefined ? { passwd } : {}),
      ...(group !== undefined ? { group } : {}),
    });
    user = { uid: resolved.uid, gid: resolved.gid, additionalGids: resolved.additionalGids };
  }
  // 05 §7: the session is recorded for `check` (its processes are expected ones).
  const endSession = await recordExecSession(paths.dir, request.command);
  return ctx.engine
    .exec(
      record.id,
      {
        ...spec.process,
        args: [...request.command],
        env: [...env].map(([k, v]) => `${k}=${v}`),
        cwd:
          request.workdir !== undefined
            ? normalizeContainerPath(request.workdir, '-w')
            : spec.process.cwd,
        user,
      },
      {
        ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
        ...(request.maxOutputBytes !== undefined ? { maxOutputBytes: request.maxOutputBytes } : {}),
      },
    )
    .finally(endSession);
}
