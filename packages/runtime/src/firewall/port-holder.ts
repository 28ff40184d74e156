// SPDX-License-Identifier: Apache-2.0
// Who holds a host port (05 §4.6 `PORT_IN_USE`): another container's publish (found in the DNAT
// rules of `inet vordr`, host-wide whatever the store), or a host socket (found by a short bind).
import { createSocket } from 'node:dgram';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Protocol } from './egress-entries.js';
import { HOST_TABLE, parseNftListing, publishedPorts } from './host-tables.js';
import { listNftJson } from './nft-cli.js';
import type { PortHolderProbe } from './publish-spec.js';

/** Tries to bind the port for a moment; resolves the errno code, or undefined when it was free. */
export function tryBind(
  port: number,
  protocol: Protocol,
  hostIp: string | undefined,
): Promise<string | undefined> {
  const host = hostIp ?? '0.0.0.0';
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const socket = createSocket('udp4');
      socket.once('error', (err: NodeJS.ErrnoException) => {
        socket.close();
        resolve(err.code ?? 'error');
      });
      socket.bind({ port, address: host, exclusive: true }, () =>
        socket.close(() => resolve(undefined)),
      );
      return;
    }
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** The socket inodes bound to `port` in `/proc/net/{tcp,udp}` (listening, for tcp). */
export function boundInodes(table: string, port: number, tcp: boolean): Set<string> {
  const inodes = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const local = f[1];
    if (local === undefined || f[9] === undefined) continue;
    const p = parseInt(local.split(':')[1] ?? '', 16);
    if (p === port && (!tcp || f[3] === '0A')) inodes.add(f[9]);
  }
  return inodes;
}

/** `pid 123 (nginx)` of the first process holding one of the socket inodes, best effort. */
async function socketOwner(inodes: ReadonlySet<string>): Promise<string | undefined> {
  if (inodes.size === 0) return undefined;
  for (const pid of await readdir('/proc').catch(() => [])) {
    if (!/^[0-9]+$/.test(pid)) continue;
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[([0-9]+)\]$/.exec(link);
      if (m !== null && inodes.has(m[1]!)) {
        const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
        return `pid ${pid} (${comm})`;
      }
    }
  }
  return undefined;
}

/** A container holding a port: its name, and its store when that is not the caller's. */
export type PortHolderName = string | { readonly name: string; readonly store?: string };

/**
 * A probe for {@link choosePorts}: `container <name> (<id12>)` when a vordr container publishes the
 * port (`nameOf` turns an id prefix into a name, and a store for another store's container; unknown
 * ones are named by id), else `a host process (pid …)` when a bind fails.
 */
export async function makePortHolderProbe(
  nameOf: (id12: string) => PortHolderName | undefined | Promise<PortHolderName | undefined> = () =>
    undefined,
): Promise<PortHolderProbe> {
  const json = await listNftJson(['table', 'inet', HOST_TABLE]);
  const published = json === undefined ? [] : publishedPorts(parseNftListing(json));
  return async (port, protocol, hostIp) => {
    const owner = published.find((p) => p.port === port && p.protocol === protocol);
    if (owner !== undefined) {
      const known = await nameOf(owner.id12);
      if (known === undefined) return `container ${owner.id12}`;
      const { name, store } = typeof known === 'string' ? { name: known, store: undefined } : known;
      return `container ${name} (${owner.id12})${store === undefined ? '' : ` of the store ${store}`}`;
    }
    const code = await tryBind(port, protocol, hostIp);
    if (code === undefined) return undefined;
    const table = await readFile(`/proc/net/${protocol}`, 'utf8').catch(() => '');
    const pid = await socketOwner(boundInodes(table, port, protocol === 'tcp'));
    return `a host process${pid === undefined ? '' : ` (${pid})`} (${code})`;
  };
}
