// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  avcDenials,
  checkDeviations,
  checkReadOnlyRoot,
  checkSelinux,
  rootMountOptions,
} from './simple-checks.js';

const MOUNTINFO = `1032 1010 0:120 / / ro,relatime - overlay overlay rw,lowerdir=/a,upperdir=/b,workdir=/c
1033 1032 0:125 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
`;

describe('read-only root', () => {
  it('reads the options of the mount on /', () => {
    expect(rootMountOptions(MOUNTINFO)).toEqual(['ro', 'relatime']);
    expect(rootMountOptions('')).toBeUndefined();
  });

  it('passes on ro, fails on rw, skips when the profile allows writes', () => {
    expect(checkReadOnlyRoot(true, MOUNTINFO).status).toBe('pass');
    const rw = checkReadOnlyRoot(true, MOUNTINFO.replace(' / / ro,', ' / / rw,'));
    expect(rw).toMatchObject({ status: 'fail', violations: ['/ is writable'] });
    expect(checkReadOnlyRoot(false, MOUNTINFO).status).toBe('skip');
    expect(checkReadOnlyRoot(true, undefined).status).toBe('skip');
  });
});

describe('selinux', () => {
  const label = 'system_u:system_r:container_t:s0:c1,c2';
  it('skips with the spec wording where SELinux is off', () => {
    const r = checkSelinux({ enabled: false, expectedLabel: label, labels: [], denials: [] });
    expect(r).toMatchObject({ status: 'skip' });
    expect(r.detail).toBe(`SELinux not enabled on this host (label ${label})`);
  });

  it('fails on another label or a denial', () => {
    const r = checkSelinux({
      enabled: true,
      expectedLabel: label,
      labels: [
        { pid: 5, label },
        { pid: 6, label: 'unconfined_u:unconfined_r:unconfined_t:s0' },
      ],
      denials: ['type=AVC msg=audit(10.0:1): avc: denied { read }'],
    });
    expect(r.status).toBe('fail');
    expect(r.violations).toHaveLength(2);
    expect(r.violations[0]).toContain('pid 6: label unconfined_u');
  });

  it('finds the AVC denials of the label since the start', () => {
    const log = [
      `type=AVC msg=audit(100.5:1): avc:  denied  { read } for pid=1 scontext=${label} tcontext=x`,
      `type=AVC msg=audit(300.5:2): avc:  denied  { write } for pid=1 scontext=${label} tcontext=x`,
      `type=AVC msg=audit(300.5:3): avc:  denied  { write } for pid=1 scontext=other tcontext=x`,
    ].join('\n');
    expect(avcDenials(log, label, 200)).toEqual([expect.stringContaining('{ write }')]);
  });
});

describe('deviations', () => {
  it('are warnings', () => {
    expect(checkDeviations([]).status).toBe('pass');
    const r = checkDeviations([
      { setting: 'capabilities', manifest: 'CHOWN', effective: 'CHOWN, NET_RAW' },
    ]);
    expect(r).toMatchObject({
      status: 'warn',
      detail: 'capabilities: manifest CHOWN, running CHOWN, NET_RAW',
    });
  });
});
