// SPDX-License-Identifier: Apache-2.0
// The config.json builder against real runc: the php-aegis-wordpress profile (CHOWN, SETGID,
// SETUID, NET_BIND_SERVICE; read-only root with /tmp writable) must hold inside the container.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_LABEL, SECURITY_LABEL } from '@verified-container/shared/generate';
import { buildOciSpec, type PathInfo } from '../../src/oci-spec/index.js';
import {
  capabilityMask,
  computeEffectiveProfile,
  parseProcLimits,
  signedProfileFromLabels,
} from '../../src/profile/index.js';
import { defaultSeccompProfilePath, loadSeccomp } from '../../src/seccomp/index.js';
import { hasRunc, makeBusyboxRootfs, staticBusybox } from '../support/busybox-rootfs.js';

const busybox = staticBusybox();
const AEGIS_CAPS = ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE', 'CAP_SETGID', 'CAP_SETUID'];
const AEGIS_LABELS = {
  [SECURITY_LABEL]: JSON.stringify({
    capabilities: { add: AEGIS_CAPS, drop: ['ALL'], effective: AEGIS_CAPS },
    network: { egressAllow: [], ingressAllow: [] },
    readonlyRoot: { enabled: true, exceptions: ['/tmp'] },
    selinux: { categories: ['c0', 'c1'], level: 's0:c0,c1', type: 'container_web_t' },
  }),
  [RUNTIME_LABEL]: JSON.stringify({ ports: {}, volumes: {} }),
};

const SCRIPT = [
  "grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status",
  'if touch /root-file 2>/dev/null; then echo root=writable; else echo root=readonly; fi',
  'if touch /tmp/file; then echo tmp=writable; else echo tmp=readonly; fi',
].join('\n');

describe.skipIf(!hasRunc || busybox === undefined)('runc with the effective profile', () => {
  const id = randomBytes(32).toString('hex');
  let dir = '';
  let runcRoot = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-profile-'));
    runcRoot = join(dir, 'runc');
  });

  afterAll(() => {
    if (dir === '') return;
    spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
    // runc removes /vordr/<id> but leaves the parents in each hierarchy; a sibling still in
    // use keeps its parent (rmdir fails, which is fine).
    for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
      for (const path of [
        `/sys/fs/cgroup/${hierarchy}/vordr/${id}`,
        `/sys/fs/cgroup/${hierarchy}/vordr`,
      ]) {
        try {
          rmdirSync(path);
        } catch {
          // absent or in use
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('confines the process exactly as the profile says', async () => {
    const containerDir = join(dir, 'ctr');
    const rootfs = join(containerDir, 'rootfs');
    const bundle = join(containerDir, 'bundle');
    mkdirSync(bundle, { recursive: true });
    makeBusyboxRootfs(rootfs, busybox ?? '');
    writeFileSync(join(containerDir, 'hosts'), '127.0.0.1 localhost\n');
    writeFileSync(join(containerDir, 'resolv.conf'), '');
    writeFileSync(join(containerDir, 'hostname'), 'aegis\n');

    const { profile, deviations } = computeEffectiveProfile({
      signed: signedProfileFromLabels(AEGIS_LABELS),
      imageUser: 'www-data',
      flags: {},
      capLastCap: 40,
      callerHardLimits: parseProcLimits(readFileSync('/proc/self/limits', 'utf8')),
    });
    expect(deviations).toEqual([]);
    const seccomp = await loadSeccomp(
      profile.seccomp,
      { capabilities: profile.capabilities },
      defaultSeccompProfilePath(process.env),
    );
    const lookup = (path: string): PathInfo | undefined => {
      try {
        const st = statSync(join(rootfs, path));
        return { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, isDirectory: st.isDirectory() };
      } catch {
        return undefined;
      }
    };
    const { spec } = buildOciSpec({
      id,
      name: 'aegis',
      containerDir,
      rootfsPath: rootfs,
      image: { digest: `sha256:${'0'.repeat(64)}`, config: { env: [] } },
      decision: 'ALLOW',
      profile,
      command: ['/bin/sh', '-c', SCRIPT],
      runVariables: new Map(),
      passwd: 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/sh\n',
      group: 'root:x:0:\nwww-data:x:33:\n',
      lookup,
      volumes: [],
      ...(seccomp !== undefined ? { seccomp } : {}),
      swapAccounting: false,
      selinux: { enabled: false, level: 's0:c0,c1' },
    });
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));

    const result = spawnSync('runc', ['--root', runcRoot, 'run', '--bundle', bundle, id], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const mask = capabilityMask(AEGIS_CAPS);
    expect(mask).toBe('00000000000004c1');
    const lines = result.stdout.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
    expect(lines).toEqual(
      expect.arrayContaining([
        `CapEff: ${mask}`,
        `CapBnd: ${mask}`,
        'NoNewPrivs: 1',
        'Seccomp: 2',
        'root=readonly',
        'tmp=writable',
      ]),
    );
  });
});
