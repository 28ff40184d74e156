// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  capabilityNamesOf,
  checkCapabilities,
  checkNoNewPrivs,
  checkProcessTree,
  checkSeccomp,
  type ContainerProcess,
  type ProcessExpectations,
} from './process-checks.js';
import { parseProcessStatus, type ProcessStatus } from './process-status.js';

const STATUS = `Name:\tsleep
State:\tS (sleeping)
PPid:\t41
CapInh:\t0000000000000081
CapPrm:\t0000000000000081
CapEff:\t0000000000000081
CapBnd:\t0000000000000081
CapAmb:\t0000000000000000
NoNewPrivs:\t1
Seccomp:\t2
Seccomp_filters:\t1
`;

function status(over: Partial<ProcessStatus> = {}): ProcessStatus {
  return { ...parseProcessStatus(STATUS)!, ...over };
}

function proc(
  pid: number,
  ancestors: number[],
  over: Partial<ProcessStatus> = {},
): ContainerProcess {
  return { pid, status: status(over), cmdline: ['sleep', '1000'], ancestors };
}

const EXPECT: ProcessExpectations = {
  initPid: 41,
  command: ['/bin/sh', '-c', 'serve'],
  capabilities: ['CAP_CHOWN', 'CAP_SETUID'],
  seccomp: true,
  execSessions: new Set([900]),
};

describe('parseProcessStatus', () => {
  it('reads the capability sets, PPid, NoNewPrivs and Seccomp', () => {
    const s = parseProcessStatus(STATUS)!;
    expect(s.caps.CapEff).toBe(0x81n);
    expect(s.caps.CapAmb).toBe(0n);
    expect(s).toMatchObject({ name: 'sleep', state: 'S', ppid: 41, noNewPrivs: 1, seccomp: 2 });
  });

  it('is undefined without the fields check needs', () => {
    expect(parseProcessStatus(STATUS.replace(/^Seccomp:.*$/m, ''))).toBeUndefined();
    expect(
      parseProcessStatus(STATUS.replace('CapEff:\t0000000000000081', 'CapEff:\tzz')),
    ).toBeUndefined();
    expect(parseProcessStatus('')).toBeUndefined();
  });
});

describe('capabilities', () => {
  it('names bits, unknown ones by number', () => {
    expect(capabilityNamesOf(0x81n)).toEqual(['CHOWN', 'SETUID']);
    expect(capabilityNamesOf(1n << 63n)).toEqual(['bit 63']);
  });

  it('passes when every set is inside the effective set (fewer is fine)', () => {
    const r = checkCapabilities(
      [proc(41, [1]), proc(42, [41, 1], { caps: { ...status().caps, CapEff: 0n } })],
      EXPECT,
    );
    expect(r.status).toBe('pass');
    expect(r.detail).toBe('CHOWN, SETUID');
  });

  it('fails on a bit outside the set in any of the five sets, naming the process', () => {
    const caps = { ...status().caps, CapEff: 0x81n | (1n << 21n), CapAmb: 1n << 12n };
    const r = checkCapabilities([proc(41, [1]), proc(77, [1], { caps })], EXPECT);
    expect(r.status).toBe('fail');
    expect(r.violations).toEqual([
      'pid 77 (sleep 1000): CapEff has SYS_ADMIN outside the effective set',
      'pid 77 (sleep 1000): CapAmb has NET_ADMIN outside the effective set',
    ]);
  });
});

describe('no_new_privs and seccomp', () => {
  it('want NoNewPrivs 1 and Seccomp 2 in every process', () => {
    expect(checkNoNewPrivs([proc(41, [1])]).status).toBe('pass');
    const loose = proc(50, [1], { noNewPrivs: 0, seccomp: 0 });
    expect(checkNoNewPrivs([proc(41, [1]), loose]).violations).toEqual([
      'pid 50 (sleep 1000): NoNewPrivs 0, expected 1',
    ]);
    expect(checkSeccomp([loose], EXPECT)).toMatchObject({
      status: 'fail',
      violations: ['pid 50 (sleep 1000): Seccomp 0, expected 2'],
    });
  });

  it('warns instead of failing for a container run with seccomp=unconfined', () => {
    const r = checkSeccomp([proc(41, [1], { seccomp: 0 })], { ...EXPECT, seccomp: false });
    expect(r.status).toBe('warn');
  });
});

describe('process tree', () => {
  it('accepts the command, its descendants and processes of live exec sessions', () => {
    const r = checkProcessTree(
      [
        proc(41, [10, 1]),
        proc(42, [41, 10, 1]),
        proc(43, [42, 41, 10, 1]),
        proc(60, [901, 900, 1]),
      ],
      EXPECT,
    );
    expect(r.status).toBe('pass');
    expect(r.detail).toBe('4 processes under /bin/sh -c serve, 1 from exec sessions');
  });

  it('flags a process that entered the container from elsewhere', () => {
    const intruder: ContainerProcess = { ...proc(70, [1]), exe: '/bin/busybox' };
    const r = checkProcessTree([proc(41, [10, 1]), intruder], EXPECT);
    expect(r.status).toBe('fail');
    expect(r.violations).toEqual([
      'pid 70 (sleep 1000) /bin/busybox: not started by the command or a vordr exec session',
    ]);
  });
});
