// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { daemonFor, refPath } from '../client/cli-daemon.js';
import { removeByRef } from '../service/containers.js';
import { contextFor } from './support.js';

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
        const daemon = await daemonFor(deps, flags);
        const opts = { force: flags.force === true, volumes: flags.volumes === true };
        const out: string[] = [];
        for (const ref of refs) {
          let removed: boolean;
          if (daemon !== undefined) {
            const q = `?force=${opts.force ? 1 : 0}&volumes=${opts.volumes ? 1 : 0}`;
            const res = await daemon.call('DELETE', `${refPath(ref)}${q}`);
            removed = res.headers['x-vordr-removed'] !== '0';
          } else {
            removed = await removeByRef(contextFor(deps, flags), ref, opts);
          }
          if (removed) out.push(`${ref}\n`);
        }
        return { exitCode: 0, stdout: flags.quiet === true ? '' : out.join('') };
      }),
    );
}
