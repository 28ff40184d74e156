// SPDX-License-Identifier: Apache-2.0
// Strict IPv4 literals for generated nft rules: nft resolves anything it does not parse as an
// address (environment.md §4), so only values that passed these checks may reach a rule file.

const OCTET = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

/** True for a dotted-quad IPv4 literal without leading zeros (`10.0.0.1`). */
export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => OCTET.test(p));
}

/** The 32-bit value of a literal checked by {@link isIpv4}. */
export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** An IPv4 block in canonical form (host bits cleared). */
export interface Ipv4Cidr {
  readonly address: string;
  readonly prefix: number;
}

/** `A.B.C.D[/N]` (no `/N` = /32); undefined when malformed. Host bits are cleared. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const [address, prefixText, ...rest] = text.split('/');
  if (address === undefined || rest.length > 0 || !isIpv4(address)) return undefined;
  let prefix = 32;
  if (prefixText !== undefined) {
    if (!/^(3[0-2]|[12]?[0-9])$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
  }
  const size = 2 ** (32 - prefix);
  const base = Math.floor(ipv4ToInt(address) / size) * size;
  return { address: intToIpv4(base), prefix };
}

/** `10.0.0.0/8`, or the bare address for a /32. */
export function formatCidr(cidr: Ipv4Cidr): string {
  return cidr.prefix === 32 ? cidr.address : `${cidr.address}/${cidr.prefix}`;
}

export function cidrContains(cidr: Ipv4Cidr, ip: string): boolean {
  const size = 2 ** (32 - cidr.prefix);
  return Math.floor(ipv4ToInt(ip) / size) * size === ipv4ToInt(cidr.address);
}
