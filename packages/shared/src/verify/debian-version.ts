// SPDX-License-Identifier: Apache-2.0

/** A Debian version split as Debian Policy §5.6.12 reads it. */
interface ParsedVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

function parse(version: string): ParsedVersion {
  const colon = version.indexOf(':');
  const epochText = colon === -1 ? '' : version.slice(0, colon);
  const rest = colon === -1 ? version : version.slice(colon + 1);
  const dash = rest.lastIndexOf('-');
  return {
    epoch: /^[0-9]+$/.test(epochText) ? Number(epochText) : 0,
    upstream: dash === -1 ? rest : rest.slice(0, dash),
    revision: dash === -1 ? '' : rest.slice(dash + 1),
  };
}

/** dpkg's character order: `~` before everything (even the end), then the end, letters, others. */
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** Compares one upstream or revision part (the alternating non-digit / digit algorithm). */
function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let diff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = i < a.length && !isDigit(a[i]) ? a[i] : undefined;
      const bc = j < b.length && !isDigit(b[j]) ? b[j] : undefined;
      const d = order(ac) - order(bc);
      if (d !== 0) return d;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (diff === 0) diff = (a.charCodeAt(i) - b.charCodeAt(j)) | 0;
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (diff !== 0) return diff;
  }
  return 0;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Compares two Debian versions as Debian Policy §5.6.12 (and `dpkg --compare-versions`) do:
 * negative when `a` is lower, 0 when equal, positive when higher.
 */
export function compareDebianVersions(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (x.epoch !== y.epoch) return x.epoch - y.epoch;
  return comparePart(x.upstream, y.upstream) || comparePart(x.revision, y.revision);
}
