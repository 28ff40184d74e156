// SPDX-License-Identifier: Apache-2.0

/** The 41 capabilities of Linux 6.x, in kernel order (CAP_CHOWN = 0 … CAP_CHECKPOINT_RESTORE = 40). */
export const LINUX_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;

export type Capability = (typeof LINUX_CAPABILITIES)[number];

/**
 * The runtime's default set, granted unless the manifest drops `ALL` (01 §2.2). It is the
 * podman default (the Docker/OCI default minus AUDIT_WRITE, MKNOD and NET_RAW).
 */
export const DEFAULT_CAPABILITIES: readonly Capability[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP',
  'CAP_SETGID',
  'CAP_SETPCAP',
  'CAP_SETUID',
  'CAP_SYS_CHROOT',
];

const KNOWN: ReadonlySet<string> = new Set(LINUX_CAPABILITIES);

/** `net_bind_service`, `CAP_NET_BIND_SERVICE` → `CAP_NET_BIND_SERVICE`; `all` → `ALL`; unknown → undefined. */
export function normalizeCapability(name: string): Capability | 'ALL' | undefined {
  const upper = name.toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  return KNOWN.has(full) ? (full as Capability) : undefined;
}

/** The capabilities part of a manifest, as normalised by the schema. */
export interface CapabilitySettings {
  readonly drop: readonly (Capability | 'ALL')[];
  readonly add: readonly Capability[];
}

/**
 * Effective set = (runtime default set, or ∅ when drop has ALL) − drop + add, sorted by name.
 */
export function effectiveCapabilities(manifest: {
  readonly security: { readonly capabilities: CapabilitySettings };
}): Capability[] {
  const { drop, add } = manifest.security.capabilities;
  const set = new Set<Capability>(drop.includes('ALL') ? [] : DEFAULT_CAPABILITIES);
  for (const cap of drop) if (cap !== 'ALL') set.delete(cap);
  for (const cap of add) set.add(cap);
  return [...set].sort();
}
