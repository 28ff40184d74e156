// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import {
  action,
  collect,
  newCommand,
  storeRoot,
  type GlobalFlags,
  type ResultBox,
} from '../cli/command-kit.js';
import { withContainerLock, type LifecycleContext } from '../container/index.js';
import type { CliDeps } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import {
  createNetwork,
  formatNetworks,
  getNetwork,
  listNetworks,
  networkJson,
  networkUsers,
  pruneLeases,
  removeNetworks,
} from '../network/index.js';
import { contextFor, listReconciled } from './support.js';
import { parseLabels } from './run-flags.js';

interface CreateFlags {
  internal?: boolean;
  subnet?: string;
  gateway?: string;
  label?: string[];
}
interface LsFlags {
  quiet?: boolean;
  format?: string;
}

/** `vordr network create | ls | rm | inspect` (05 §3, §10.3). */
export function makeNetworkCommand(deps: CliDeps, box: ResultBox): Command {
  const network = newCommand('network', 'manage networks (IPv4 bridges)');
  network.addCommand(
    newCommand('create', 'create a network: reserve its subnet and create its bridge')
      .argument('<name>')
      .option('--internal', 'no address on the bridge, no route out, no NAT')
      .option('--subnet <cidr>', 'IPv4 subnet (default: the first free /24 from 10.89.1.0/24)')
      .option('--gateway <ip>', 'gateway address inside --subnet (default: its .1)')
      .option('--label <k=v>', 'a label (repeatable)', collect)
      .addHelpText(
        'after',
        `
Examples:
  vordr network create web
  vordr network create --internal --subnet 10.89.42.0/24 backend`,
      )
      .action(
        action<[string], CreateFlags>(box, async ([name], flags) => {
          const record = await createNetwork(storeRoot(deps, flags), {
            name,
            ...(flags.internal === true ? { internal: true } : {}),
            ...(flags.subnet !== undefined ? { subnet: flags.subnet } : {}),
            ...(flags.gateway !== undefined ? { gateway: flags.gateway } : {}),
            labels: parseLabels(flags.label),
            now: deps.clock.now(),
          });
          return {
            exitCode: 0,
            stdout: flags.json === true ? jsonLine(networkJson(record, [])) : `${record.name}\n`,
          };
        }),
      ),
  );
  network.addCommand(
    newCommand('ls', 'list networks', ['quiet'])
      .option('-q, --quiet', 'print names only')
      .option('--format <format>', 'table or json')
      .action(
        action<[], LsFlags>(box, async (_args, flags) => {
          const root = storeRoot(deps, flags);
          await reconcileLeases(deps, flags);
          const networks = await listNetworks(root);
          return {
            exitCode: 0,
            stdout: formatNetworks(networks, {
              format: flags.format ?? (flags.json === true ? 'json' : 'table'),
              ...(flags.quiet === true ? { quiet: true } : {}),
            }),
          };
        }),
      ),
  );
  network.addCommand(
    newCommand('rm', 'remove networks (not while a container uses them)')
      .argument('<name...>')
      .action(
        action<[string[]], object>(box, async ([names], flags) => {
          await reconcileLeases(deps, flags);
          const removed = await removeNetworks(storeRoot(deps, flags), names);
          return {
            exitCode: 0,
            stdout:
              flags.json === true ? jsonLine({ removed }) : removed.map((n) => `${n}\n`).join(''),
          };
        }),
      ),
  );
  network.addCommand(
    newCommand('inspect', 'show networks as JSON')
      .argument('<name...>')
      .action(
        action<[string[]], object>(box, async ([names], flags) => {
          const root = storeRoot(deps, flags);
          await reconcileLeases(deps, flags);
          return { exitCode: 0, stdout: jsonLine(await inspectNetworks(root, names)) };
        }),
      ),
  );
  return network;
}

/** `network inspect` and `inspect --type network`: one array of network objects. */
export async function inspectNetworks(root: string, names: readonly string[]) {
  const out = [];
  for (const name of names) {
    const record = await getNetwork(root, name);
    out.push(networkJson(record, await networkUsers(root, name)));
  }
  return out;
}

/**
 * 05 §13 for networks: the containers are reconciled (a settled exit releases its leases), then
 * leases still held by a container that is gone or not running are dropped with its netns.
 */
async function reconcileLeases(deps: CliDeps, flags: GlobalFlags): Promise<void> {
  await reconcileNetworkLeases(contextFor(deps, flags));
}

/** {@link reconcileLeases} on a lifecycle context (the daemon's network routes use it too). */
export async function reconcileNetworkLeases(ctx: LifecycleContext): Promise<void> {
  await listReconciled(ctx);
  await pruneLeases(ctx.root, (id) =>
    withContainerLock(ctx, id, async () => {
      const record = await ctx.records.read(id);
      return record !== undefined && (record.state === 'running' || record.state === 'restarting');
    }),
  );
}
