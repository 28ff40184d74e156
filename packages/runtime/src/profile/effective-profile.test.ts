// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { RUNTIME_LABEL, SECURITY_LABEL } from '@verified-container/shared/generate';
import { computeEffectiveProfile, type ProfileFlags } from './effective-profile.js';
import { signedProfileFromLabels } from './signed-profile.js';

/** The php-aegis-wordpress profile as the builder writes it (02 §2). */
const AEGIS_LABELS = {
  [SECURITY_LABEL]: JSON.stringify({
    capabilities: {
      add: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE', 'CAP_SETGID', 'CAP_SETUID'],
      drop: ['ALL'],
      effective: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE', 'CAP_SETGID', 'CAP_SETUID'],
    },
    network: {
      egressAllow: [{ host: 'api.wordpress.org', port: 443, protocol: 'https' }],
      ingressAllow: [{ port: 9000, protocol: 'tcp', source: 'container:nginx' }],
    },
    readonlyRoot: { enabled: true, exceptions: ['/var/ratelimit', '/tmp'] },
    selinux: { categories: ['c0', 'c1'], level: 's0:c0,c1', type: 'container_web_t' },
  }),
  [RUNTIME_LABEL]: JSON.stringify({ ports: {}, volumes: {} }),
};

const run = (flags: ProfileFlags, labels: Record<string, string> | null = AEGIS_LABELS) =>
  computeEffectiveProfile({
    signed: signedProfileFromLabels(labels ?? undefined),
    imageUser: 'www-data',
    flags,
    capLastCap: 40,
    callerHardLimits: { RLIMIT_NOFILE: 20000 },
  });

describe('computeEffectiveProfile', () => {
  it('takes the signed profile as it is without flags', () => {
    const { profile, deviations } = run({});
    expect(deviations).toEqual([]);
    expect(profile).toMatchObject({
      capabilities: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE', 'CAP_SETGID', 'CAP_SETUID'],
      readonlyRoot: { enabled: true, exceptions: ['/var/ratelimit', '/tmp', '/run', '/var/tmp'] },
      seccomp: { kind: 'default' },
      noNewPrivileges: true,
      selinux: { disabled: false, type: 'container_web_t', level: 's0:c0,c1' },
      egress: { filter: true, flags: [] },
      user: 'www-data',
      resources: { pidsLimit: 2048 },
      rlimits: [
        { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
        { type: 'RLIMIT_NPROC', soft: 4194304, hard: 4194304 },
      ],
    });
  });

  it('gives an unlabelled image the defaults', () => {
    const { profile, deviations } = run({}, null);
    expect(profile.capabilities).toHaveLength(11);
    expect(profile.readonlyRoot).toEqual({ enabled: false, exceptions: [] });
    expect(profile.selinux).toEqual({ disabled: false, type: 'container_t' });
    expect(profile.egress.filter).toBe(false);
    expect(deviations).toEqual([]);
  });

  it('records each weakening flag as a deviation', () => {
    const { profile, deviations } = run({
      capAdd: ['sys_ptrace'],
      capDrop: ['chown'],
      readOnly: false,
      securityOpt: ['seccomp=unconfined', 'label=type:spc_t', 'label=level:s0:c5,c6'],
      egressAllow: ['example.org:443'],
    });
    expect(profile.capabilities).toEqual([
      'CAP_NET_BIND_SERVICE',
      'CAP_SETGID',
      'CAP_SETUID',
      'CAP_SYS_PTRACE',
    ]);
    expect(profile.selinux).toEqual({ disabled: false, type: 'spc_t', level: 's0:c5,c6' });
    expect(deviations.map((d) => d.setting)).toEqual([
      'capabilities',
      'readonly-root',
      'seccomp',
      'selinux-type',
      'egress-allow',
    ]);
    expect(deviations[0]).toEqual({
      setting: 'capabilities',
      manifest: 'CHOWN,NET_BIND_SERVICE,SETGID,SETUID',
      effective: 'NET_BIND_SERVICE,SETGID,SETUID,SYS_PTRACE',
    });
  });

  it('does not count narrowing flags as deviations', () => {
    const { deviations, profile } = run({
      capDrop: ['ALL'],
      securityOpt: ['no-new-privileges', `seccomp=/etc/x.json`],
      readOnlyTmpfs: false,
    });
    expect(profile.capabilities).toEqual([]);
    expect(profile.readonlyRoot.exceptions).toEqual(['/var/ratelimit', '/tmp']);
    expect(deviations.map((d) => d.setting)).toEqual(['seccomp']);
  });

  it('records label=disable', () => {
    expect(run({ securityOpt: ['label=disable'] }).deviations).toEqual([
      { setting: 'selinux', manifest: 'container_web_t', effective: 'disabled' },
    ]);
  });

  it('parses limits, tmpfs, hostname and workdir', () => {
    const { profile } = run({
      memory: '512m',
      cpus: '1.5',
      pidsLimit: '100',
      tmpfs: ['/cache:size=16m,mode=1770'],
      hostname: 'web1',
      workdir: '/var//www/',
    });
    expect(profile.resources).toEqual({ memory: 536870912, cpuQuota: 150000, pidsLimit: 100 });
    expect(profile.tmpfs).toEqual([
      { destination: '/cache', size: 16777216, mode: 0o1770, flags: ['nosuid', 'nodev', 'noexec'] },
    ]);
    expect(profile.hostname).toBe('web1');
    expect(profile.workdir).toBe('/var/www');
  });

  it('refuses NET_ADMIN with allowlists (PROFILE_CONFLICT)', () => {
    expect(() => run({ capAdd: ['NET_ADMIN'] })).toThrow(
      expect.objectContaining({ code: 'PROFILE_CONFLICT' }),
    );
    expect(() => run({ capAdd: ['NET_ADMIN'], egressAllow: ['none'] }, null)).toThrow(
      expect.objectContaining({ code: 'PROFILE_CONFLICT' }),
    );
    expect(run({ capAdd: ['NET_ADMIN'] }, null).profile.capabilities).toContain('CAP_NET_ADMIN');
  });

  it('refuses turning no-new-privileges off (UNSUPPORTED)', () => {
    expect(() => run({ securityOpt: ['no-new-privileges=false'] })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    );
  });

  it.each<[string, ProfileFlags]>([
    ['bad security-opt', { securityOpt: ['apparmor=unconfined'] }],
    ['relative seccomp path', { securityOpt: ['seccomp=x.json'] }],
    ['bad label type', { securityOpt: ['label=type:Bad'] }],
    ['bad selinux context', { selinuxContext: 'nope' }],
    ['bad memory', { memory: '12q' }],
    ['tiny memory', { memory: '1m' }],
    ['bad cpus', { cpus: '-1' }],
    ['bad pids', { pidsLimit: '0' }],
    ['relative tmpfs', { tmpfs: ['tmp'] }],
    ['bad tmpfs option', { tmpfs: ['/x:uid=5'] }],
    ['relative workdir', { workdir: 'www' }],
    ['bad hostname', { hostname: 'under_score' }],
    ['bad ulimit', { ulimit: ['nofile=99999999'] }],
  ])('%s → USAGE', (_name, flags) => {
    expect(() => run(flags)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('refuses unknown capabilities (UNKNOWN_CAPABILITY)', () => {
    expect(() => run({ capAdd: ['FLY'] })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_CAPABILITY' }),
    );
  });

  it('rejects a malformed signed label as MALFORMED_BUNDLE', () => {
    expect(() => signedProfileFromLabels({ [SECURITY_LABEL]: '{"selinux":{}}' })).toThrow(
      expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
    );
  });
});
