// SPDX-License-Identifier: Apache-2.0
// The OCI runtime spec (config.json) of the build sandbox (01 §5.4), generated in code. Pure.

/** How the sandbox reaches the network. */
export type SandboxNetwork =
  /** A new network namespace holding only `lo` (01 §5.4; every maintainer script). */
  | 'none'
  /**
   * No network namespace of its own: the sandbox shares the host's network stack. Only for
   * `composer-require` with packagist or a `composer` repository (01 §3), which needs outbound
   * access. Every other namespace stays private. The rootfs needs its own `/etc/resolv.conf` (the
   * caller may bind the host's read-only).
   */
  | 'host';

export interface SandboxBindMount {
  /** Absolute host path. */
  readonly source: string;
  /** Absolute path inside the sandbox. */
  readonly destination: string;
  readonly readOnly: boolean;
}

export interface SandboxSpecInput {
  /** Absolute, symlink-free host path of the rootfs (runc refuses anything else). */
  readonly rootfs: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly network: SandboxNetwork;
  readonly bindMounts: readonly SandboxBindMount[];
  /** `/<id>`: one level, so runc removes it itself and leaves no empty parent behind. */
  readonly cgroupsPath: string;
  readonly hostname?: string;
}

/**
 * Capabilities of the sandboxed root. Docker's default set minus `CAP_NET_RAW` (no network
 * worth sniffing) and `CAP_SETPCAP`; it is what Debian maintainer scripts need:
 * CHOWN/DAC_OVERRIDE/FOWNER/FSETID for files owned by system users and setgid directories,
 * SETUID/SETGID for `su`/`runuser`/`setpriv` and daemons' own checks, SETFCAP for `setcap` in
 * postinst (iputils-ping), KILL, SYS_CHROOT (`chroot`-based helpers), MKNOD (device nodes; the
 * devices cgroup still allows only the default set), AUDIT_WRITE (PAM, `useradd`),
 * NET_BIND_SERVICE. No `CAP_SYS_ADMIN`, so nothing can mount or leave the namespaces.
 */
export const SANDBOX_CAPABILITIES = [
  'CAP_AUDIT_WRITE',
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_MKNOD',
  'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SYS_CHROOT',
] as const;

/** Paths of /proc and /sys hidden from the sandbox (runc's `runc spec` defaults). */
const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/sys/firmware',
  '/proc/scsi',
];

const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface RuncMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

/** The parts of the OCI runtime spec we write (runtime-spec 1.0.2, what runc 1.1 reads). */
export interface RuncConfig {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: Record<
      'bounding' | 'effective' | 'permitted' | 'inheritable' | 'ambient',
      string[]
    >;
    rlimits: { type: string; hard: number; soft: number }[];
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: RuncMount[];
  linux: {
    namespaces: { type: string }[];
    cgroupsPath: string;
    resources: { devices: { allow: boolean; access: string }[] };
    maskedPaths: string[];
    readonlyPaths: string[];
  };
}

/** Mount points the sandbox always has, in mount order. */
export const SANDBOX_MOUNT_POINTS = [
  '/proc',
  '/dev',
  '/dev/pts',
  '/dev/shm',
  '/dev/mqueue',
  '/sys',
] as const;

/**
 * The config.json of one sandbox run: uid 0, the rootfs read-write, `/proc`, a tmpfs `/dev` (runc
 * creates null, zero, full, random, urandom, tty, ptmx and the fd links in it), devpts, `/dev/shm`,
 * mqueue, read-only `/sys`, hostname `localhost`, new pid/ipc/uts/mount (+ network unless `host`)
 * namespaces, no host mounts but the explicit binds, stdio not a terminal, `noNewPrivileges` false
 * (maintainer scripts run setuid helpers), no seccomp profile.
 */
export function buildRuncConfig(input: SandboxSpecInput): RuncConfig {
  const caps = [...SANDBOX_CAPABILITIES];
  const namespaces = [
    'pid',
    'ipc',
    'uts',
    'mount',
    ...(input.network === 'none' ? ['network'] : []),
  ];
  const mounts: RuncMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
    },
    {
      destination: '/dev/mqueue',
      type: 'mqueue',
      source: 'mqueue',
      options: ['nosuid', 'noexec', 'nodev'],
    },
    {
      destination: '/sys',
      type: 'sysfs',
      source: 'sysfs',
      options: ['nosuid', 'noexec', 'nodev', 'ro'],
    },
    ...input.bindMounts.map((b) => ({
      destination: b.destination,
      type: 'bind',
      source: b.source,
      options: ['rbind', b.readOnly ? 'ro' : 'rw', 'nosuid', 'nodev'],
    })),
  ];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0, additionalGids: [0] },
      args: [...input.argv],
      env: Object.entries(input.env)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`),
      cwd: input.cwd,
      capabilities: {
        bounding: caps,
        effective: caps,
        permitted: caps,
        inheritable: [],
        ambient: [],
      },
      // runc's default; raising it above the caller's hard limit would need CAP_SYS_RESOURCE.
      rlimits: [
        { type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 },
        { type: 'RLIMIT_CORE', hard: 0, soft: 0 },
      ],
      noNewPrivileges: false,
    },
    root: { path: input.rootfs, readonly: false },
    hostname: input.hostname ?? 'localhost',
    mounts,
    linux: {
      namespaces: namespaces.map((type) => ({ type })),
      cgroupsPath: input.cgroupsPath,
      // Deny every device; runc adds its default allow list (null, zero, full, tty, random, …).
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
    },
  };
}
