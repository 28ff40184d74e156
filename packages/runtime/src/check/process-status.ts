// SPDX-License-Identifier: Apache-2.0
// The fields of `/proc/<pid>/status` that `vordr check` measures (05 §8).

/** The capability sets of a process, as 64-bit masks. */
export interface CapabilitySets {
  readonly CapInh: bigint;
  readonly CapPrm: bigint;
  readonly CapEff: bigint;
  readonly CapBnd: bigint;
  readonly CapAmb: bigint;
}

export const CAPABILITY_SET_NAMES = ['CapBnd', 'CapEff', 'CapPrm', 'CapInh', 'CapAmb'] as const;

/** What one process's status says about its confinement and its place in the tree. */
export interface ProcessStatus {
  readonly name: string;
  /** `R`, `S`, `Z`, … */
  readonly state: string;
  readonly ppid: number;
  readonly caps: CapabilitySets;
  readonly noNewPrivs: number;
  readonly seccomp: number;
}

/**
 * Parses `/proc/<pid>/status`; undefined when a field `check` needs is missing or malformed (a
 * kernel without `NoNewPrivs`/`Seccomp` lines, or not a status file at all).
 */
export function parseProcessStatus(text: string): ProcessStatus | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const caps: Partial<Record<(typeof CAPABILITY_SET_NAMES)[number], bigint>> = {};
  for (const set of CAPABILITY_SET_NAMES) {
    const hex = fields.get(set);
    if (hex === undefined || !/^[0-9a-fA-F]{1,16}$/.test(hex)) return undefined;
    caps[set] = BigInt(`0x${hex}`);
  }
  const ppid = integerField(fields.get('PPid'));
  const noNewPrivs = integerField(fields.get('NoNewPrivs'));
  const seccomp = integerField(fields.get('Seccomp'));
  if (ppid === undefined || noNewPrivs === undefined || seccomp === undefined) return undefined;
  return {
    name: fields.get('Name') ?? '',
    state: (fields.get('State') ?? '?').charAt(0),
    ppid,
    caps: caps as CapabilitySets,
    noNewPrivs,
    seccomp,
  };
}

function integerField(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}
