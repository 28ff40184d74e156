// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { computeEffectiveProfile, type ProfileFlags } from '../profile/effective-profile.js';
import { defaultSignedProfile } from '../profile/signed-profile.js';
import { buildOciSpec, type OciSpecInput } from './build-spec.js';
import type { PathInfo } from './mounts.js';
import { parseEntrypointFlag } from './process-args.js';
import { planRuntimeVolumes } from './runtime-volumes.js';

const ID = 'ab'.repeat(32);
const DIRS: Record<string, PathInfo> = {
  '/var/www': { uid: 33, gid: 33, mode: 0o750, isDirectory: true },
  '/run': { uid: 0, gid: 0, mode: 0o755, isDirectory: true },
  '/srv': { uid: 0, gid: 0, mode: 0o755, isDirectory: true },
};

function profileWith(flags: ProfileFlags, readonly = false) {
  const signed = defaultSignedProfile();
  return computeEffectiveProfile({
    signed: {
      ...signed,
      security: {
        ...signed.security,
        readonlyRoot: { enabled: readonly, exceptions: readonly ? ['/var/www'] : [] },
      },
    },
    flags,
    capLastCap: 40,
    callerHardLimits: {},
  }).profile;
}

function input(overrides: Partial<OciSpecInput> = {}, flags: ProfileFlags = {}): OciSpecInput {
  return {
    id: ID,
    name: 'web_1',
    containerDir: `/store/vordr/containers/${ID}`,
    rootfsPath: `/store/vordr/containers/${ID}/rootfs`,
    image: {
      digest: `sha256:${'1'.repeat(64)}`,
      config: { entrypoint: ['/entry'], cmd: ['serve'], env: ['A=${X:-x}'], workingDir: 'srv' },
    },
    decision: 'ALLOW',
    profile: profileWith(flags),
    runVariables: new Map(),
    passwd: 'root:x:0:0:root:/root:/bin/sh\n',
    lookup: (path) => DIRS[path],
    volumes: [],
    swapAccounting: true,
    selinux: { enabled: false, level: 's0:c1,c2' },
    ...overrides,
  };
}

describe('buildOciSpec', () => {
  it('writes the fields of 05 §4.5', () => {
    const { spec } = buildOciSpec(input({}, { memory: '64m', cpus: 0.5, user: 'root' }));
    expect(spec.ociVersion).toBe('1.0.2');
    expect(spec.process).toMatchObject({
      terminal: false,
      args: ['/entry', 'serve'],
      cwd: '/srv',
      user: { uid: 0, gid: 0 },
      noNewPrivileges: true,
    });
    expect(spec.process.env).toContain('A=x');
    expect(spec.process.env).toContain('HOME=/root');
    expect(spec.process.env).toContain(`HOSTNAME=${ID.slice(0, 12)}`);
    expect(spec.process.capabilities.ambient).toEqual(spec.process.capabilities.bounding);
    expect(spec.process.capabilities.bounding).toHaveLength(11);
    expect(spec.process.selinuxLabel).toBeUndefined();
    expect(spec.hostname).toBe(ID.slice(0, 12));
    expect(spec.root).toEqual({ path: `/store/vordr/containers/${ID}/rootfs`, readonly: false });
    expect(spec.linux.namespaces.map((n) => n.type)).toEqual([
      'pid',
      'ipc',
      'uts',
      'mount',
      'cgroup',
      'network',
    ]);
    expect(spec.linux.cgroupsPath).toBe(`/vordr/${ID}`);
    expect(spec.linux.resources).toEqual({
      devices: [{ allow: false, access: 'rwm' }],
      memory: { limit: 67108864, swap: 67108864 },
      cpu: { quota: 50000, period: 100000 },
      pids: { limit: 2048 },
    });
    expect(spec.linux.maskedPaths).toContain('/proc/kcore');
    expect(spec.linux.readonlyPaths).toContain('/proc/sysrq-trigger');
    expect(spec.annotations).toEqual({
      'io.verified-container.image-digest': `sha256:${'1'.repeat(64)}`,
      'io.verified-container.name': 'web_1',
      'io.verified-container.decision': 'ALLOW',
    });
    expect(spec.mounts.slice(0, 1).map((m) => m.destination)).toEqual(['/proc']);
    expect(spec.mounts.find((m) => m.destination === '/etc/hosts')).toEqual({
      destination: '/etc/hosts',
      type: 'bind',
      source: `/store/vordr/containers/${ID}/hosts`,
      options: ['rbind', 'rprivate', 'nosuid', 'nodev', 'noexec', 'ro'],
    });
  });

  it('labels SELinux only when enabled, and joins a prepared netns', () => {
    const { spec } = buildOciSpec(
      input({
        selinux: { enabled: true, level: 's0:c1,c2' },
        networkNamespace: '/run/netns/vordr-x',
      }),
    );
    expect(spec.process.selinuxLabel).toBe('system_u:system_r:container_t:s0:c1,c2');
    expect(spec.linux.mountLabel).toBe('system_u:object_r:container_file_t:s0:c1,c2');
    expect(spec.linux.namespaces.at(-1)).toEqual({ type: 'network', path: '/run/netns/vordr-x' });
  });

  it('mounts volumes, tmpfs and read-only exceptions, sorted by depth', () => {
    const { spec } = buildOciSpec(
      input({
        profile: profileWith({ tmpfs: ['/data/cache:size=1m'] }, true),
        volumes: [
          { kind: 'bind', source: '/srv/data', destination: '/data', readonly: true },
          { kind: 'volume', source: '/v/_data', destination: '/var/tmp', readonly: false },
        ],
      }),
    );
    expect(spec.root.readonly).toBe(true);
    const user = spec.mounts.filter(
      (m) =>
        !m.destination.startsWith('/dev') &&
        !m.destination.startsWith('/sys') &&
        !m.destination.startsWith('/etc') &&
        m.destination !== '/proc',
    );
    expect(user.map((m) => m.destination)).toEqual([
      '/data',
      '/run',
      '/tmp',
      '/var/tmp',
      '/data/cache',
      '/var/www',
    ]);
    expect(user[0]?.options).toEqual(['rbind', 'rprivate', 'nosuid', 'nodev', 'ro']);
    expect(user.find((m) => m.destination === '/tmp')?.options).toEqual([
      'nosuid',
      'nodev',
      'noexec',
      'size=64m',
      'mode=1777',
    ]);
    expect(user.find((m) => m.destination === '/var/www')?.options).toEqual([
      'nosuid',
      'nodev',
      'noexec',
      'size=64m',
      'mode=0750',
      'uid=33',
      'gid=33',
    ]);
    expect(user.find((m) => m.destination === '/var/tmp')?.type).toBe('bind');
    expect(user.at(-2)?.options).toEqual(['nosuid', 'nodev', 'noexec', 'size=1048576']);
  });

  it('applies --entrypoint (dropping the image Cmd) and the command words', () => {
    expect(
      buildOciSpec(input({ entrypoint: parseEntrypointFlag('["/bin/sh","-c"]'), command: ['id'] }))
        .spec.process.args,
    ).toEqual(['/bin/sh', '-c', 'id']);
    expect(
      buildOciSpec(input({ entrypoint: parseEntrypointFlag('/bin/true') })).spec.process.args,
    ).toEqual(['/bin/true']);
    expect(buildOciSpec(input({ command: ['x'] })).spec.process.args).toEqual(['/entry', 'x']);
  });

  it.each<[string, Partial<OciSpecInput>]>([
    ['no command', { entrypoint: [], image: { digest: 'sha256:x', config: {} } }],
    [
      'relative mount target',
      { volumes: [{ kind: 'bind', source: '/a', destination: 'data', readonly: false }] },
    ],
    [
      'duplicate mount target',
      {
        volumes: [
          { kind: 'bind', source: '/a', destination: '/d', readonly: false },
          { kind: 'bind', source: '/b', destination: '/d/', readonly: false },
        ],
      },
    ],
    [
      'too many mounts',
      {
        volumes: Array.from({ length: 65 }, (_, i) => ({
          kind: 'bind' as const,
          source: '/a',
          destination: `/m${i}`,
          readonly: true,
        })),
      },
    ],
    [
      'missing workdir on a read-only root',
      { profile: profileWith({ workdir: '/nowhere' }, true) },
    ],
    ['unknown user', { profile: profileWith({ user: 'nobody' }) }],
  ])('%s → USAGE', (_name, overrides) => {
    expect(() => buildOciSpec(input(overrides))).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });

  it('turns ${VAR:?} in the image Env into ENV_REQUIRED', () => {
    expect(() =>
      buildOciSpec(
        input({
          image: { digest: 'sha256:x', config: { cmd: ['x'], env: ['P=${DB_PASSWORD:?set it}'] } },
        }),
      ),
    ).toThrow(expect.objectContaining({ code: 'ENV_REQUIRED' }));
  });
});

describe('planRuntimeVolumes', () => {
  it('creates anonymous volumes and tmpfs for what the run does not mount', () => {
    const plan = planRuntimeVolumes(
      {
        volumes: {
          uploads: { mount: '/var/www/uploads', type: 'persistent', readonly: false },
          cache: { mount: '/var/cache', type: 'ephemeral', readonly: false },
          scratch: { mount: '/scratch', type: 'tmpfs', readonly: false, size: '8m' },
          mounted: { mount: '/data', type: 'persistent', readonly: true },
        },
      },
      ['/data'],
      ID,
    );
    expect(plan.anonymous).toEqual([
      {
        name: `${ID.slice(0, 12)}-cache`,
        key: 'cache',
        destination: '/var/cache',
        readonly: false,
        persistent: false,
      },
      {
        name: `${ID.slice(0, 12)}-uploads`,
        key: 'uploads',
        destination: '/var/www/uploads',
        readonly: false,
        persistent: true,
      },
    ]);
    expect(plan.tmpfs).toEqual([
      { destination: '/scratch', size: 8388608, flags: ['rw', 'nosuid', 'nodev', 'noexec'] },
    ]);
  });
});
