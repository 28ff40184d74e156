// SPDX-License-Identifier: Apache-2.0
// The `podman run` arguments that reproduce a container's OCI spec (05 §14): vordr builds the
// spec as for runc (§4.1–§4.5) and this turns it into podman flags, so both backends run the same
// profile. Pure: the engine writes the seccomp file and runs podman.
import { VcError } from '@verified-container/shared';
import type { OciMount, OciSpec } from '../oci-spec/types.js';

/** The podman container of a vordr container: `vc-<id12>`. */
export function podmanName(id: string): string {
  return `vc-${id.slice(0, 12)}`;
}

/** The label that ties a podman container to its vordr container (full id). */
export const PODMAN_ID_LABEL = 'org.verified-container.id';

/**
 * podman 4.3 lowers its own RLIMIT_NPROC to at most this (observed: `podman events` runs with
 * 32768 under a caller with 96367), and runc cannot raise a limit above its parent's without
 * CAP_SYS_RESOURCE, so a higher `nproc` makes `runc create` fail with EPERM.
 */
export const PODMAN_NPROC_CEILING = 32768;

/**
 * What podman adds to every rootfs it runs besides the spec's mount points: the `/etc/mtab` →
 * `/proc/mounts` link (libpod makes it unconditionally) and the `/run/.containerenv` bind. `check`
 * takes them as mount points of a podman container (added, not tampering).
 */
export const PODMAN_ROOTFS_ENTRIES: readonly string[] = ['/etc/mtab', '/run/.containerenv'];

/** Mounts podman makes itself (the spec's kernel filesystems). */
const PODMAN_OWN_MOUNTS = new Set([
  '/proc',
  '/dev',
  '/dev/pts',
  '/dev/shm',
  '/dev/mqueue',
  '/sys',
  '/sys/fs/cgroup',
]);

/** Bind options podman's `-v` takes as they are. */
const BIND_OPTIONS = new Set(['ro', 'rw', 'nosuid', 'nodev', 'noexec', 'rprivate', 'rbind']);

export interface PodmanRunInput {
  /** vordr's container id (64 hex). */
  readonly id: string;
  /** `containers/<id>/ctr.log`. */
  readonly logPath: string;
  readonly logSizeMax: number;
  /** The converted seccomp profile written to a file; undefined when the spec has none. */
  readonly seccompFile?: string;
  readonly stopTimeout?: number;
  /** podman's `--cgroup-parent` (the container's cgroup is `<parent>/libpod-<podman id>`). */
  readonly cgroupParent: string;
}

/** `podman run` arguments (after `run`): flags, `--rootfs <path>`, then the command. */
export function podmanRunArgs(spec: OciSpec, input: PodmanRunInput): string[] {
  const { process: proc, linux } = spec;
  const args = ['-d', '--name', podmanName(input.id), '--pull', 'never'];
  args.push('--label', `${PODMAN_ID_LABEL}=${input.id}`);
  // Nothing of podman's own: no systemd mode, no healthcheck, no passwd entries, no default env.
  args.push('--systemd', 'false', '--no-healthcheck', '--passwd=false', '--unsetenv-all');

  // The network: vordr's prepared namespace when the spec joins one, else none (05 §4.6).
  const netns = linux.namespaces.find((n) => n.type === 'network')?.path;
  args.push('--network', netns === undefined ? 'none' : `ns:${netns}`);
  if (linux.namespaces.some((n) => n.type === 'cgroup')) args.push('--cgroupns', 'private');
  args.push('--cgroup-parent', input.cgroupParent);

  args.push('--cap-drop', 'all');
  for (const cap of proc.capabilities.bounding) args.push('--cap-add', cap);
  if (proc.noNewPrivileges) args.push('--security-opt', 'no-new-privileges');
  args.push(
    '--security-opt',
    input.seccompFile === undefined ? 'seccomp=unconfined' : `seccomp=${input.seccompFile}`,
  );
  if (proc.selinuxLabel !== undefined) {
    const [, , type, ...level] = proc.selinuxLabel.split(':');
    args.push('--security-opt', `label=type:${type}`);
    if (level.length > 0) args.push('--security-opt', `label=level:${level.join(':')}`);
  }

  if (spec.root.readonly) args.push('--read-only', '--read-only-tmpfs=false');
  for (const mount of spec.mounts) {
    if (PODMAN_OWN_MOUNTS.has(mount.destination)) continue;
    args.push(...mountArgs(mount, proc.user));
  }

  args.push('--user', `${proc.user.uid}:${proc.user.gid}`);
  for (const gid of proc.user.additionalGids ?? []) {
    if (gid !== proc.user.gid) args.push('--group-add', String(gid));
  }
  args.push('--workdir', proc.cwd);
  for (const entry of proc.env) args.push('--env', entry);
  args.push('--hostname', spec.hostname);

  const { memory, cpu, pids } = linux.resources;
  if (memory !== undefined) {
    args.push('--memory', String(memory.limit));
    if (memory.swap !== undefined) args.push('--memory-swap', String(memory.swap));
  }
  if (cpu !== undefined) {
    args.push('--cpu-quota', String(cpu.quota), '--cpu-period', String(cpu.period));
  }
  args.push('--pids-limit', String(pids.limit));
  for (const rlimit of proc.rlimits) {
    const name = rlimit.type.replace(/^RLIMIT_/, '').toLowerCase();
    const clamp = (n: number): number => (name === 'nproc' ? Math.min(n, PODMAN_NPROC_CEILING) : n);
    args.push('--ulimit', `${name}=${clamp(rlimit.soft)}:${clamp(rlimit.hard)}`);
  }

  args.push('--log-driver', 'k8s-file', '--log-opt', `path=${input.logPath}`);
  args.push('--log-opt', `max-size=${input.logSizeMax}`);
  if (input.stopTimeout !== undefined) args.push('--stop-timeout', String(input.stopTimeout));

  args.push('--rootfs', spec.root.path, ...proc.args);
  return args;
}

/** `-v` for a bind, `--tmpfs` for a tmpfs. */
function mountArgs(mount: OciMount, user: { uid: number; gid: number }): string[] {
  for (const path of [mount.source, mount.destination]) {
    if (/[:,]/.test(path)) {
      throw new VcError(
        'USAGE',
        `podman cannot mount ${JSON.stringify(path)}: it contains ":" or ","`,
        {
          hint: 'use a path without ":" and ",", or --runtime runc',
        },
      );
    }
  }
  if (mount.type === 'bind') {
    const options = mount.options.filter((o) => BIND_OPTIONS.has(o));
    return ['-v', `${mount.source}:${mount.destination}:${options.join(',')}`];
  }
  if (mount.type === 'tmpfs') {
    // podman refuses uid=/gid=; `U` owns the tmpfs by the container's user instead.
    const owner = mount.options.filter((o) => /^(uid|gid)=/.test(o));
    const options = mount.options.filter((o) => !/^(uid|gid)=/.test(o));
    const ownedByUser = owner.includes(`uid=${user.uid}`) && owner.includes(`gid=${user.gid}`);
    if (owner.length > 0 && ownedByUser && (user.uid !== 0 || user.gid !== 0)) options.push('U');
    return ['--tmpfs', `${mount.destination}:${options.join(',')}`];
  }
  throw new VcError(
    'INTERNAL',
    `podman backend: unexpected ${mount.type} mount at ${mount.destination}`,
  );
}
