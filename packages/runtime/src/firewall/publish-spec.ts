// SPDX-License-Identifier: Apache-2.0
// `-p/--publish [IP:][HOST:]CTR[/tcp|udp]` (05 §3): ranges `A-B:C-D` of equal length, no HOST = a
// free port in 32768–60999, IPv4 only.
import { VcError } from '@verified-container/shared';
import type { Protocol } from './egress-entries.js';
import { isIpv4 } from './ipv4.js';

/** At most this many published ports per container (05 §15). */
export const MAX_PUBLISHED_PORTS = 64;
export const EPHEMERAL_PORTS = { first: 32768, last: 60999 } as const;

/** One published port as asked for; `hostPort` undefined = choose a free one. */
export interface PortRequest {
  /** Undefined or `0.0.0.0`: every local address. */
  readonly hostIp?: string;
  readonly hostPort?: number;
  readonly containerPort: number;
  readonly protocol: Protocol;
}

/** A published port with its host port chosen. */
export interface PublishedPort extends PortRequest {
  readonly hostPort: number;
}

function usage(spec: string, why: string): VcError {
  return new VcError('USAGE', `invalid -p ${spec}: ${why}`, {
    hint: '-p takes [IP:][HOST:]CTR[/tcp|udp], e.g. 8080:80, 127.0.0.1::80 or 8000-8001:80-81/udp',
  });
}

function portRange(text: string, spec: string): [number, number] {
  const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(text);
  if (m === null) throw usage(spec, `${JSON.stringify(text)} is not a port or range`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  for (const p of [a, b]) if (p < 1 || p > 65535) throw usage(spec, `port ${p} outside 1-65535`);
  if (b < a) throw usage(spec, `range ${text} ends before it starts`);
  return [a, b];
}

/** One `-p` value, expanded to one request per port. */
export function parsePublish(spec: string): PortRequest[] {
  const [body = '', protoText, ...extra] = spec.split('/');
  if (extra.length > 0) throw usage(spec, 'more than one "/"');
  let protocol: Protocol = 'tcp';
  if (protoText !== undefined) {
    if (protoText !== 'tcp' && protoText !== 'udp') {
      throw usage(spec, `protocol ${JSON.stringify(protoText)}: expected tcp or udp`);
    }
    protocol = protoText;
  }
  const parts = body.split(':');
  if (parts.length > 3) throw usage(spec, 'IPv6 addresses are not supported');
  const ctrText = parts[parts.length - 1] ?? '';
  const hostText = parts.length >= 2 ? (parts[parts.length - 2] ?? '') : '';
  const ipText = parts.length === 3 ? (parts[0] ?? '') : undefined;
  if (ipText !== undefined && !isIpv4(ipText)) {
    throw usage(spec, `${JSON.stringify(ipText)} is not an IPv4 address`);
  }
  const [c0, c1] = portRange(ctrText, spec);
  const count = c1 - c0 + 1;
  let host: [number, number] | undefined;
  if (hostText !== '') {
    host = portRange(hostText, spec);
    if (host[1] - host[0] + 1 !== count) {
      throw usage(spec, 'host and container ranges differ in length');
    }
  }
  const hostIp = ipText === undefined || ipText === '0.0.0.0' ? undefined : ipText;
  const out: PortRequest[] = [];
  for (let i = 0; i < count; i += 1) {
    out.push({
      ...(hostIp !== undefined ? { hostIp } : {}),
      ...(host !== undefined ? { hostPort: host[0] + i } : {}),
      containerPort: c0 + i,
      protocol,
    });
  }
  return out;
}

/** Every `-p` of a `run`; more than 64 ports, or one host port twice, is `USAGE`/`PORT_IN_USE`. */
export function parsePublishFlags(specs: readonly string[]): PortRequest[] {
  const all = specs.flatMap(parsePublish);
  if (all.length > MAX_PUBLISHED_PORTS) {
    throw new VcError(
      'USAGE',
      `${all.length} published ports: at most ${MAX_PUBLISHED_PORTS} are allowed`,
    );
  }
  const seen = new Set<string>();
  for (const p of all) {
    if (p.hostPort === undefined) continue;
    const key = `${p.protocol}/${p.hostPort}`;
    if (seen.has(key)) {
      throw new VcError('PORT_IN_USE', `host port ${key} is published twice by this command`);
    }
    seen.add(key);
  }
  return all;
}

/** Who holds a host port, or undefined when it is free. */
export type PortHolderProbe = (
  port: number,
  protocol: Protocol,
  hostIp: string | undefined,
) => Promise<string | undefined>;

/**
 * Chooses the host ports: fixed ones must be free (`PORT_IN_USE` naming the holder); the others
 * get the first free port from a start in 32768–60999 (`start` lets tests pin it).
 */
export async function choosePorts(
  requests: readonly PortRequest[],
  holderOf: PortHolderProbe,
  start: number = EPHEMERAL_PORTS.first +
    Math.floor(Math.random() * (EPHEMERAL_PORTS.last - EPHEMERAL_PORTS.first + 1)),
): Promise<PublishedPort[]> {
  const taken = new Set<string>();
  for (const r of requests) {
    if (r.hostPort === undefined) continue;
    const holder = await holderOf(r.hostPort, r.protocol, r.hostIp);
    if (holder !== undefined) {
      throw new VcError(
        'PORT_IN_USE',
        `host port ${r.hostPort}/${r.protocol} is in use by ${holder}`,
        { hint: 'choose another host port, or leave it out (-p CTR) to get a free one' },
      );
    }
    taken.add(`${r.protocol}/${r.hostPort}`);
  }
  const span = EPHEMERAL_PORTS.last - EPHEMERAL_PORTS.first + 1;
  let next = start - EPHEMERAL_PORTS.first;
  const out: PublishedPort[] = [];
  for (const r of requests) {
    if (r.hostPort !== undefined) {
      out.push({ ...r, hostPort: r.hostPort });
      continue;
    }
    let chosen: number | undefined;
    for (let tries = 0; tries < span && chosen === undefined; tries += 1) {
      const port = EPHEMERAL_PORTS.first + (((next % span) + span) % span);
      next += 1;
      if (taken.has(`${r.protocol}/${port}`)) continue;
      if ((await holderOf(port, r.protocol, r.hostIp)) === undefined) chosen = port;
    }
    if (chosen === undefined) {
      throw new VcError('PORT_IN_USE', `no free host port in 32768-60999 for ${r.containerPort}`);
    }
    taken.add(`${r.protocol}/${chosen}`);
    out.push({ ...r, hostPort: chosen });
  }
  return out;
}
