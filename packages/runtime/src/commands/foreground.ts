// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import {
  removeContainer,
  settleExit,
  withContainerLock,
  type ContainerRecord,
  type LifecycleContext,
} from '../container/index.js';
import { followLogFile } from '../logs/index.js';
import { containerPaths } from '../store/index.js';
import { volumePortFor } from './support.js';

/**
 * The foreground half of `run` (05 §4.7): prints the container's log as it grows (stdout lines
 * to stdout, stderr lines to stderr), forwards SIGINT/SIGTERM/SIGHUP to it, and once conmon's exit
 * file appears settles the exit (and `--rm` removes the container). Exits with its status.
 */
export async function followForeground(
  ctx: LifecycleContext,
  deps: CliDeps,
  record: ContainerRecord,
): Promise<CommandResult> {
  const { engine } = ctx;
  const forward = (signal: string): void => {
    engine.kill(record.id, signal).catch((err: unknown) => {
      ctx.logger.debug({ err, signal }, 'could not forward a signal');
    });
  };
  const unsubscribe = deps.onSignal?.(forward);
  try {
    // Waited for while the log is followed: the podman engine writes the exit file the follow
    // ends on when `podman wait` returns (conmon writes runc's).
    const exited = engine.waitForExit(record.id, {
      ...(deps.signal !== undefined ? { signal: deps.signal } : {}),
    });
    exited.catch(() => undefined); // awaited below; not an unhandled rejection if following fails
    for await (const entry of followLogFile(containerPaths(ctx.root, record.id).log, {
      exitFile: engine.exitFile(record.id),
      ...(deps.signal !== undefined ? { signal: deps.signal } : {}),
    })) {
      (entry.stream === 'stderr' ? deps.stderr : deps.stdout).write(`${entry.line}\n`);
    }
    const exit = await exited;
    if (exit === undefined) {
      // Aborted (tests): the container keeps running detached.
      await withContainerLock(ctx, record.id, async () => {
        const current = await ctx.records.read(record.id);
        if (current === undefined) return;
        delete current.attachedBy;
        await ctx.records.write(current);
      });
      return { exitCode: 0 };
    }
    const conmonPid = await engine.conmonPid(record.id);
    const exitCode = await withContainerLock(ctx, record.id, async () => {
      const current = await ctx.records.read(record.id);
      // Removed meanwhile (`rm -f` from another vordr): nothing left to settle.
      if (current === undefined) return exit.exitCode;
      // Settled already (`stop` from another vordr): its status stands.
      const code = current.state === 'exited' ? (current.exitCode ?? null) : exit.exitCode;
      // `attachedBy` stays until the end, so conmon's exit command leaves the container to us
      // (and we need not wait for it in between).
      if (current.autoRemove) {
        await removeContainer(ctx, current, {
          force: true,
          volumes: false,
          volumePort: volumePortFor(ctx),
          awaitMonitor: false,
          markRemoving: false,
          exited: true,
        });
      } else {
        await settleExit(
          ctx,
          current,
          code === null ? { exitCode: null, note: 'exit status lost' } : { exitCode: code },
          { awaitMonitor: false },
        );
        delete current.attachedBy;
        await ctx.records.write(current);
      }
      return code;
    });
    // conmon leaves once its exit command returned; nothing of the container outlives `run`.
    if (conmonPid !== undefined) await engine.waitForMonitorGone(record.id, conmonPid);
    if (exitCode === null) {
      throw new VcError('RUNTIME_ERROR', `the exit status of container ${record.name} was lost`);
    }
    return { exitCode };
  } catch (err) {
    if (err instanceof VcError) throw err;
    throw new VcError('RUNTIME_ERROR', `following container ${record.name} failed`, { cause: err });
  } finally {
    unsubscribe?.();
  }
}
