// SPDX-License-Identifier: Apache-2.0
// The effective profile of 05 §4.3: the signed profile (or the defaults), then the run's flags.
// Flags that weaken the signed profile are allowed and recorded as deviations.
import { VcError } from '@verified-container/shared';
import type {
  EgressAllowJson,
  IngressAllowJson,
  RuntimeProfile,
} from '@verified-container/shared/generate';
import { applyCapabilityFlags, type CapabilityName } from './capabilities.js';
import { computeRlimits, type CallerHardLimits, type Rlimit } from './rlimits.js';
import { assertSelinuxType, parseSecurityOpt } from './security-opt.js';
import type { SignedProfile } from './signed-profile.js';
import { parseSize } from './size.js';
import { normalizeContainerPath, parseTmpfsFlag, type TmpfsSpec } from './tmpfs-flag.js';

/** SELinux process type when the signed profile names none. */
export const DEFAULT_SELINUX_TYPE = 'container_t';
/** `pids.limit` without `--pids-limit`. */
export const DEFAULT_PIDS_LIMIT = 2048;
/** CFS period for `--cpus` (µs). */
export const CPU_PERIOD = 100_000;
/** Smallest `--memory` runc accepts. */
export const MIN_MEMORY = 6 * 1024 * 1024;
/** Writable directories `--read-only-tmpfs` (default true) adds to a read-only root. */
export const READ_ONLY_TMPFS_DIRS = ['/run', '/tmp', '/var/tmp'] as const;

/** The run's flags that shape the profile (05 §3); strings as typed, parsed here. */
export interface ProfileFlags {
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  /** `--read-only[=BOOL]`; undefined = the signed setting. */
  readonly readOnly?: boolean;
  /** `--read-only-tmpfs[=BOOL]`; default true. */
  readonly readOnlyTmpfs?: boolean;
  readonly tmpfs?: readonly string[];
  readonly user?: string;
  readonly workdir?: string;
  readonly securityOpt?: readonly string[];
  readonly selinuxContext?: string;
  readonly memory?: string;
  readonly pidsLimit?: string | number;
  readonly cpus?: string | number;
  readonly ulimit?: readonly string[];
  readonly hostname?: string;
  /** `--egress-allow` specs as typed (`none` = filter with no extra entries). */
  readonly egressAllow?: readonly string[];
}

export interface EffectiveProfileInput {
  readonly signed: SignedProfile;
  /** The image config `User`. */
  readonly imageUser?: string;
  readonly flags: ProfileFlags;
  /** `/proc/sys/kernel/cap_last_cap`. */
  readonly capLastCap: number;
  /** The caller's hard rlimits by type (`RLIMIT_NOFILE` …). */
  readonly callerHardLimits: CallerHardLimits;
}

export type SeccompSetting =
  | { readonly kind: 'default' }
  | { readonly kind: 'unconfined' }
  | { readonly kind: 'custom'; readonly path: string };

export interface EffectiveProfile {
  /** `CAP_*` names, sorted. */
  readonly capabilities: CapabilityName[];
  readonly readonlyRoot: {
    readonly enabled: boolean;
    /** Writable directories over a read-only root (manifest exceptions, `--read-only-tmpfs`). */
    readonly exceptions: string[];
  };
  /** `--tmpfs` mounts. */
  readonly tmpfs: TmpfsSpec[];
  readonly seccomp: SeccompSetting;
  readonly noNewPrivileges: true;
  readonly selinux: {
    readonly disabled: boolean;
    readonly type: string;
    /** `label=level` or the signed categories; undefined: the caller picks a random unique one. */
    readonly level?: string;
  };
  readonly egress: {
    /** Whether a filter is installed (the manifest has entries, or any `--egress-allow`). */
    readonly filter: boolean;
    readonly manifest: EgressAllowJson[];
    /** `--egress-allow` specs (not `none`), parsed by the network code. */
    readonly flags: string[];
  };
  readonly ingressAllow: IngressAllowJson[];
  /** `U[:G]` to resolve in the image: `--user` > image `User` > root (''). */
  readonly user: string;
  /** `-w`, normalised; undefined = the image's `WorkingDir`. */
  readonly workdir?: string;
  readonly hostname?: string;
  readonly resources: {
    /** Bytes. */
    readonly memory?: number;
    /** µs per {@link CPU_PERIOD}. */
    readonly cpuQuota?: number;
    readonly pidsLimit: number;
  };
  readonly rlimits: Rlimit[];
  /** Volumes, ports and healthcheck of the signed runtime label. */
  readonly runtime: RuntimeProfile;
}

/** A setting weaker than the signed profile asks (05 §4.3). */
export interface Deviation {
  readonly setting: string;
  readonly manifest: string;
  readonly effective: string;
}

export interface EffectiveProfileResult {
  readonly profile: EffectiveProfile;
  readonly deviations: Deviation[];
}

const HOSTNAME =
  /^(?=.{1,64}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const INTEGER = /^[0-9]+$/;
const DECIMAL = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;

/** `--pids-limit`: an integer ≥ 1. */
function parsePidsLimit(value: string | number): number {
  const text = String(value).trim();
  const n = INTEGER.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new VcError(
      'USAGE',
      `invalid --pids-limit ${JSON.stringify(String(value))}: expected an integer ≥ 1`,
    );
  }
  return n;
}

/** `--cpus`: a positive decimal; the quota must reach runc's minimum of 1000 µs. */
function parseCpuQuota(value: string | number): number {
  const text = String(value).trim();
  const quota = DECIMAL.test(text) ? Math.round(Number(text) * CPU_PERIOD) : NaN;
  if (!Number.isSafeInteger(quota) || quota < 1000) {
    throw new VcError(
      'USAGE',
      `invalid --cpus ${JSON.stringify(String(value))}: expected a number ≥ 0.01`,
    );
  }
  return quota;
}

function parseMemory(value: string): number {
  const bytes = parseSize(value, '--memory');
  if (bytes < MIN_MEMORY) {
    throw new VcError('USAGE', `--memory ${value} is below the minimum of 6m`);
  }
  return bytes;
}

const capList = (caps: readonly string[]) =>
  caps.length === 0 ? '(none)' : caps.map((c) => c.replace(/^CAP_/, '')).join(',');

/**
 * Applies the flags to the signed profile: capabilities (drop, then add), read-only root and its
 * exceptions, `--tmpfs`, seccomp, SELinux, egress, user, workdir, hostname, limits. Returns the
 * profile and the deviations; throws `USAGE`, `UNSUPPORTED`, `UNKNOWN_CAPABILITY` or
 * `PROFILE_CONFLICT` before anything is created.
 */
export function computeEffectiveProfile(input: EffectiveProfileInput): EffectiveProfileResult {
  const { signed, flags } = input;
  const security = signed.security;
  const deviations: Deviation[] = [];

  const signedCaps = [...security.capabilities.effective].sort();
  const capabilities = applyCapabilityFlags(
    signedCaps,
    { drop: flags.capDrop ?? [], add: flags.capAdd ?? [] },
    input.capLastCap,
  );
  const extraCaps = capabilities.filter((c) => !signedCaps.includes(c));
  if (extraCaps.length > 0) {
    deviations.push({
      setting: 'capabilities',
      manifest: capList(signedCaps),
      effective: capList(capabilities),
    });
  }

  const readonly = flags.readOnly ?? security.readonlyRoot.enabled;
  if (security.readonlyRoot.enabled && !readonly) {
    deviations.push({ setting: 'readonly-root', manifest: 'true', effective: 'false' });
  }
  const exceptions = readonly
    ? [
        ...security.readonlyRoot.exceptions,
        ...((flags.readOnlyTmpfs ?? true) ? READ_ONLY_TMPFS_DIRS : []),
      ].map((p) => normalizeContainerPath(p, 'writable exception'))
    : [];

  const tmpfs = (flags.tmpfs ?? []).map(parseTmpfsFlag);

  let seccomp: SeccompSetting = { kind: 'default' };
  const signedType = security.selinux.type ?? DEFAULT_SELINUX_TYPE;
  let selinuxType = signedType;
  let selinuxLevel = security.selinux.level;
  let selinuxDisabled = false;
  if (flags.selinuxContext !== undefined) {
    selinuxType = assertSelinuxType(flags.selinuxContext, '--selinux-context');
  }
  for (const opt of (flags.securityOpt ?? []).map(parseSecurityOpt)) {
    switch (opt.kind) {
      case 'label-type':
        selinuxType = opt.type;
        break;
      case 'label-level':
        selinuxLevel = opt.level;
        break;
      case 'label-disable':
        selinuxDisabled = true;
        break;
      case 'seccomp-unconfined':
        seccomp = { kind: 'unconfined' };
        break;
      case 'seccomp-profile':
        seccomp = { kind: 'custom', path: opt.path };
        break;
      case 'no-new-privileges':
        break;
    }
  }
  if (seccomp.kind !== 'default') {
    deviations.push({
      setting: 'seccomp',
      manifest: 'default',
      effective: seccomp.kind === 'custom' ? `custom ${seccomp.path}` : 'unconfined',
    });
  }
  if (selinuxDisabled) {
    deviations.push({ setting: 'selinux', manifest: signedType, effective: 'disabled' });
  } else if (selinuxType !== signedType) {
    deviations.push({ setting: 'selinux-type', manifest: signedType, effective: selinuxType });
  }

  const egressFlags = (flags.egressAllow ?? []).filter((e) => e !== 'none');
  const manifestEgress = [...security.network.egressAllow];
  const egressFilter = manifestEgress.length > 0 || (flags.egressAllow ?? []).length > 0;
  // Without a signed filter any flag only narrows what the process may reach.
  if (manifestEgress.length > 0 && egressFlags.length > 0) {
    deviations.push({
      setting: 'egress-allow',
      manifest: `${manifestEgress.length} entries`,
      effective: `${manifestEgress.length} entries + ${egressFlags.join(', ')}`,
    });
  }
  const ingressAllow = [...security.network.ingressAllow];
  if (capabilities.includes('CAP_NET_ADMIN') && (egressFilter || ingressAllow.length > 0)) {
    throw new VcError(
      'PROFILE_CONFLICT',
      'CAP_NET_ADMIN together with an egress or ingress allowlist: the process could rewrite its own rules',
      { hint: 'drop NET_ADMIN, or run without allowlists' },
    );
  }

  if (flags.hostname !== undefined && !HOSTNAME.test(flags.hostname)) {
    throw new VcError('USAGE', `invalid --hostname ${JSON.stringify(flags.hostname)}`, {
      hint: 'a hostname is DNS labels of letters, digits and "-", at most 64 characters',
    });
  }

  const profile: EffectiveProfile = {
    capabilities,
    readonlyRoot: { enabled: readonly, exceptions: [...new Set(exceptions)] },
    tmpfs,
    seccomp,
    noNewPrivileges: true,
    selinux: {
      disabled: selinuxDisabled,
      type: selinuxType,
      ...(selinuxLevel !== undefined ? { level: selinuxLevel } : {}),
    },
    egress: { filter: egressFilter, manifest: manifestEgress, flags: egressFlags },
    ingressAllow,
    user: flags.user ?? input.imageUser ?? '',
    ...(flags.workdir !== undefined
      ? { workdir: normalizeContainerPath(flags.workdir, '-w/--workdir') }
      : {}),
    ...(flags.hostname !== undefined ? { hostname: flags.hostname } : {}),
    resources: {
      ...(flags.memory !== undefined ? { memory: parseMemory(flags.memory) } : {}),
      ...(flags.cpus !== undefined ? { cpuQuota: parseCpuQuota(flags.cpus) } : {}),
      pidsLimit:
        flags.pidsLimit !== undefined ? parsePidsLimit(flags.pidsLimit) : DEFAULT_PIDS_LIMIT,
    },
    rlimits: computeRlimits(flags.ulimit ?? [], input.callerHardLimits),
    runtime: signed.runtime,
  };
  return { profile, deviations };
}
