// SPDX-License-Identifier: Apache-2.0
// `containers/<id>/bundle/config.json` of 05 §4.5, from the effective profile and what the caller
// read from the store and the host (rootfs lookups, passwd, swap accounting, SELinux state).
import { posix } from 'node:path';
import { VcError } from '@verified-container/shared';
import type { BaseConfig } from '@verified-container/shared/oci';
import type { EffectiveProfile } from '../profile/effective-profile.js';
import { CPU_PERIOD } from '../profile/effective-profile.js';
import { buildProcessEnv, type RunVariables } from '../profile/env.js';
import type { TmpfsSpec } from '../profile/tmpfs-flag.js';
import { resolveUser } from '../profile/user.js';
import { buildMounts, type RootfsLookup, type VolumeMount } from './mounts.js';
import { processArgs } from './process-args.js';
import type { OciSeccomp, OciSpec } from './types.js';

export const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/sys/devices/virtual/powercap',
  '/sys/firmware',
] as const;

export const READONLY_PATHS = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
] as const;

export const ANNOTATION_IMAGE_DIGEST = 'io.verified-container.image-digest';
export const ANNOTATION_NAME = 'io.verified-container.name';
export const ANNOTATION_DECISION = 'io.verified-container.decision';

const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export interface OciSpecInput {
  /** 64 lowercase hex. */
  readonly id: string;
  readonly name: string;
  /** Absolute `containers/<id>/`. */
  readonly containerDir: string;
  /** Absolute `containers/<id>/rootfs` (not a symlink). */
  readonly rootfsPath: string;
  readonly image: {
    readonly digest: string;
    readonly config: Pick<BaseConfig, 'entrypoint' | 'cmd' | 'env' | 'workingDir'>;
  };
  readonly decision: 'ALLOW' | 'WARN' | 'LOG';
  readonly profile: EffectiveProfile;
  /** `--entrypoint`, parsed; undefined when not given. */
  readonly entrypoint?: readonly string[];
  /** The command words after the image. */
  readonly command?: readonly string[];
  readonly runVariables: RunVariables;
  /** The image's `/etc/passwd` and `/etc/group` text (absent files: undefined). */
  readonly passwd?: string;
  readonly group?: string;
  readonly lookup: RootfsLookup;
  /** Volumes and binds (the run's, and the anonymous ones of `[runtime.volumes]`). */
  readonly volumes: readonly VolumeMount[];
  /** Extra tmpfs beyond `--tmpfs` (the `[runtime.volumes]` tmpfs). */
  readonly runtimeTmpfs?: readonly TmpfsSpec[];
  /** Path of the prepared netns; undefined = a new empty one (`--network none`). */
  readonly networkNamespace?: string;
  /** The converted profile; undefined = unconfined. */
  readonly seccomp?: OciSeccomp;
  /** Whether the memory cgroup accounts swap (then `swap` = `limit`). */
  readonly swapAccounting: boolean;
  /** SELinux state of the host, and the level chosen (signed, `label=level` or random). */
  readonly selinux: { readonly enabled: boolean; readonly level: string };
}

export interface OciSpecResult {
  readonly spec: OciSpec;
  /** Unset `${VAR}` warnings. */
  readonly warnings: string[];
}

/** `--hostname`, else the name when it is a DNS label, else the short id. */
export function containerHostname(
  profile: Pick<EffectiveProfile, 'hostname'>,
  name: string,
  id: string,
): string {
  return profile.hostname ?? (DNS_LABEL.test(name) ? name : id.slice(0, 12));
}

/** The OCI runtime spec (ociVersion 1.0.2) of one container, exactly as 05 §4.5 lays it out. */
export function buildOciSpec(input: OciSpecInput): OciSpecResult {
  const { profile } = input;
  if (!posix.isAbsolute(input.rootfsPath) || !posix.isAbsolute(input.containerDir)) {
    throw new VcError('INTERNAL', 'rootfs and container directory must be absolute paths');
  }
  const args = processArgs({
    image: input.image.config,
    ...(input.entrypoint !== undefined ? { entrypoint: input.entrypoint } : {}),
    ...(input.command !== undefined ? { command: input.command } : {}),
  });
  const user = resolveUser(profile.user, { passwd: input.passwd, group: input.group });
  const hostname = containerHostname(profile, input.name, input.id);
  const { env, warnings } = buildProcessEnv({
    imageEnv: input.image.config.env ?? [],
    runVariables: input.runVariables,
    hostname,
    ...(user.home !== undefined ? { home: user.home } : {}),
  });

  const workingDir = input.image.config.workingDir;
  const cwd =
    profile.workdir ??
    (workingDir !== undefined ? posix.normalize(posix.join('/', workingDir)) : '/');

  const mounts = buildMounts({
    containerDir: input.containerDir,
    volumes: input.volumes,
    tmpfs: [...profile.tmpfs, ...(input.runtimeTmpfs ?? [])],
    exceptions: profile.readonlyRoot.enabled ? profile.readonlyRoot.exceptions : [],
    user,
    lookup: input.lookup,
  });
  if (profile.readonlyRoot.enabled && cwd !== '/') {
    const covered = mounts.some(
      (m) => m.type !== 'proc' && (cwd === m.destination || cwd.startsWith(`${m.destination}/`)),
    );
    if (!covered && input.lookup(cwd)?.isDirectory !== true) {
      throw new VcError(
        'USAGE',
        `working directory ${cwd} does not exist in the image, and the root filesystem is read-only`,
        { hint: 'choose an existing directory with -w, or mount a volume there' },
      );
    }
  }

  const caps = [...profile.capabilities];
  const selinuxOn = input.selinux.enabled && !profile.selinux.disabled;
  const { memory, cpuQuota, pidsLimit } = profile.resources;
  const spec: OciSpec = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: {
        uid: user.uid,
        gid: user.gid,
        ...(user.additionalGids.length > 0 ? { additionalGids: user.additionalGids } : {}),
      },
      args,
      env,
      cwd,
      capabilities: {
        bounding: [...caps],
        effective: [...caps],
        permitted: [...caps],
        inheritable: [...caps],
        ambient: [...caps],
      },
      rlimits: profile.rlimits.map((r) => ({ type: r.type, soft: r.soft, hard: r.hard })),
      noNewPrivileges: true,
      ...(selinuxOn
        ? { selinuxLabel: `system_u:system_r:${profile.selinux.type}:${input.selinux.level}` }
        : {}),
    },
    root: { path: input.rootfsPath, readonly: profile.readonlyRoot.enabled },
    hostname,
    mounts,
    linux: {
      namespaces: [
        { type: 'pid' },
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
        { type: 'cgroup' },
        input.networkNamespace !== undefined
          ? { type: 'network', path: input.networkNamespace }
          : { type: 'network' },
      ],
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
      ...(input.seccomp !== undefined ? { seccomp: input.seccomp } : {}),
      ...(selinuxOn
        ? { mountLabel: `system_u:object_r:container_file_t:${input.selinux.level}` }
        : {}),
      cgroupsPath: `/vordr/${input.id}`,
      resources: {
        // runc adds its default device allowances (null, zero, full, tty, random, urandom, …).
        devices: [{ allow: false, access: 'rwm' }],
        ...(memory !== undefined
          ? { memory: { limit: memory, ...(input.swapAccounting ? { swap: memory } : {}) } }
          : {}),
        ...(cpuQuota !== undefined ? { cpu: { quota: cpuQuota, period: CPU_PERIOD } } : {}),
        pids: { limit: pidsLimit },
      },
    },
    annotations: {
      [ANNOTATION_IMAGE_DIGEST]: input.image.digest,
      [ANNOTATION_NAME]: input.name,
      [ANNOTATION_DECISION]: input.decision,
    },
  };
  return { spec, warnings };
}
