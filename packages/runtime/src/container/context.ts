// SPDX-License-Identifier: Apache-2.0
import { join } from 'node:path';
import type { Clock, Logger } from '@verified-container/shared';
import {
  BackendEngine,
  ConmonRuncEngine,
  PodmanEngine,
  backendOfRuntime,
  type Backend,
} from '../engine/index.js';
import { ContainerRecords, vordrPaths, withLock } from '../store/index.js';
import type { ContainerRecord } from './record.js';

/** What the lifecycle operations share: the store, the engine and the host's clock and log. */
export interface LifecycleContext {
  readonly root: string;
  /** Each call goes to the engine of the container's own backend (its record's `backend`). */
  readonly engine: BackendEngine;
  /** The backend of containers created now (`--runtime`, `VORDR_RUNTIME`). */
  readonly backend: Backend;
  readonly records: ContainerRecords<ContainerRecord>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** How conmon's exit command invokes vordr (`internal cleanup <id>` is appended). */
  readonly selfCommand?: readonly string[];
  /** A lighter entry point for the exit command, taking the same arguments (preferred). */
  readonly exitHookCommand?: readonly string[];
  /** Who acts, for the events this context writes (05 §12): `X-Vordr-Actor`, else `cli:<uid>`. */
  readonly actor?: string;
}

export interface LifecycleContextInput {
  readonly root: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--runtime`: `runc` (default), `podman`, or a path to runc or podman. */
  readonly runtime?: string;
  readonly selfCommand?: readonly string[];
  readonly exitHookCommand?: readonly string[];
  readonly actor?: string;
}

export function lifecycleContext(input: LifecycleContextInput): LifecycleContext {
  const { backend, binary } = backendOfRuntime(input.runtime);
  const paths = vordrPaths(input.root);
  const records = new ContainerRecords<ContainerRecord>(input.root);
  const engine = new BackendEngine({
    backend,
    create: (which) =>
      which === 'podman'
        ? new PodmanEngine({
            podmanDir: join(paths.vordr, 'podman'),
            runDir: paths.run,
            env: input.env,
            ...(backend === 'podman' && binary !== undefined ? { podman: binary } : {}),
          })
        : new ConmonRuncEngine({
            runDir: paths.run,
            ...(backend === 'runc' && binary !== undefined ? { runc: binary } : {}),
          }),
    // Records written before backends existed are runc's.
    backendOf: async (id) => {
      const record = await records.read(id);
      return record === undefined ? undefined : (record.backend ?? 'runc');
    },
  });
  return {
    root: input.root,
    engine,
    backend,
    records,
    clock: input.clock,
    logger: input.logger,
    env: input.env,
    ...(input.selfCommand !== undefined ? { selfCommand: input.selfCommand } : {}),
    ...(input.exitHookCommand !== undefined ? { exitHookCommand: input.exitHookCommand } : {}),
    ...(input.actor !== undefined ? { actor: input.actor } : {}),
  };
}

/** Runs `fn` holding the container's lock `ctr-<id>` (00 §4.2). */
export function withContainerLock<T>(
  ctx: LifecycleContext,
  id: string,
  fn: () => Promise<T>,
): Promise<T> {
  return withLock(ctx.root, `ctr-${id}`, fn);
}

/**
 * A POSIX sh prelude for the exit command: `sh -c PRELUDE vordr-exit <pid> <start time> CMD…`
 * ends at once while the process `<pid>` with that start time (field 22 of /proc/<pid>/stat)
 * lives, and otherwise runs CMD. No fork: `read` and the field split are shell builtins.
 */
const UNLESS_ATTACHED_SH =
  'alive() { [ "$1" != Z ] && [ "$1" != X ] && [ "${20}" = "$START" ]; }; ' +
  'PID=$1 START=$2; shift 2; ' +
  'if IFS= read -r s 2>/dev/null <"/proc/$PID/stat" && alive ${s##*) }; then exit 0; fi; ' +
  'exec "$@"';

/**
 * conmon's exit command for a container: `<vordr> --root <root> internal cleanup <id>`, through
 * the exit hook entry point when there is one. With `attachedBy` (a foreground `run` that settles
 * the exit itself before it ends) the command is wrapped in /bin/sh so it ends without starting
 * node while that process lives: conmon waits for its exit command, and the foreground for conmon.
 */
export function exitCommand(
  ctx: LifecycleContext,
  id: string,
  attachedBy?: { readonly pid: number; readonly startTime: number | null },
): string[] | undefined {
  const command = ctx.exitHookCommand ?? ctx.selfCommand;
  if (command === undefined) return undefined;
  const cleanup = [...command, '--root', ctx.root, 'internal', 'cleanup', id];
  if (attachedBy === undefined || attachedBy.startTime === null) return cleanup;
  return [
    '/bin/sh',
    '-c',
    UNLESS_ATTACHED_SH,
    'vordr-exit',
    String(attachedBy.pid),
    String(attachedBy.startTime),
    ...cleanup,
  ];
}

/** `containers/<id>/` files besides the record: the ones the spec mounts. */
export function etcFile(dir: string, name: 'hosts' | 'resolv.conf' | 'hostname'): string {
  return join(dir, name);
}
