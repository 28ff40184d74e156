// SPDX-License-Identifier: Apache-2.0
import { Option, type Command } from 'commander';
import { VcError } from '@verified-container/shared';
import { action, newCommand, storeRoot, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { daemonFor, refPath } from '../client/cli-daemon.js';
import { inspectObject } from '../service/containers.js';
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
        if (flags.type === 'network') {
          const { inspectNetworks } = await import('./network.js');
          return {
            exitCode: 0,
            stdout: jsonLine(await inspectNetworks(storeRoot(deps, flags), refs)),
          };
        }
        if (flags.type !== undefined && flags.type !== 'container') {
          throw new VcError('UNSUPPORTED', `inspect --type ${flags.type} is not available here`, {
            hint: `use vordr ${flags.type} inspect`,
          });
        }
        const daemon = await daemonFor(deps, flags);
        const out = [];
        if (daemon !== undefined) {
          for (const ref of refs) out.push(await daemon.json('GET', refPath(ref)));
        } else {
          const ctx = contextFor(deps, flags);
          const nowMs = deps.clock.now().getTime();
          for (const ref of refs) {
            out.push(inspectObject(ctx.root, await findContainer(ctx, ref), nowMs));
          }
        }
        return { exitCode: 0, stdout: jsonLine(out) };
      }),
    );
}
