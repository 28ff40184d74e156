// SPDX-License-Identifier: Apache-2.0
// Capability names and the `--cap-drop` / `--cap-add` arithmetic of 05 §4.3.
import { VcError } from '@verified-container/shared';
import { LINUX_CAPABILITIES, normalizeCapability } from '@verified-container/shared/manifest';

/** A capability name as the OCI spec and runc want it (`CAP_NET_BIND_SERVICE`). */
export type CapabilityName = string;

/**
 * Every capability the kernel knows, in kernel order: the names of Linux 6.x up to
 * `capLastCap` (the value of `/proc/sys/kernel/cap_last_cap`, passed in by the caller).
 */
export function kernelCapabilities(capLastCap: number): CapabilityName[] {
  return LINUX_CAPABILITIES.slice(0, Math.max(0, Math.min(capLastCap, 63)) + 1);
}

/**
 * Normalises capability names (case-insensitive, `CAP_` optional); `ALL` stays `ALL`. Every
 * unknown name is collected into one `UNKNOWN_CAPABILITY` error listing all of them.
 */
export function normalizeCapabilityNames(names: readonly string[], flag: string): CapabilityName[] {
  const unknown: string[] = [];
  const result: CapabilityName[] = [];
  for (const name of names) {
    const normalized = normalizeCapability(name.trim());
    if (normalized === undefined) unknown.push(name);
    else result.push(normalized);
  }
  if (unknown.length > 0) {
    throw new VcError(
      'UNKNOWN_CAPABILITY',
      `unknown capabilit${unknown.length === 1 ? 'y' : 'ies'} in ${flag}: ${unknown.join(', ')}`,
      {
        hint: 'capability names are those of capabilities(7), e.g. NET_BIND_SERVICE or CAP_CHOWN',
        details: { capabilities: unknown },
      },
    );
  }
  return result;
}

export interface CapabilityFlags {
  readonly drop?: readonly string[];
  readonly add?: readonly string[];
}

/**
 * The effective set: `base` − `--cap-drop` (ALL clears it) + `--cap-add` (ALL = every capability
 * up to `capLastCap`), sorted by name. Unknown names in either flag fail together.
 */
export function applyCapabilityFlags(
  base: readonly CapabilityName[],
  flags: CapabilityFlags,
  capLastCap: number,
): CapabilityName[] {
  const unknown: string[] = [];
  const normalize = (names: readonly string[] | undefined, flag: string) => {
    try {
      return normalizeCapabilityNames(names ?? [], flag);
    } catch (err) {
      if (err instanceof VcError && err.code === 'UNKNOWN_CAPABILITY') {
        unknown.push(...(err.details?.['capabilities'] as string[]));
        return [];
      }
      throw err;
    }
  };
  const drop = normalize(flags.drop, '--cap-drop');
  const add = normalize(flags.add, '--cap-add');
  if (unknown.length > 0) normalizeCapabilityNames(unknown, '--cap-drop/--cap-add');

  const known = kernelCapabilities(capLastCap);
  const set = new Set(base);
  for (const cap of drop) {
    if (cap === 'ALL') set.clear();
    else set.delete(cap);
  }
  for (const cap of add) {
    if (cap === 'ALL') for (const k of known) set.add(k);
    else set.add(cap);
  }
  return [...set].sort();
}

/** Bit mask of a capability set, as `/proc/<pid>/status` prints it (`00000000000004c1`). */
export function capabilityMask(caps: readonly CapabilityName[]): string {
  let mask = 0n;
  for (const cap of caps) {
    const bit = (LINUX_CAPABILITIES as readonly string[]).indexOf(cap);
    if (bit >= 0) mask |= 1n << BigInt(bit);
  }
  return mask.toString(16).padStart(16, '0');
}
