// SPDX-License-Identifier: Apache-2.0
// Egress allowlist entries (05 §4.6): the manifest's `egress-allow` rules and `--egress-allow`
// flags, parsed into one validated list before anything is created.
import { VcError } from '@verified-container/shared';
import type { EgressAllowJson } from '@verified-container/shared/generate';
import { formatCidr, parseIpv4Cidr, type Ipv4Cidr } from './ipv4.js';

export type Protocol = 'tcp' | 'udp';

/** At most this many entries per container (05 §15). */
export const MAX_EGRESS_ENTRIES = 256;

/** One allowed destination; `text` is the entry as written, for messages. */
export type EgressEntry =
  | { kind: 'cidr'; cidr: Ipv4Cidr; port: number; protocol: Protocol; text: string }
  | { kind: 'host'; host: string; port: number; protocol: Protocol; text: string }
  | { kind: 'pattern'; domain: string; port: number; protocol: Protocol; text: string };

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** A DNS name of letters, digits and `-` labels (a trailing dot allowed), at most 253 characters. */
export function isDnsName(name: string): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length === 0 || bare.length > 253) return false;
  const labels = bare.split('.');
  return labels.every((l) => LABEL.test(l)) && !/^[0-9]+$/.test(labels[labels.length - 1] ?? '');
}

function usage(message: string): VcError {
  return new VcError('USAGE', message, {
    hint: '--egress-allow takes HOST:PORT[/tcp|udp], *.DOMAIN:PORT[/tcp|udp], A.B.C.D[/N]:PORT[/tcp|udp] or none',
  });
}

function parsePort(text: string, what: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw usage(`invalid port ${JSON.stringify(text)} in ${what}: expected 1-65535`);
  }
  return Number(text);
}

/** One `--egress-allow` value other than `none`. */
export function parseEgressFlag(spec: string): EgressEntry {
  const what = `--egress-allow ${spec}`;
  const colon = spec.lastIndexOf(':');
  if (colon <= 0) throw usage(`invalid ${what}: expected a port after ":"`);
  const target = spec.slice(0, colon);
  const [portText = '', protoText, ...extra] = spec.slice(colon + 1).split('/');
  if (extra.length > 0) throw usage(`invalid ${what}`);
  const port = parsePort(portText, what);
  let protocol: Protocol = 'tcp';
  if (protoText !== undefined) {
    if (protoText !== 'tcp' && protoText !== 'udp') {
      throw usage(`invalid protocol ${JSON.stringify(protoText)} in ${what}: expected tcp or udp`);
    }
    protocol = protoText;
  }
  return targetEntry(target, port, protocol, spec, what);
}

function targetEntry(
  target: string,
  port: number,
  protocol: Protocol,
  text: string,
  what: string,
): EgressEntry {
  if (target.startsWith('*.')) {
    const domain = target.slice(2);
    if (!isDnsName(domain)) throw usage(`invalid pattern in ${what}: ${domain} is not a DNS name`);
    return { kind: 'pattern', domain: domain.toLowerCase(), port, protocol, text };
  }
  if (/^[0-9./]+$/.test(target)) {
    const cidr = parseIpv4Cidr(target);
    if (cidr === undefined) throw usage(`invalid address in ${what}: ${target}`);
    return { kind: 'cidr', cidr, port, protocol, text };
  }
  if (target.includes(':')) {
    throw usage(`invalid ${what}: IPv6 is not supported (containers have IPv4 only)`);
  }
  if (!isDnsName(target)) throw usage(`invalid host in ${what}: ${target} is not a DNS name`);
  return { kind: 'host', host: target.toLowerCase(), port, protocol, text };
}

/** One manifest rule (01 §2.2); `http`/`https` mean tcp. IPv6 hosts are left out with a warning. */
export function egressEntryFromManifest(rule: EgressAllowJson): EgressEntry | string {
  const protocol: Protocol = rule.protocol === 'udp' ? 'udp' : 'tcp';
  const target =
    rule.host !== undefined
      ? rule.host
      : rule.pattern !== undefined
        ? rule.pattern
        : (rule.cidr ?? '');
  const text = `${target}:${rule.port}/${rule.protocol}`;
  if (target.includes(':')) return `egress entry ${text} skipped: containers have no IPv6`;
  return targetEntry(target, rule.port, protocol, text, `manifest egress-allow ${text}`);
}

/** The effective allowlist: manifest rules, then flags; duplicates dropped; at most 256. */
export function collectEgressEntries(
  manifest: readonly EgressAllowJson[],
  flags: readonly string[],
): { entries: EgressEntry[]; warnings: string[] } {
  const warnings: string[] = [];
  const all: EgressEntry[] = [];
  for (const rule of manifest) {
    const entry = egressEntryFromManifest(rule);
    if (typeof entry === 'string') warnings.push(entry);
    else all.push(entry);
  }
  for (const flag of flags) if (flag !== 'none') all.push(parseEgressFlag(flag));
  const seen = new Set<string>();
  const entries = all.filter((e) => {
    const key = entryKey(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (entries.length > MAX_EGRESS_ENTRIES) {
    throw new VcError(
      'USAGE',
      `${entries.length} egress entries: at most ${MAX_EGRESS_ENTRIES} are allowed`,
      { hint: 'merge addresses into CIDR blocks or patterns' },
    );
  }
  return { entries, warnings };
}

function entryKey(e: EgressEntry): string {
  const target =
    e.kind === 'cidr' ? formatCidr(e.cidr) : e.kind === 'host' ? e.host : `*.${e.domain}`;
  return `${target}:${e.port}/${e.protocol}`;
}

/** Whether a host name matches a pattern entry's domain: at least one more label. */
export function matchesPattern(domain: string, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n.endsWith(`.${domain.replace(/\.$/, '')}`);
}
