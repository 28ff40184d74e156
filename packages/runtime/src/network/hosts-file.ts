// SPDX-License-Identifier: Apache-2.0
// The /etc/hosts and /etc/resolv.conf of a container (05 §4.6). Pure.
import { VcError } from '@verified-container/shared';
import { isIpv4 } from '../firewall/ipv4.js';

/** An `--add-host NAME:IP` entry. */
export interface ExtraHost {
  readonly name: string;
  readonly ip: string;
}

/** A name → address line of a hosts file. */
export interface HostsEntry {
  readonly ip: string;
  readonly names: readonly string[];
}

const HOST_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,251}[a-zA-Z0-9])?$/;

/** `--add-host NAME:IP` (IPv4); USAGE otherwise. */
export function parseAddHost(text: string): ExtraHost {
  const colon = text.indexOf(':');
  const name = colon < 0 ? '' : text.slice(0, colon);
  const ip = colon < 0 ? '' : text.slice(colon + 1);
  if (!HOST_NAME.test(name) || !isIpv4(ip)) {
    throw new VcError('USAGE', `invalid --add-host ${JSON.stringify(text)}`, {
      hint: 'NAME:IP with an IPv4 address, such as db.local:10.89.0.5',
    });
  }
  return { name, ip };
}

/** `--network-alias`: a host name. */
export function assertValidAlias(alias: string): void {
  if (!HOST_NAME.test(alias)) {
    throw new VcError('USAGE', `invalid --network-alias ${JSON.stringify(alias)}`, {
      hint: 'a host name of letters, digits, ".", "-" and "_"',
    });
  }
}

export interface HostsInput {
  readonly hostname: string;
  /** The container's own addresses with its name, hostname and aliases; empty without a network. */
  readonly own: readonly HostsEntry[];
  readonly extraHosts: readonly ExtraHost[];
  /** Running peers on shared networks, in a stable order. */
  readonly peers: readonly HostsEntry[];
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names.filter((n) => n !== ''))];
}

/**
 * The hosts file: localhost lines; own addresses (or `127.0.1.1 <hostname>` without any);
 * `--add-host` lines; each peer address with its names. A peer address seen twice is listed once.
 */
export function renderHosts(input: HostsInput): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  if (input.own.length === 0) lines.push(`127.0.1.1\t${input.hostname}`);
  for (const entry of input.own) lines.push(`${entry.ip}\t${unique(entry.names).join(' ')}`);
  for (const extra of input.extraHosts) lines.push(`${extra.ip}\t${extra.name}`);
  const seen = new Set(input.own.map((e) => e.ip));
  for (const peer of input.peers) {
    if (seen.has(peer.ip)) continue;
    seen.add(peer.ip);
    lines.push(`${peer.ip}\t${unique(peer.names).join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** resolv.conf: the first non-internal gateway as nameserver; none on internal-only containers. */
export function renderResolvConf(nameserver: string | undefined): string {
  return nameserver === undefined
    ? 'options ndots:0\n'
    : `nameserver ${nameserver}\noptions ndots:0\n`;
}
