// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { VcError } from '@verified-container/shared';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { removeContainer, withContainerLock } from '../container/index.js';
import { contextFor, findContainer, volumePortFor } from './support.js';

interface RmFlags {
  force?: boolean;
  volumes?: boolean;
}

export function makeRmCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('rm', 'remove containers')
    .argument('<container...>', 'names, ids or id prefixes')
    .option('-f, --force', 'kill a running container first; a missing one is not an error')
    .option('-v, --volumes', 'also remove its persistent anonymous volumes')
    .action(
      action<[string[]], RmFlags>(box, async ([refs], flags) => {
        const ctx = contextFor(deps, flags);
        const out: string[] = [];
        for (const ref of refs) {
          let id: string;
          try {
            id = (await findContainer(ctx, ref, { superviseAfter: false })).id;
          } catch (err) {
            if (
              flags.force === true &&
              err instanceof VcError &&
              err.code === 'CONTAINER_NOT_FOUND'
            )
              continue;
            throw err;
          }
          await withContainerLock(ctx, id, async () => {
            const record = await ctx.records.read(id);
            if (record === undefined) return;
            await removeContainer(ctx, record, {
              force: flags.force === true,
              volumes: flags.volumes === true,
              volumePort: volumePortFor(ctx),
            });
          });
          out.push(`${ref}\n`);
        }
        return { exitCode: 0, stdout: flags.quiet === true ? '' : out.join('') };
      }),
    );
}
