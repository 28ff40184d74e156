// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertSeccompProfile } from './convert.js';
import { DEFAULT_SECCOMP_PROFILE, defaultSeccompProfilePath, loadSeccomp } from './load.js';

/** A cut-down containers-common profile with each kind of rule. */
const PROFILE = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  defaultErrno: 'ENOSYS',
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }],
  syscalls: [
    {
      names: ['read', 'write'],
      action: 'SCMP_ACT_ALLOW',
      args: [],
      comment: '',
      includes: {},
      excludes: {},
    },
    {
      names: ['personality'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }],
    },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['s390_runtime_instr'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['s390x'] } },
    { names: ['chroot'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_CHROOT'] } },
    {
      names: ['chroot'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 1,
      excludes: { caps: ['CAP_SYS_CHROOT'] },
    },
    { names: ['newer'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6.5' } },
    { names: ['older'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '5.0' } },
  ],
};

const names = (caps: string[], kernelRelease = '6.1.0-18-amd64') =>
  convertSeccompProfile(PROFILE, { capabilities: caps, kernelRelease }).syscalls?.map(
    (s) => `${s.names.join(',')}:${s.action}`,
  );

describe('convertSeccompProfile', () => {
  it('keeps the rules matching the capabilities, x86_64 and the kernel', () => {
    expect(names(['CAP_CHOWN'])).toEqual([
      'read,write:SCMP_ACT_ALLOW',
      'personality:SCMP_ACT_ALLOW',
      'arch_prctl:SCMP_ACT_ALLOW',
      'chroot:SCMP_ACT_ERRNO',
    ]);
    expect(names(['CAP_SYS_CHROOT'], '6.6.0')).toEqual([
      'read,write:SCMP_ACT_ALLOW',
      'personality:SCMP_ACT_ALLOW',
      'arch_prctl:SCMP_ACT_ALLOW',
      'chroot:SCMP_ACT_ALLOW',
      'newer:SCMP_ACT_ALLOW',
    ]);
  });

  it('writes OCI fields only', () => {
    const oci = convertSeccompProfile(PROFILE, { capabilities: [] });
    expect(oci).toMatchObject({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 38,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    });
    expect(oci).not.toHaveProperty('archMap');
    expect(oci.syscalls?.[0]).toEqual({ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' });
    expect(oci.syscalls?.[1]?.args).toEqual([
      { index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' },
    ]);
  });

  it('rejects a profile without defaultAction', () => {
    expect(() => convertSeccompProfile({ syscalls: [] }, { capabilities: [] })).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });
});

describe('loadSeccomp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vordr-seccomp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes VORDR_SECCOMP_PROFILE, else the Debian default', () => {
    expect(defaultSeccompProfilePath({})).toBe(DEFAULT_SECCOMP_PROFILE);
    expect(defaultSeccompProfilePath({ VORDR_SECCOMP_PROFILE: '/x.json' })).toBe('/x.json');
  });

  it('reads and converts a profile; unconfined gives none', async () => {
    const path = join(dir, 'p.json');
    writeFileSync(path, JSON.stringify(PROFILE));
    const oci = await loadSeccomp({ kind: 'default' }, { capabilities: [] }, path);
    expect(oci?.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(await loadSeccomp({ kind: 'unconfined' }, { capabilities: [] }, path)).toBeUndefined();
  });

  it('reports a missing default profile as RUNTIME_UNAVAILABLE with the install hint', async () => {
    await expect(
      loadSeccomp({ kind: 'default' }, { capabilities: [] }, join(dir, 'missing.json')),
    ).rejects.toMatchObject({
      code: 'RUNTIME_UNAVAILABLE',
      hint: expect.stringContaining('golang-github-containers-common'),
    });
  });

  it('reports a missing or invalid custom profile as USAGE', async () => {
    await expect(
      loadSeccomp({ kind: 'custom', path: join(dir, 'nope.json') }, { capabilities: [] }, ''),
    ).rejects.toMatchObject({ code: 'USAGE' });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{');
    await expect(
      loadSeccomp({ kind: 'custom', path: bad }, { capabilities: [] }, ''),
    ).rejects.toMatchObject({ code: 'USAGE' });
  });
});
