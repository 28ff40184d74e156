// SPDX-License-Identifier: Apache-2.0
// The DNS forwarder of 05 §4.6: UDP and TCP port 53 on each non-internal gateway; A queries for
// the querier's peers are answered here (whatever the image's nsswitch order), AAAA for them with
// no data, everything else is forwarded to the host's resolvers.
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { access, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import type { Logger } from '@verified-container/shared';
import { isProcessAlive } from '../engine/host-process.js';
import { learnEgressAddresses } from '../firewall/dns-learn.js';
import { ContainerRecords } from '../store/container-records.js';
import { acquireLock, type HeldLock } from '../store/locks.js';
import { vordrPaths } from '../store/vordr-paths.js';
import type { NetworkAttachment } from './container-network.js';
import {
  buildAnswer,
  buildServfail,
  parseQuery,
  resolvConfServers,
  type DnsQuestion,
} from './dns-message.js';
import { listNetworks } from './network-store.js';

/** Names a querier may resolve here → their addresses; undefined: not a container of the store. */
export type PeerLookup = (querierIp: string) => Promise<ReadonlyMap<string, string[]> | undefined>;

export interface DnsForwarderOptions {
  readonly peersOf: PeerLookup;
  readonly upstreams: readonly string[];
  readonly upstreamPort?: number;
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  /** Sees each forwarded reply before it is sent (the firewall adds egress addresses, 05 §4.6). */
  readonly onAnswer?: (querierIp: string, name: string, reply: Uint8Array) => Promise<void>;
}

interface Listener {
  readonly udp: Socket;
  readonly tcp: Server;
}

/** One forwarder with a set of listening addresses. */
export class DnsForwarder {
  private readonly listeners = new Map<string, Listener>();

  constructor(private readonly opts: DnsForwarderOptions) {}

  bound(): string[] {
    return [...this.listeners.keys()];
  }

  /** Listens on `address:port` (UDP and TCP). */
  async bind(address: string, port = 53): Promise<void> {
    if (this.listeners.has(address)) return;
    const udp = createSocket('udp4');
    udp.on('message', (msg, rinfo) => {
      void this.handle(msg, rinfo.address).then(
        (reply) => {
          if (reply !== undefined) udp.send(reply, rinfo.port, rinfo.address);
        },
        () => undefined,
      );
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address, port }, () => {
        udp.off('error', reject);
        udp.on('error', () => undefined);
        resolve();
      });
    });
    const tcp = createServer((conn) => {
      let buffered = Buffer.alloc(0);
      conn.on('error', () => undefined);
      conn.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const msg = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
          buffered = buffered.subarray(2 + msg.length);
          void this.handle(msg, conn.remoteAddress?.replace(/^::ffff:/, '') ?? '').then(
            (reply) => {
              if (reply === undefined) return;
              const len = Buffer.alloc(2);
              len.writeUInt16BE(reply.length);
              conn.write(Buffer.concat([len, reply]));
            },
            () => undefined,
          );
        }
      });
    });
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port }, () => resolve());
      });
    } catch (err) {
      udp.close();
      throw err;
    }
    this.listeners.set(address, { udp, tcp });
  }

  async unbind(address: string): Promise<void> {
    const listener = this.listeners.get(address);
    if (listener === undefined) return;
    this.listeners.delete(address);
    listener.udp.close();
    await new Promise<void>((resolve) => listener.tcp.close(() => resolve()));
  }

  async close(): Promise<void> {
    for (const address of this.bound()) await this.unbind(address);
  }

  /** The reply to one message from `from`; undefined to stay silent (not a query). */
  async handle(msg: Uint8Array, from: string): Promise<Uint8Array | undefined> {
    const q = parseQuery(msg);
    if (q === undefined) return undefined;
    const peers = await this.opts.peersOf(from).catch(() => undefined);
    const local = peers?.get(q.name);
    if (local !== undefined) return buildAnswer(q, local);
    const reply = await this.forward(msg, q);
    // A failing listener must not cost the answer (or, unhandled, the forwarder process).
    await this.opts
      .onAnswer?.(from, q.name, reply)
      .catch((err: unknown) =>
        this.opts.logger?.warn({ err, name: q.name }, 'could not learn egress addresses'),
      );
    return reply;
  }

  private async forward(msg: Uint8Array, q: DnsQuestion): Promise<Uint8Array> {
    for (const server of this.opts.upstreams) {
      const reply = await askUpstream(
        msg,
        server,
        this.opts.upstreamPort ?? 53,
        this.opts.timeoutMs ?? 2000,
      ).catch(() => undefined);
      if (reply !== undefined && reply.length >= 2 && reply.readUInt16BE(0) === q.id) return reply;
    }
    this.opts.logger?.debug({ name: q.name }, 'no upstream answered');
    return buildServfail(q);
  }
}

function askUpstream(
  msg: Uint8Array,
  server: string,
  port: number,
  timeoutMs: number,
): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (reply: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('message', (reply) => done(reply));
    socket.send(msg, port, server);
  });
}

/**
 * The peers of a store's containers: for the container holding `querierIp`, every container
 * holding a lease on a network it shares, by name, hostname (its own) and aliases.
 */
export function storePeerLookup(root: string): PeerLookup {
  return async (querierIp) => {
    const networks = await listNetworks(root);
    const querier = networks.map((n) => n.leases[querierIp]).find((id) => id !== undefined);
    if (querier === undefined) return undefined;
    const records = new ContainerRecords<{
      id: string;
      name: string;
      hostname?: string;
      networkAttachments?: NetworkAttachment[];
    }>(root);
    const names = new Map<string, string[]>();
    const add = (name: string, ip: string) => {
      const key = name.toLowerCase();
      const list = names.get(key) ?? [];
      if (!list.includes(ip)) names.set(key, [...list, ip]);
    };
    for (const network of networks) {
      if (!Object.values(network.leases).includes(querier)) continue;
      for (const [ip, holder] of Object.entries(network.leases)) {
        const record = await records.read(holder).catch(() => undefined);
        if (record === undefined) continue;
        const attachment = record.networkAttachments?.find((a) => a.network === network.name);
        add(record.name, ip);
        if (holder === querier && record.hostname !== undefined) add(record.hostname, ip);
        for (const alias of attachment?.aliases ?? []) add(alias, ip);
      }
    }
    return names;
  };
}

/** How long the forwarder stays without any non-internal lease before it exits (05 §1: 60 s). */
export const DNS_IDLE_EXIT_MS = 60_000;
const RESCAN_MS = 1000;

/**
 * The forwarder process of a store (`vordr internal dns-forwarder`): one per store (the store
 * lock `dns-forwarder`, held for its lifetime, turns a second one away at once). Every second it
 * listens on the gateways of the non-internal networks that have leases; it exits when none has
 * had one for {@link DNS_IDLE_EXIT_MS}, or when the store is gone.
 */
export async function runStoreDnsForwarder(
  root: string,
  opts: {
    readonly logger?: Logger;
    readonly idleExitMs?: number;
    readonly signal?: AbortSignal;
  } = {},
): Promise<void> {
  let lock: HeldLock;
  try {
    lock = await acquireLock(root, 'dns-forwarder', { timeoutMs: 0 });
  } catch {
    return; // another forwarder serves this store
  }
  const text = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  const forwarder = new DnsForwarder({
    peersOf: storePeerLookup(root),
    upstreams: resolvConfServers(text),
    ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    onAnswer: (ip, name, reply) => learnEgressAddresses(root, ip, name, reply),
  });
  let idleSince = Date.now();
  try {
    while (opts.signal?.aborted !== true) {
      const storeThere = await access(vordrPaths(root).vordr).then(
        () => true,
        () => false,
      );
      if (!storeThere) break;
      const wanted = new Set(
        (await listNetworks(root).catch(() => []))
          .filter((n) => !n.internal && Object.keys(n.leases).length > 0)
          .map((n) => n.gateway),
      );
      for (const address of forwarder.bound()) {
        if (!wanted.has(address)) await forwarder.unbind(address);
      }
      for (const address of wanted) {
        await forwarder.bind(address).catch((err: unknown) => {
          opts.logger?.debug({ err, address }, 'cannot listen yet');
        });
      }
      if (wanted.size > 0) idleSince = Date.now();
      else if (Date.now() - idleSince >= (opts.idleExitMs ?? DNS_IDLE_EXIT_MS)) break;
      await new Promise((resolve) => setTimeout(resolve, RESCAN_MS));
    }
  } finally {
    await forwarder.close();
    await lock.release();
  }
}

/**
 * Starts the store's forwarder in the background unless one runs (its lock's owner lives):
 * `command` is vordr itself (`… --root <root> internal dns-forwarder`).
 */
export async function ensureDnsForwarder(root: string, command: readonly string[]): Promise<void> {
  const owner = await readFile(`${vordrPaths(root).locks}/dns-forwarder/owner.json`, 'utf8')
    .then((text) => JSON.parse(text) as { pid?: number })
    .catch(() => undefined);
  if (typeof owner?.pid === 'number' && (await isProcessAlive(owner.pid))) return;
  const [bin, ...args] = command;
  const child = spawn(bin!, [...args, '--root', root, 'internal', 'dns-forwarder'], {
    detached: true,
    stdio: 'ignore',
  });
  child.on('error', () => undefined);
  child.unref();
}
