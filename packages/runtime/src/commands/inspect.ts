// SPDX-License-Identifier: Apache-2.0
import { Option, type Command } from 'commander';
import { VcError } from '@verified-container/shared';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { statusText } from '../container/index.js';
import { containerPaths } from '../store/index.js';
import { contextFor, findContainer } from './support.js';

interface InspectFlags {
  type?: 'container' | 'image' | 'volume' | 'network';
}

export function makeInspectCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('inspect', 'show containers as JSON')
    .argument('<ref...>', 'container names, ids or id prefixes')
    .addOption(
      new Option('--type <type>', 'container (default), image, volume or network').choices([
        'container',
        'image',
        'volume',
        'network',
      ]),
    )
    .action(
      action<[string[]], InspectFlags>(box, async ([refs], flags) => {
        if (flags.type !== undefined && flags.type !== 'container') {
          throw new VcError('UNSUPPORTED', `inspect --type ${flags.type} is not available here`, {
            hint: `use vordr ${flags.type} inspect`,
          });
        }
        const ctx = contextFor(deps, flags);
        const nowMs = deps.clock.now().getTime();
        const out = [];
        for (const ref of refs) {
          const record = await findContainer(ctx, ref);
          const paths = containerPaths(ctx.root, record.id);
          out.push({
            ...record,
            status: statusText(record, nowMs),
            restartCount: record.restartCount ?? 0,
            paths: { dir: paths.dir, rootfs: paths.rootfs, config: paths.config, log: paths.log },
            selinux: { enabled: false, label: record.selinuxLabel, applied: false },
          });
        }
        return { exitCode: 0, stdout: jsonLine(out) };
      }),
    );
}
