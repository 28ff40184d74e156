// SPDX-License-Identifier: Apache-2.0
// `vordr check` output (05 §8): one ✓/✗/!/– line per check, then a summary; or one JSON document.
import type { CheckReport, CheckResult, CheckStatus } from './types.js';

const MARK: Readonly<Record<CheckStatus, string>> = { pass: '✓', fail: '✗', warn: '!', skip: '–' };

/** At most this many violations are listed under a failed check (all are in `--json`). */
const SHOWN_VIOLATIONS = 20;

/** One check as text: `✓ title (detail)`, `– title: reason`, `✗ title: violation` + the others. */
export function renderCheckResult(check: CheckResult): string {
  const mark = MARK[check.status];
  if (check.status === 'pass' || check.status === 'warn') {
    return `${mark} ${check.title}${check.detail === '' ? '' : ` (${check.detail})`}\n`;
  }
  if (check.status === 'skip' || check.violations.length === 0) {
    return `${mark} ${check.title}${check.detail === '' ? '' : `: ${check.detail}`}\n`;
  }
  const [first, ...rest] = check.violations;
  const lines = [`${mark} ${check.title}: ${first!}`];
  for (const v of rest.slice(0, SHOWN_VIOLATIONS - 1)) lines.push(`    ${v}`);
  if (rest.length >= SHOWN_VIOLATIONS) {
    lines.push(`    … and ${rest.length - (SHOWN_VIOLATIONS - 1)} more (see --json)`);
  }
  return `${lines.join('\n')}\n`;
}

/** The closing line: counts per status and the verdict. */
export function renderSummary(report: CheckReport): string {
  const n = (s: CheckStatus): number => report.checks.filter((c) => c.status === s).length;
  const verdict = report.ok ? 'ok' : 'VIOLATIONS FOUND';
  return (
    `${report.container} (${report.id.slice(0, 12)}) at ${report.checkedAt}: ${report.checks.length} checks, ` +
    `${n('pass')} passed, ${n('fail')} failed, ${n('warn')} warnings, ${n('skip')} skipped: ${verdict}\n`
  );
}

export function renderReport(report: CheckReport): string {
  return report.checks.map(renderCheckResult).join('') + renderSummary(report);
}

/**
 * The JSON document of 05 §8 (`container`, `id`, `checkedAt`, `ok`, `checks[]` with `name`,
 * `status`, `expected`, `observed`, `message`), each check also with its `title`, `detail` (=
 * `message`) and every `violations` entry.
 */
export function reportJson(report: CheckReport): unknown {
  return {
    container: report.container,
    id: report.id,
    checkedAt: report.checkedAt,
    ok: report.ok,
    checks: report.checks.map((c) => ({
      name: c.name,
      title: c.title,
      status: c.status,
      ...(c.expected !== undefined ? { expected: c.expected } : {}),
      ...(c.observed !== undefined ? { observed: c.observed } : {}),
      message: c.detail,
      detail: c.detail,
      violations: c.violations,
    })),
  };
}
