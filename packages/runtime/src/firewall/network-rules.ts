// SPDX-License-Identifier: Apache-2.0
// A network's rules in `inet vordr` (05 §4.6): masquerade and forward drops, added when the bridge
// is created and removed with it.
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HOST_TABLE,
  deleteTaggedCommands,
  networkCommands,
  networkTag,
  parseNftListing,
  type BridgeNetwork,
} from './host-tables.js';
import { parseIpv4Cidr } from './ipv4.js';
import { listNftJson, loadNftFile, runNft } from './nft-cli.js';

async function loadTemp(name: string, commands: readonly string[]): Promise<void> {
  if (commands.length === 0) return;
  const path = join(tmpdir(), `vordr-${name}-${process.pid}-${Date.now()}.nft`);
  try {
    await loadNftFile(path, `${commands.join('\n')}\n`);
  } finally {
    await rm(path, { force: true });
  }
}

/** Adds the network's masquerade and forward rules (replacing earlier ones for the bridge). */
export async function installNetworkRules(net: {
  readonly bridge: string;
  /** `10.89.1.0/24`. */
  readonly subnet: string;
  readonly internal: boolean;
}): Promise<void> {
  const subnet = parseIpv4Cidr(net.subnet);
  if (subnet === undefined) throw new Error(`bad subnet ${JSON.stringify(net.subnet)}`);
  const bridgeNet: BridgeNetwork = { bridge: net.bridge, subnet, internal: net.internal };
  await removeNetworkRules(net.bridge);
  await loadTemp(`net-${net.bridge}`, networkCommands(bridgeNet));
}

/** Removes the bridge's rules and its element of the `bridges` set (idempotent). */
export async function removeNetworkRules(bridge: string): Promise<void> {
  const json = await listNftJson(['table', 'inet', HOST_TABLE]);
  if (json === undefined) return;
  await loadTemp(
    `net-rm-${bridge}`,
    deleteTaggedCommands(parseNftListing(json), networkTag(bridge)),
  );
  try {
    await runNft(['delete', 'element', 'inet', HOST_TABLE, 'bridges', `{ "${bridge}" }`]);
  } catch {
    // not in the set
  }
}
