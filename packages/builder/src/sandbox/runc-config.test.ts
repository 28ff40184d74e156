// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { SANDBOX_CAPABILITIES, buildRuncConfig } from './runc-config.js';
import type { SandboxSpecInput } from './runc-config.js';

const input: SandboxSpecInput = {
  rootfs: '/var/tmp/rootfs',
  argv: ['/bin/sh', '-c', 'true'],
  env: { PATH: '/usr/bin:/bin', DEBIAN_FRONTEND: 'noninteractive' },
  cwd: '/',
  network: 'none',
  bindMounts: [{ source: '/cache/debs', destination: '/debs', readOnly: true }],
  cgroupsPath: '/ct-build-0123',
};

describe('buildRuncConfig', () => {
  it('runs as root, not on a terminal, in localhost, with the rootfs read-write', () => {
    const c = buildRuncConfig(input);
    expect(c.process.terminal).toBe(false);
    expect(c.process.user).toEqual({ uid: 0, gid: 0, additionalGids: [0] });
    expect(c.process.noNewPrivileges).toBe(false);
    expect(c.process.args).toEqual(['/bin/sh', '-c', 'true']);
    expect(c.process.env).toEqual(['DEBIAN_FRONTEND=noninteractive', 'PATH=/usr/bin:/bin']);
    expect(c.root).toEqual({ path: '/var/tmp/rootfs', readonly: false });
    expect(c.hostname).toBe('localhost');
    expect(c.linux.cgroupsPath).toBe('/ct-build-0123');
  });

  it('creates pid, ipc, uts, mount and network namespaces; "host" keeps the host network', () => {
    expect(buildRuncConfig(input).linux.namespaces.map((n) => n.type)).toEqual([
      'pid',
      'ipc',
      'uts',
      'mount',
      'network',
    ]);
    const host = buildRuncConfig({ ...input, network: 'host' });
    expect(host.linux.namespaces.map((n) => n.type)).not.toContain('network');
  });

  it('mounts /proc, a tmpfs /dev, read-only /sys and only the explicit binds', () => {
    const c = buildRuncConfig(input);
    expect(c.mounts.map((m) => [m.destination, m.type])).toEqual([
      ['/proc', 'proc'],
      ['/dev', 'tmpfs'],
      ['/dev/pts', 'devpts'],
      ['/dev/shm', 'tmpfs'],
      ['/dev/mqueue', 'mqueue'],
      ['/sys', 'sysfs'],
      ['/debs', 'bind'],
    ]);
    expect(c.mounts.find((m) => m.destination === '/sys')?.options).toContain('ro');
    expect(c.mounts.find((m) => m.destination === '/debs')).toEqual({
      destination: '/debs',
      type: 'bind',
      source: '/cache/debs',
      options: ['rbind', 'ro', 'nosuid', 'nodev'],
    });
  });

  it('grants the maintainer-script capabilities and nothing that escapes the sandbox', () => {
    const c = buildRuncConfig(input);
    expect(c.process.capabilities.bounding).toEqual([...SANDBOX_CAPABILITIES]);
    expect(c.process.capabilities.effective).toEqual([...SANDBOX_CAPABILITIES]);
    expect(c.process.capabilities.ambient).toEqual([]);
    for (const forbidden of ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN', 'CAP_SYS_MODULE', 'CAP_NET_RAW']) {
      expect(c.process.capabilities.bounding).not.toContain(forbidden);
    }
    expect(c.linux.resources.devices).toEqual([{ allow: false, access: 'rwm' }]);
  });
});
