// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { alignColumns } from '../image-load/format-images.js';
import type { NetworkRecord } from './network-record.js';

/** A network as `ls --format json` and `inspect` show it: the record plus its container count. */
export function networkJson(record: NetworkRecord, containers: readonly string[]) {
  return { ...record, containers: [...containers] };
}

/** `network ls --format json` and `GET /v1/networks`: each network with its leases' holders. */
export function networkListJson(networks: readonly NetworkRecord[]) {
  return networks.map((n) => networkJson(n, Object.values(n.leases)));
}

/**
 * `network ls` (05 §10.3): `table` (`NAME  SUBNET  GATEWAY  INTERNAL  CONTAINERS`, the count of
 * leases, i.e. running containers), `json` (one array) or `quiet` (names). Pure.
 */
export function formatNetworks(
  networks: readonly NetworkRecord[],
  opts: { readonly format?: string; readonly quiet?: boolean } = {},
): string {
  if (opts.quiet === true) return networks.map((n) => `${n.name}\n`).join('');
  const format = opts.format ?? 'table';
  if (format === 'json') {
    return `${JSON.stringify(networkListJson(networks))}\n`;
  }
  if (format !== 'table') {
    throw new VcError('USAGE', `invalid --format ${JSON.stringify(format)}`, {
      hint: 'table or json',
    });
  }
  return alignColumns([
    ['NAME', 'SUBNET', 'GATEWAY', 'INTERNAL', 'CONTAINERS'],
    ...networks.map((n) => [
      n.name,
      n.subnet,
      n.gateway,
      n.internal ? 'true' : 'false',
      String(Object.keys(n.leases).length),
    ]),
  ]);
}
