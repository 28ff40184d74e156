// SPDX-License-Identifier: Apache-2.0
import { capabilityMask, type CapabilityName } from '../profile/index.js';

/** The confinement fields of `/proc/<pid>/status` that 05 §4.8 line 5 checks. */
export interface ProcessConfinement {
  readonly capBnd: string;
  readonly capEff: string;
  readonly noNewPrivs: number;
  readonly seccomp: number;
}

/** Parses `/proc/<pid>/status`; undefined when a field is missing. */
export function parseProcStatus(text: string): ProcessConfinement | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const capBnd = fields.get('CapBnd');
  const capEff = fields.get('CapEff');
  const nnp = fields.get('NoNewPrivs');
  const seccomp = fields.get('Seccomp');
  if (capBnd === undefined || capEff === undefined || nnp === undefined || seccomp === undefined) {
    return undefined;
  }
  return {
    capBnd: capBnd.toLowerCase(),
    capEff: capEff.toLowerCase(),
    noNewPrivs: Number(nnp),
    seccomp: Number(seccomp),
  };
}

/**
 * What differs between the init process's confinement and the effective profile (empty: all as
 * expected). `seccompExpected` is false for `seccomp=unconfined`.
 */
export function confinementMismatches(
  actual: ProcessConfinement,
  expected: { readonly capabilities: readonly CapabilityName[]; readonly seccomp: boolean },
): string[] {
  const mask = capabilityMask(expected.capabilities);
  const problems: string[] = [];
  if (actual.capBnd !== mask) problems.push(`CapBnd ${actual.capBnd}, expected ${mask}`);
  if (actual.capEff !== mask) problems.push(`CapEff ${actual.capEff}, expected ${mask}`);
  if (actual.noNewPrivs !== 1) problems.push(`NoNewPrivs ${actual.noNewPrivs}, expected 1`);
  const seccomp = expected.seccomp ? 2 : 0;
  if (actual.seccomp !== seccomp) problems.push(`Seccomp ${actual.seccomp}, expected ${seccomp}`);
  return problems;
}

/** The capability names as line 5 lists them: without `CAP_`, comma-separated. */
export function capabilityListText(caps: readonly CapabilityName[]): string {
  return caps.length === 0 ? 'none' : caps.map((c) => c.replace(/^CAP_/, '')).join(', ');
}
