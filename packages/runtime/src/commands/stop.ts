// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import {
  reconcileRecord,
  settleExit,
  withContainerLock,
  type LifecycleContext,
} from '../container/index.js';
import { contextFor, findContainer, parseSeconds, volumePortFor } from './support.js';

interface StopFlags {
  time?: string;
}

export function makeStopCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand(
    'stop',
    'stop running containers (SIGTERM, then SIGKILL after the grace period)',
  )
    .argument('<container...>', 'names, ids or id prefixes')
    .option('-t, --time <seconds>', "grace period (default the container's, 10)")
    .action(
      action<[string[]], StopFlags>(box, async ([refs], flags) => {
        const ctx = contextFor(deps, flags);
        const grace = flags.time === undefined ? undefined : parseSeconds(flags.time, '-t');
        const out: string[] = [];
        for (const ref of refs) {
          const record = await findContainer(ctx, ref, { superviseAfter: false });
          await stopContainer(ctx, record.id, grace);
          out.push(`${ref}\n`);
        }
        return {
          exitCode: 0,
          stdout: flags.quiet === true ? '' : out.join(''),
        } satisfies CommandResult;
      }),
    );
}

/**
 * Stops a container (05 §7); a stopped one is left as it is (idempotent). The exit is settled
 * here: the record says `exited` when this returns.
 */
export async function stopContainer(
  ctx: LifecycleContext,
  id: string,
  graceSeconds: number | undefined,
): Promise<void> {
  let record = await ctx.records.read(id);
  if (
    record !== undefined &&
    (record.restartPolicy !== undefined || record.state === 'restarting')
  ) {
    const { markStoppedByUser } = await import('../supervisor/user-stop.js');
    record = await markStoppedByUser(ctx, id);
  }
  if (record === undefined || (record.state !== 'running' && record.state !== 'restarting')) return;
  // Not under the lock: the exit command takes it while the container stops.
  const exit = await ctx.engine.stop(id, graceSeconds ?? record.stopTimeout);
  await withContainerLock(ctx, id, async () => {
    const current = await ctx.records.read(id);
    if (current === undefined) return;
    if (current.state === 'running' || current.state === 'restarting') {
      await settleExit(
        ctx,
        current,
        exit.exitCode === null ? { exitCode: null, note: 'exit status lost' } : exit,
      );
    }
    await reconcileRecord(ctx, current, volumePortFor(ctx));
  });
}
