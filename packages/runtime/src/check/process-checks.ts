// SPDX-License-Identifier: Apache-2.0
// The per-process checks of 05 §8 (pure): capabilities, no_new_privs, seccomp, process tree.
import { LINUX_CAPABILITIES } from '@verified-container/shared/manifest';
import { CAPABILITY_SET_NAMES, type ProcessStatus } from './process-status.js';
import type { CheckResult } from './types.js';

/** One process of the container's cgroup, as measured from the host. */
export interface ContainerProcess {
  /** Host pid. */
  readonly pid: number;
  readonly status: ProcessStatus;
  /** `/proc/<pid>/cmdline`, split at NUL. */
  readonly cmdline: readonly string[];
  /** `/proc/<pid>/exe` as the kernel shows it; undefined when unreadable. */
  readonly exe?: string;
  /** Host pids of the parent, grandparent, … up to pid 1 (the parent first). */
  readonly ancestors: readonly number[];
}

/** What the container should look like: from its OCI spec and record. */
export interface ProcessExpectations {
  /** Host pid of the container's init process (the command). */
  readonly initPid: number;
  /** The command (`process.args`), for the messages. */
  readonly command: readonly string[];
  /** The effective capability set (`CAP_…` names); every set of every process must be inside it. */
  readonly capabilities: readonly string[];
  /** Whether a seccomp filter was installed (false: `seccomp=unconfined`). */
  readonly seccomp: boolean;
  /** Host pids of recorded `exec` sessions (vordr processes still running `runc exec`). */
  readonly execSessions: ReadonlySet<number>;
}

/** `pid 42 (sleep)`: how messages name a process. */
export function processLabel(p: ContainerProcess): string {
  const name = p.cmdline[0] !== undefined ? p.cmdline.join(' ') : p.status.name;
  return `pid ${p.pid} (${truncate(name, 60)})`;
}

/** The capability names (without `CAP_`) of the bits of `mask`, unknown bits as `bit N`. */
export function capabilityNamesOf(mask: bigint): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((mask & (1n << BigInt(bit))) === 0n) continue;
    const name = LINUX_CAPABILITIES[bit];
    names.push(name !== undefined ? name.replace(/^CAP_/, '') : `bit ${bit}`);
  }
  return names;
}

/** The mask of a set of `CAP_…` names (unknown names ignored). */
export function capabilityBits(caps: readonly string[]): bigint {
  let mask = 0n;
  for (const cap of caps) {
    const bit = (LINUX_CAPABILITIES as readonly string[]).indexOf(cap);
    if (bit >= 0) mask |= 1n << BigInt(bit);
  }
  return mask;
}

/**
 * `capabilities` “Capabilities not escalated”: every bit of CapBnd, CapEff, CapPrm, CapInh and
 * CapAmb of every process must be in the effective set (a process may hold fewer).
 */
export function checkCapabilities(
  processes: readonly ContainerProcess[],
  expected: ProcessExpectations,
): CheckResult {
  const allowed = capabilityBits(expected.capabilities);
  const shown = capabilityNamesOf(allowed).join(', ') || 'none';
  const violations: string[] = [];
  for (const p of processes) {
    for (const set of CAPABILITY_SET_NAMES) {
      const extra = p.status.caps[set] & ~allowed;
      if (extra !== 0n) {
        violations.push(
          `${processLabel(p)}: ${set} has ${capabilityNamesOf(extra).join(', ')} outside the effective set`,
        );
      }
    }
  }
  return {
    name: 'capabilities',
    title: 'Capabilities not escalated',
    status: violations.length === 0 ? 'pass' : 'fail',
    detail: violations.length === 0 ? shown : firstAndCount(violations),
    expected: shown,
    violations,
  };
}

/** `no-new-privileges`: `NoNewPrivs: 1` in every process. */
export function checkNoNewPrivs(processes: readonly ContainerProcess[]): CheckResult {
  const violations = processes
    .filter((p) => p.status.noNewPrivs !== 1)
    .map((p) => `${processLabel(p)}: NoNewPrivs ${p.status.noNewPrivs}, expected 1`);
  return {
    name: 'no-new-privileges',
    title: 'no_new_privs set',
    status: violations.length === 0 ? 'pass' : 'fail',
    detail:
      violations.length === 0 ? `NoNewPrivs 1 in ${count(processes)}` : firstAndCount(violations),
    expected: '1',
    violations,
  };
}

/**
 * `seccomp`: `Seccomp: 2` (filter) in every process. A container run with
 * `seccomp=unconfined` has no filter to check: `warn`, as that deviation was chosen at `run`.
 */
export function checkSeccomp(
  processes: readonly ContainerProcess[],
  expected: ProcessExpectations,
): CheckResult {
  const base = { name: 'seccomp', title: 'Seccomp filter active', expected: '2' } as const;
  if (!expected.seccomp) {
    return {
      ...base,
      status: 'warn',
      detail: 'the container runs without a seccomp filter (seccomp=unconfined)',
      expected: '0',
      violations: [],
    };
  }
  const violations = processes
    .filter((p) => p.status.seccomp !== 2)
    .map((p) => `${processLabel(p)}: Seccomp ${p.status.seccomp}, expected 2`);
  return {
    ...base,
    status: violations.length === 0 ? 'pass' : 'fail',
    detail:
      violations.length === 0 ? `Seccomp 2 in ${count(processes)}` : firstAndCount(violations),
    violations,
  };
}

/**
 * `process-tree` “Process tree matches manifest”. A process is expected when it is the command
 * (the init process), descends from it (what the command starts), or descends from a recorded
 * `exec` session. Anything else in the cgroup entered it from outside (a `runc exec` or
 * `nsenter` vordr did not run) and is a violation. Executables are not compared: entrypoint
 * scripts legitimately `exec` other programs, and a multi-call binary (busybox) is every tool.
 */
export function checkProcessTree(
  processes: readonly ContainerProcess[],
  expected: ProcessExpectations,
): CheckResult {
  const violations: string[] = [];
  let fromSessions = 0;
  for (const p of processes) {
    if (p.pid === expected.initPid || p.ancestors.includes(expected.initPid)) continue;
    if (p.ancestors.some((a) => expected.execSessions.has(a))) {
      fromSessions++;
      continue;
    }
    violations.push(
      `${processLabel(p)}${p.exe !== undefined ? ` ${p.exe}` : ''}: not started by the command or a vordr exec session`,
    );
  }
  const command = truncate(expected.command.join(' '), 60);
  const sessions = fromSessions === 0 ? '' : `, ${fromSessions} from exec sessions`;
  return {
    name: 'process-tree',
    title: 'Process tree matches manifest',
    status: violations.length === 0 ? 'pass' : 'fail',
    detail:
      violations.length === 0
        ? `${count(processes)} under ${command}${sessions}`
        : firstAndCount(violations),
    expected: command,
    observed: processes.map((p) => p.cmdline.join(' ')).join('; '),
    violations,
  };
}

function count(processes: readonly unknown[]): string {
  return processes.length === 1 ? '1 process' : `${processes.length} processes`;
}

/** The first violation, and how many more there are. */
export function firstAndCount(violations: readonly string[]): string {
  const more = violations.length - 1;
  return more === 0 ? violations[0]! : `${violations[0]!} (and ${more} more)`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
