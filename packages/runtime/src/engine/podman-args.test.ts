// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { computeEffectiveProfile } from '../profile/effective-profile.js';
import { defaultSignedProfile } from '../profile/signed-profile.js';
import { buildOciSpec, type OciSpecInput } from '../oci-spec/build-spec.js';
import type { OciSpec } from '../oci-spec/types.js';
import { PODMAN_NPROC_CEILING, podmanName, podmanRunArgs } from './podman-args.js';

const ID = 'cd'.repeat(32);
const DIR = `/store/vordr/containers/${ID}`;

/** A spec as `run` builds it: read-only root with /data writable, CHOWN+SETUID, a volume. */
function spec(overrides: Partial<OciSpecInput> = {}): OciSpec {
  const signed = defaultSignedProfile();
  const { profile } = computeEffectiveProfile({
    signed: {
      ...signed,
      security: {
        ...signed.security,
        capabilities: { drop: [], add: [], effective: ['CAP_CHOWN', 'CAP_SETUID'] },
        readonlyRoot: { enabled: true, exceptions: ['/data'] },
      },
    },
    flags: { memory: '64m', cpus: 0.5, ulimit: ['nofile=1024:2048'], tmpfs: ['/scratch:size=1m'] },
    capLastCap: 40,
    callerHardLimits: { RLIMIT_NPROC: 96367 },
  });
  return buildOciSpec({
    id: ID,
    name: 'web',
    containerDir: DIR,
    rootfsPath: `${DIR}/rootfs`,
    image: { digest: `sha256:${'1'.repeat(64)}`, config: { cmd: ['/bin/cat', '/etc/greeting'] } },
    decision: 'ALLOW',
    profile,
    runVariables: new Map([['MODE', 'prod']]),
    passwd: 'root:x:0:0:root:/root:/bin/sh\n',
    lookup: (path) =>
      path === '/data' ? { uid: 0, gid: 0, mode: 0o755, isDirectory: true } : undefined,
    volumes: [{ kind: 'bind', source: '/srv/site', destination: '/site', readonly: true }],
    seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [] },
    swapAccounting: true,
    selinux: { enabled: false, level: 's0:c1,c2' },
    ...overrides,
  }).spec;
}

const INPUT = {
  id: ID,
  logPath: `${DIR}/ctr.log`,
  logSizeMax: 1000,
  seccompFile: `${DIR}/seccomp.json`,
  stopTimeout: 7,
  cgroupParent: `/vordr/${ID}`,
};

/** The values of every occurrence of a flag. */
function values(args: readonly string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

describe('podmanRunArgs', () => {
  it('runs the spec under vordr-owned names, detached, without podman extras', () => {
    const args = podmanRunArgs(spec(), INPUT);
    expect(podmanName(ID)).toBe(`vc-${ID.slice(0, 12)}`);
    expect(values(args, '--name')).toEqual([podmanName(ID)]);
    expect(args).toContain('-d');
    expect(args).not.toContain('--rm');
    expect(values(args, '--label')).toEqual([`org.verified-container.id=${ID}`]);
    expect(values(args, '--systemd')).toEqual(['false']);
    expect(args).toContain('--no-healthcheck');
    expect(args).toContain('--unsetenv-all');
    expect(values(args, '--pull')).toEqual(['never']);
    // The rootfs and the command come last.
    expect(args.slice(-4)).toEqual(['--rootfs', `${DIR}/rootfs`, '/bin/cat', '/etc/greeting']);
  });

  it('carries the confinement: caps, no-new-privileges, seccomp file, read-only root', () => {
    const args = podmanRunArgs(spec(), INPUT);
    expect(values(args, '--cap-drop')).toEqual(['all']);
    expect(values(args, '--cap-add')).toEqual(['CAP_CHOWN', 'CAP_SETUID']);
    expect(values(args, '--security-opt')).toEqual([
      'no-new-privileges',
      `seccomp=${DIR}/seccomp.json`,
    ]);
    expect(args).toContain('--read-only');
    expect(args).toContain('--read-only-tmpfs=false');
    const unconfined = { ...INPUT, seccompFile: undefined };
    expect(values(podmanRunArgs(spec(), unconfined), '--security-opt')).toContain(
      'seccomp=unconfined',
    );
  });

  it("mounts vordr's /etc files, binds and tmpfs, never the kernel filesystems", () => {
    const args = podmanRunArgs(spec(), INPUT);
    expect(values(args, '-v')).toEqual([
      '/srv/site:/site:rbind,rprivate,nosuid,nodev,ro',
      `${DIR}/hosts:/etc/hosts:rbind,rprivate,nosuid,nodev,noexec,ro`,
      `${DIR}/resolv.conf:/etc/resolv.conf:rbind,rprivate,nosuid,nodev,noexec,ro`,
      `${DIR}/hostname:/etc/hostname:rbind,rprivate,nosuid,nodev,noexec,ro`,
    ]);
    const tmpfs = values(args, '--tmpfs');
    // --read-only-tmpfs (default): vordr's own /run, /tmp and /var/tmp, not podman's.
    expect(tmpfs.map((t) => t.split(':')[0])).toEqual([
      '/scratch',
      '/data',
      '/run',
      '/tmp',
      '/var/tmp',
    ]);
    // podman refuses uid=/gid= (root's own here, so nothing replaces them).
    expect(tmpfs.join(' ')).not.toMatch(/uid=|gid=/);
    expect(args.join(' ')).not.toMatch(/\/proc|\/sys|\/dev/);
  });

  it('passes user, workdir, the resolved environment, hostname and limits', () => {
    const args = podmanRunArgs(spec(), INPUT);
    expect(values(args, '--user')).toEqual(['0:0']);
    expect(values(args, '--workdir')).toEqual(['/']);
    expect(values(args, '--env')).toContain('MODE=prod');
    expect(values(args, '--env')).toContain('HOSTNAME=web');
    expect(values(args, '--hostname')).toEqual(['web']);
    expect(values(args, '--memory')).toEqual([String(64 * 1024 * 1024)]);
    expect(values(args, '--memory-swap')).toEqual([String(64 * 1024 * 1024)]);
    expect(values(args, '--cpu-quota')).toEqual(['50000']);
    expect(values(args, '--cpu-period')).toEqual(['100000']);
    expect(values(args, '--pids-limit')).toEqual(['2048']);
    expect(values(args, '--ulimit')).toEqual([
      'nofile=1024:2048',
      `nproc=${PODMAN_NPROC_CEILING}:${PODMAN_NPROC_CEILING}`,
    ]);
    expect(values(args, '--stop-timeout')).toEqual(['7']);
    expect(values(args, '--log-driver')).toEqual(['k8s-file']);
    expect(values(args, '--log-opt')).toEqual([`path=${DIR}/ctr.log`, 'max-size=1000']);
    expect(values(args, '--cgroup-parent')).toEqual([`/vordr/${ID}`]);
    expect(values(args, '--cgroupns')).toEqual(['private']);
  });

  it("joins vordr's network namespace when the spec has one, else none", () => {
    expect(values(podmanRunArgs(spec(), INPUT), '--network')).toEqual(['none']);
    const joined = spec({ networkNamespace: '/run/netns/vordr-cdcdcdcdcdcd' });
    expect(values(podmanRunArgs(joined, INPUT), '--network')).toEqual([
      'ns:/run/netns/vordr-cdcdcdcdcdcd',
    ]);
  });

  it('labels the SELinux type and level when the spec has a label', () => {
    const labelled = spec({ selinux: { enabled: true, level: 's0:c1,c2' } });
    expect(values(podmanRunArgs(labelled, INPUT), '--security-opt')).toEqual([
      'no-new-privileges',
      `seccomp=${DIR}/seccomp.json`,
      'label=type:container_t',
      'label=level:s0:c1,c2',
    ]);
  });

  it('refuses a mount path podman cannot take (USAGE)', () => {
    const odd = spec({
      volumes: [{ kind: 'bind', source: '/srv/a:b', destination: '/site', readonly: false }],
    });
    expect(() => podmanRunArgs(odd, INPUT)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
