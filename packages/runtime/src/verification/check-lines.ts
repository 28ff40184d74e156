// SPDX-License-Identifier: Apache-2.0
// The check lines vordr prints (05 §4.8 lines 1–3 for `run`, 04 §9 without the reproducibility
// line for `verify`) and their text. Pure.
import type { Problem } from '@verified-container/shared';
import {
  CHECK_MARKS,
  decisionLine,
  renderCheck,
  renderedChecksOf,
  type CheckListContext,
  type VerifyResult,
} from '@verified-container/shared/verify';

/** One check line; `--json` prints `name`, `status`, `detail` and `codes`. */
export interface CheckLine {
  /** e.g. "Container signature valid". */
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'warn' | 'skip';
  /** e.g. "2-of-3: maintainer-1, maintainer-2; logs 2-of-2". */
  readonly detail: string;
  readonly codes: readonly string[];
  /** The failures listed under a `✗`/`!` line, one `  CODE: message` each (not in the JSON). */
  readonly problems?: readonly Problem[];
  /** A passed line's detail as `(detail)` (default) or `: detail` (not in the JSON). */
  readonly style?: 'paren' | 'colon';
}

/** The JSON form of a check line (04 §9 `checks[]`). */
export function checkLineJson(line: CheckLine): {
  name: string;
  status: CheckLine['status'];
  detail: string;
  codes: string[];
} {
  return { name: line.name, status: line.status, detail: line.detail, codes: [...line.codes] };
}

/** The lines of 04 §9 without the reproducibility line (`vordr verify`, 05 §9). */
export function verifyCheckLines(
  result: VerifyResult,
  ctx: Omit<CheckListContext, 'rebuild'>,
): CheckLine[] {
  return renderedChecksOf(result, ctx).map((c) => ({
    name: c.name,
    status: c.status,
    detail: c.detail,
    codes: c.codes,
    problems: c.problems,
    style: c.style,
  }));
}

/** What the `run` lines need besides the result. */
export interface RunCheckContext {
  /** `k-of-n` of the manifest's `[attestations.signing]`, else of the checked groups. */
  readonly threshold: string | undefined;
  /** n of `logs q-of-n`: the manifest's logs, else the trust store's. */
  readonly logCount: number;
  /** Debian packages the SBOM lists, when it could be read. */
  readonly sbomPackages: number | undefined;
}

const SPDX_TYPE = 'https://spdx.dev/Document';
const SLSA_TYPE = 'https://slsa.dev/provenance/v1';
const SIGNATURE_LINE = 'Container signature valid';
const PROVENANCE_LINE = 'Provenance chain complete';
/** The name of line 3 (05 §4.8). */
export const SBOM_LINE = 'SBOM matches deployed files';
const CONTENT_STEP = 10;

/** Which `run` line reports a failure: 1 steps 1–9, 2 provenance, 3 the SBOM and its gates. */
function runLineOf(p: Problem): 0 | 1 | 2 {
  switch (p.code) {
    case 'MISSING_PROVENANCE':
      return 1;
    case 'SBOM_INVALID':
    case 'LICENSE_DENIED':
    case 'VULNERABILITY_FOUND':
    case 'VULNERABILITY_DB_MISSING':
      return 2;
    case 'MISSING_ATTESTATION':
      if (p.message.includes(SLSA_TYPE)) return 1;
      if (p.message.includes(SPDX_TYPE)) return 2;
      return 0;
    default:
      return 0;
  }
}

/**
 * Lines 1–3 of 05 §4.8 before the rootfs exists: line 1 = 04 steps 1–9, line 2 = 04 §6.4 and the
 * SLSA statement, line 3 = the SBOM's validity and its other content gates (licences,
 * vulnerabilities); the package comparison with the rootfs is {@link checkSbomMatchesRootfs}'s.
 * Failures are `✗` under strict REJECT, `!` under WARN/LOG; lines after a stopping step are `–`.
 */
export function runCheckLines(result: VerifyResult, ctx: RunCheckContext): CheckLine[] {
  const d = result.details;
  const byLine: Problem[][] = [[], [], []];
  for (const e of result.errors) byLine[runLineOf(e)]!.push(e);
  const failStatus = result.decision === 'WARN' || result.decision === 'LOG' ? 'warn' : 'fail';
  const line = (i: 0 | 1 | 2, name: string, passDetail: string, step: number): CheckLine => {
    const problems = byLine[i]!;
    const codes = [...new Set(problems.map((p) => p.code))];
    if (problems.length > 0) {
      return { name, status: failStatus, detail: problems[0]!.message, codes, problems };
    }
    if (d.stoppedAt !== undefined && step > d.stoppedAt) {
      return { name, status: 'skip', detail: `skipped (${result.errorCode ?? 'stopped'})`, codes };
    }
    return { name, status: 'pass', detail: passDetail, codes };
  };
  const who = [ctx.threshold, d.signers.join(', ')].filter((s) => s !== undefined && s !== '');
  const n = ctx.sbomPackages ?? 0;
  return [
    line(
      0,
      SIGNATURE_LINE,
      [who.join(': '), `logs ${d.quorum}-of-${ctx.logCount}`].filter((s) => s !== '').join('; '),
      0,
    ),
    line(1, PROVENANCE_LINE, '', CONTENT_STEP),
    line(2, SBOM_LINE, `${n} ${n === 1 ? 'package' : 'packages'}`, CONTENT_STEP),
  ];
}

/**
 * The text of check lines: `✓ name (detail)`, `✗ name` / `! name` followed by one indented
 * `  CODE: message` line per failure, `! name: detail`, `– name: detail`. No colour is ever
 * written, so `NO_COLOR` changes nothing; the markers stay. Ends with a newline when non-empty.
 */
export function renderCheckLines(lines: readonly CheckLine[], result: VerifyResult): string {
  const out: string[] = [];
  for (const l of lines) {
    const problems =
      l.problems ??
      (l.status === 'fail' || l.status === 'warn'
        ? result.errors.filter((e) => l.codes.includes(e.code))
        : []);
    out.push(
      ...renderCheck({
        name: l.name,
        status: l.status,
        detail: l.detail,
        codes: [...l.codes],
        style: l.style ?? 'paren',
        problems,
      }),
    );
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** The last line of `vordr verify`: `ALLOW`, or `REJECT <code>` / `WARN <code>` / `LOG <code>`. */
export { decisionLine };
export { CHECK_MARKS };
