// SPDX-License-Identifier: Apache-2.0
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { isContainerId } from '../store/index.js';
import { reconcileRecord, withContainerLock } from '../container/index.js';
import { contextFor, volumePortFor } from './support.js';

/**
 * `vordr internal cleanup <id>` (hidden): conmon's exit command (05 §4.7). Records the exit
 * status, unmounts the rootfs, deletes the runc state and removes an `--rm` container; a
 * foreground `run` that still waits does this itself. Idempotent, silent.
 */
export function makeInternalCommand(deps: CliDeps, box: ResultBox): Command {
  const internal = newCommand('internal', 'commands vordr runs itself');
  internal.addCommand(
    newCommand('cleanup', 'settle the exit of a container (conmon exit command)')
      .argument('<id>', 'full container id')
      .option('--in-process', 'do the work in this process (the detached child)')
      .action(
        action<[string], { inProcess?: boolean }>(box, async ([id], flags) => {
          if (!isContainerId(id)) return { exitCode: 0 };
          const ctx = contextFor(deps, flags);
          if (flags.inProcess !== true && deps.selfCommand !== undefined) {
            // conmon waits for its exit command, and the cleanup waits for conmon to be gone
            // (engine delete): the work happens in a detached child, so conmon can leave.
            const [command, ...args] = deps.selfCommand;
            const child = spawn(
              command!,
              [...args, '--root', ctx.root, 'internal', 'cleanup', '--in-process', id],
              { detached: true, stdio: 'ignore' },
            );
            child.unref();
            return { exitCode: 0 };
          }
          await withContainerLock(ctx, id, async () => {
            const record = await ctx.records.read(id);
            if (record !== undefined) await reconcileRecord(ctx, record, volumePortFor(ctx));
          });
          return { exitCode: 0 };
        }),
      ),
  );
  internal.addCommand(
    newCommand('supervise', "run the store's supervisor (healthchecks, restart policies)").action(
      action<[], object>(box, async (_args, flags) => {
        const ctx = contextFor(deps, flags);
        const { superviseStore } = await import('../supervisor/index.js');
        const abort = new AbortController();
        const unsubscribe = deps.onSignal?.(() => abort.abort());
        try {
          await superviseStore(ctx, { volumePort: volumePortFor(ctx), signal: abort.signal });
        } finally {
          unsubscribe?.();
        }
        return { exitCode: 0 };
      }),
    ),
  );
  return internal;
}
