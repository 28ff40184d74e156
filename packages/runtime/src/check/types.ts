// SPDX-License-Identifier: Apache-2.0
// The result of `vordr check` (05 §8): one entry per check, then the container's verdict.

/** `pass` ✓, `fail` ✗, `warn` !, `skip` – (05 §8). */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** The checks of 05 §8, by their JSON names. */
export type CheckName =
  | 'process-tree'
  | 'capabilities'
  | 'no-new-privileges'
  | 'seccomp'
  | 'file-integrity'
  | 'read-only-root'
  | 'cgroup-limits'
  | 'selinux'
  | 'network-connections'
  | 'network-rules'
  | 'verification'
  | 'deviations'
  | 'monitor';

/** One measured check. */
export interface CheckResult {
  readonly name: CheckName;
  /** The guide's wording for the human line (“Process tree matches manifest”). */
  readonly title: string;
  readonly status: CheckStatus;
  /** One line: what was measured, or why the check failed or was skipped. */
  readonly detail: string;
  /** What vordr expected, when that is one value (`"2"`, `"CHOWN, SETUID"`). */
  readonly expected?: string;
  /** What was measured, when that is one value. */
  readonly observed?: string;
  /** Every violation found, each naming what it is about (a pid, a path, a file). */
  readonly violations: readonly string[];
}

/** One round of `vordr check`. */
export interface CheckReport {
  /** The container's name. */
  readonly container: string;
  readonly id: string;
  /** ISO 8601. */
  readonly checkedAt: string;
  /** No check failed. */
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}

/** A report of `checks` (ok = nothing failed). */
export function makeReport(fields: Omit<CheckReport, 'ok'>): CheckReport {
  return { ...fields, ok: fields.checks.every((c) => c.status !== 'fail') };
}
