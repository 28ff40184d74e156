// SPDX-License-Identifier: Apache-2.0
// The smaller checks of 05 §8 (pure): read-only root, SELinux, deviations, monitor.
import type { Deviation } from '../profile/index.js';
import type { CheckResult } from './types.js';

/** The mount options of the last mount on `/` in a mountinfo text; undefined when none. */
export function rootMountOptions(mountinfo: string): string[] | undefined {
  let options: string[] | undefined;
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    if (fields[4] === '/' && fields[5] !== undefined) options = fields[5].split(',');
  }
  return options;
}

/** `read-only-root`: `/` mounted `ro` in the container when the profile says so. */
export function checkReadOnlyRoot(readonly: boolean, mountinfo: string | undefined): CheckResult {
  const base = { name: 'read-only-root', title: 'Root filesystem read-only' } as const;
  if (!readonly) {
    return {
      ...base,
      status: 'skip',
      detail: 'the profile allows a writable root',
      violations: [],
    };
  }
  const options = mountinfo === undefined ? undefined : rootMountOptions(mountinfo);
  if (options === undefined) {
    return { ...base, status: 'skip', detail: 'the init process already exited', violations: [] };
  }
  const ro = options.includes('ro');
  return {
    ...base,
    status: ro ? 'pass' : 'fail',
    detail: ro ? '/ mounted ro' : `/ mounted ${options.join(',')}, expected ro`,
    expected: 'ro',
    observed: ro ? 'ro' : 'rw',
    violations: ro ? [] : ['/ is writable'],
  };
}

export interface SelinuxObservation {
  readonly enabled: boolean;
  /** The record's label (`system_u:system_r:container_t:s0:c1,c2`). */
  readonly expectedLabel: string;
  /** `/proc/<pid>/attr/current` of each process. */
  readonly labels: readonly { readonly pid: number; readonly label: string | undefined }[];
  /** AVC denial lines of the container's label since its start. */
  readonly denials: readonly string[];
}

/** `selinux` “SELinux violations (none)”. */
export function checkSelinux(o: SelinuxObservation): CheckResult {
  const base = { name: 'selinux', title: 'SELinux violations (none)' } as const;
  if (!o.enabled) {
    return {
      ...base,
      status: 'skip',
      detail: `SELinux not enabled on this host (label ${o.expectedLabel})`,
      violations: [],
    };
  }
  const violations = [
    ...o.labels
      .filter((p) => p.label !== o.expectedLabel)
      .map((p) => `pid ${p.pid}: label ${p.label ?? '(unreadable)'}, expected ${o.expectedLabel}`),
    ...o.denials.map((d) => `AVC denial: ${d}`),
  ];
  return {
    ...base,
    status: violations.length === 0 ? 'pass' : 'fail',
    detail: violations.length === 0 ? o.expectedLabel : violations[0]!,
    expected: o.expectedLabel,
    violations,
  };
}

/** The AVC denial lines of an audit log that concern `label`. */
export function avcDenials(auditLog: string, label: string, sinceEpochSeconds: number): string[] {
  const out: string[] = [];
  for (const line of auditLog.split('\n')) {
    if (!line.includes('avc:') || !line.includes('denied') || !line.includes(`scontext=${label}`)) {
      continue;
    }
    const stamp = /msg=audit\((\d+)(?:\.\d+)?:/.exec(line);
    if (stamp !== null && Number(stamp[1]) < sinceEpochSeconds) continue;
    out.push(line.trim());
  }
  return out;
}

/** Deviations from the signed profile chosen at `run` (05 §4.3): a warning, never a failure. */
export function checkDeviations(deviations: readonly Deviation[]): CheckResult {
  const lines = deviations.map(
    (d) => `${d.setting}: manifest ${d.manifest}, running ${d.effective}`,
  );
  return {
    name: 'deviations',
    title: 'Runs as signed (no deviations)',
    status: lines.length === 0 ? 'pass' : 'warn',
    detail: lines.length === 0 ? 'the effective profile is the signed one' : lines.join('; '),
    violations: lines,
  };
}

/** conmon died while runc still runs the container (05 §13): no more log capture. */
export function checkMonitor(monitorLost: boolean): CheckResult {
  return {
    name: 'monitor',
    title: 'Container monitor alive',
    status: monitorLost ? 'warn' : 'pass',
    detail: monitorLost ? 'conmon is gone: the log is no longer captured' : 'conmon running',
    violations: monitorLost ? ['conmon is gone'] : [],
  };
}
