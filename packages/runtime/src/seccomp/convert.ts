// SPDX-License-Identifier: Apache-2.0
// The containers-common seccomp profile (`/usr/share/containers/seccomp.json`, the format podman
// and docker use) → the OCI `linux.seccomp` of one container (05 §4.5): each rule is kept when
// its `includes`/`excludes` (capabilities, architectures, minimum kernel) match the container's
// effective capabilities and x86_64, as containers/common's own conversion does.
import { VcError } from '@verified-container/shared';
import type { OciSeccomp, OciSeccompArg, OciSeccompSyscall } from '../oci-spec/types.js';

/** The native architecture in the profile's Go spelling (`arches`), and its OCI names. */
export const NATIVE_ARCH = 'amd64';
export const X86_64_ARCHITECTURES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];

interface Filter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

interface ContainersRule {
  name?: string;
  names?: string[];
  action: string;
  errnoRet?: number;
  args?: OciSeccompArg[] | null;
  includes?: Filter;
  excludes?: Filter;
}

interface ContainersProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] }[];
  flags?: string[];
  syscalls?: ContainersRule[];
}

export interface SeccompContext {
  /** Effective capabilities (`CAP_*`). */
  readonly capabilities: readonly string[];
  /** Running kernel release (`6.1.0-18-amd64`); undefined: `minKernel` rules are kept. */
  readonly kernelRelease?: string;
}

/** `6.1.0-18-amd64` → [6, 1]; undefined when it does not start with major.minor. */
function kernelVersion(release: string): [number, number] | undefined {
  const m = /^([0-9]+)\.([0-9]+)/.exec(release);
  return m === null ? undefined : [Number(m[1]), Number(m[2])];
}

function kernelAtLeast(release: string | undefined, min: string): boolean {
  const have = release === undefined ? undefined : kernelVersion(release);
  const want = kernelVersion(min);
  if (have === undefined || want === undefined) return true;
  return have[0] > want[0] || (have[0] === want[0] && have[1] >= want[1]);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the shape of a parsed profile; `what` names its source in the error. */
export function assertContainersProfile(
  value: unknown,
  what: string,
): asserts value is ContainersProfile {
  const bad = (why: string) => new VcError('USAGE', `seccomp profile ${what}: ${why}`);
  if (!isObject(value)) throw bad('not a JSON object');
  if (typeof value['defaultAction'] !== 'string') throw bad('defaultAction is missing');
  const syscalls = value['syscalls'];
  if (syscalls !== undefined && syscalls !== null) {
    if (!Array.isArray(syscalls)) throw bad('syscalls is not an array');
    syscalls.forEach((rule: unknown, i) => {
      if (!isObject(rule) || typeof rule['action'] !== 'string') {
        throw bad(`syscalls[${i}] has no action`);
      }
      if (rule['names'] !== undefined && !Array.isArray(rule['names'])) {
        throw bad(`syscalls[${i}].names is not an array`);
      }
    });
  }
}

function matches(rule: ContainersRule, ctx: SeccompContext): boolean {
  const inc = rule.includes ?? {};
  const exc = rule.excludes ?? {};
  const caps = new Set(ctx.capabilities);
  if (inc.caps !== undefined && !inc.caps.every((c) => caps.has(c))) return false;
  if (inc.arches !== undefined && inc.arches.length > 0 && !inc.arches.includes(NATIVE_ARCH)) {
    return false;
  }
  if (inc.minKernel !== undefined && !kernelAtLeast(ctx.kernelRelease, inc.minKernel)) return false;
  if (exc.caps !== undefined && exc.caps.some((c) => caps.has(c))) return false;
  if (exc.arches !== undefined && exc.arches.includes(NATIVE_ARCH)) return false;
  if (
    exc.minKernel !== undefined &&
    ctx.kernelRelease !== undefined &&
    kernelAtLeast(ctx.kernelRelease, exc.minKernel)
  ) {
    return false;
  }
  return true;
}

/**
 * Converts a parsed containers-format profile for one container. The result allows x86_64 with
 * its 32-bit sub-architectures; rules for other architectures or capabilities are dropped, and
 * fields OCI does not know (`comment`, `errno`, `archMap`) are left out.
 */
export function convertSeccompProfile(
  profile: unknown,
  ctx: SeccompContext,
  what = 'profile',
): OciSeccomp {
  assertContainersProfile(profile, what);
  const syscalls: OciSeccompSyscall[] = [];
  for (const rule of profile.syscalls ?? []) {
    if (!matches(rule, ctx)) continue;
    const names = rule.names ?? (rule.name !== undefined ? [rule.name] : []);
    if (names.length === 0) continue;
    const args = (rule.args ?? []).map((a) => ({
      index: a.index,
      value: a.value,
      ...(a.valueTwo !== undefined ? { valueTwo: a.valueTwo } : {}),
      op: a.op,
    }));
    syscalls.push({
      names: [...names],
      action: rule.action,
      ...(rule.errnoRet !== undefined ? { errnoRet: rule.errnoRet } : {}),
      ...(args.length > 0 ? { args } : {}),
    });
  }
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet !== undefined ? { defaultErrnoRet: profile.defaultErrnoRet } : {}),
    architectures:
      profile.architectures !== undefined && profile.architectures.length > 0
        ? [...profile.architectures]
        : [...X86_64_ARCHITECTURES],
    ...(profile.flags !== undefined && profile.flags.length > 0
      ? { flags: [...profile.flags] }
      : {}),
    syscalls,
  };
}
