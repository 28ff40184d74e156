// SPDX-License-Identifier: Apache-2.0
// The people-facing check list of `cerro-torre verify <target>` and `vordr verify` (04 §9): one
// line per check, built from the result of the pure algorithm. Pure.
import type { Problem } from '../errors.js';
import type { VerifyResult } from './types.js';
import type { Severity } from './vulnerabilities.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** One line of the list; `--json` prints these as `checks`. */
export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** The codes of the errors and warnings this check reports. */
  readonly codes: string[];
}

/** A check line with what rendering needs beyond the JSON. */
export interface RenderedCheck extends Check {
  /** `(detail)` after the name, or `: detail`. */
  readonly style: 'paren' | 'colon';
  readonly problems: readonly Problem[];
}

/** What the check list needs besides the result: the manifest's and trust store's numbers. */
export interface CheckListContext {
  /** `[attestations.signing].threshold` of the manifest. */
  readonly signing?: { readonly k: number; readonly n: number };
  /** The trust-store groups checked, with their k and n. */
  readonly groups: readonly { readonly name: string; readonly k: number; readonly n: number }[];
  /** n of the log line: the manifest's logs, else the trust store's. */
  readonly logCount: number;
  /** A manifest was verified against the provenance. */
  readonly manifestGiven: boolean;
  /** The manifest has licence lists (the licence line is shown only then). */
  readonly licenseLists: boolean;
  /** Present when the vulnerability gate ran (04 §6.5). */
  readonly vulnerability?: {
    readonly maxSeverity: Severity;
    readonly db?: { readonly name: string; readonly digest: string };
  };
  /**
   * `--rebuild` was given; `rebuiltDigest` when the rebuild produced an image. Absent: no
   * reproducibility line at all (`vordr verify`, 05 §9).
   */
  readonly rebuild?: { readonly requested: boolean; readonly rebuiltDigest?: string };
}

const STEP_OF_LINE = {
  bound: 5,
  threshold: 9,
  logs: 8,
  content: 10,
  rebuild: 11,
} as const;

const THRESHOLD_CODES = new Set([
  'UNKNOWN_KEY',
  'REVOKED',
  'EXPIRED_KEY',
  'KEY_NOT_YET_VALID',
  'INVALID_SIGNATURE',
  'THRESHOLD_NOT_MET',
]);
const LOG_CODES = new Set(['INSUFFICIENT_LOG_COVERAGE', 'LOG_PROOF_INVALID']);
const VULN_CODES = new Set([
  'VULNERABILITY_FOUND',
  'VULNERABILITY_DB_MISSING',
  'VULNERABILITY_UNKNOWN_SEVERITY',
]);
const SPDX_TYPE = 'https://spdx.dev/Document';
const SLSA_TYPE = 'https://slsa.dev/provenance/v1';

const VULN_TITLES: Record<Severity, string> = {
  none: 'No known vulnerabilities',
  low: 'No medium/high/critical vulnerabilities',
  medium: 'No high/critical vulnerabilities',
  high: 'No critical vulnerabilities',
  critical: 'Vulnerabilities within policy',
};

/** The check lines of 04 §9 for a result, in the order of the spec's table. */
export function checksOf(result: VerifyResult, ctx: CheckListContext): Check[] {
  return renderedChecksOf(result, ctx).map(({ name, status, detail, codes }) => ({
    name,
    status,
    detail,
    codes,
  }));
}

/** The check lines with the problems each one lists under it (for {@link renderCheck}). */
export function renderedChecksOf(result: VerifyResult, ctx: CheckListContext): RenderedCheck[] {
  const d = result.details;
  const stoppedAt = d.stoppedAt;
  const byLine = assignProblems(result);
  const failuresWarn = result.decision === 'WARN' || result.decision === 'LOG';
  const stopCode = result.errorCode ?? 'stopped';
  const line = (
    key: keyof ReturnType<typeof assignProblems>,
    name: string,
    step: number,
    passDetail: string,
    style: RenderedCheck['style'] = 'paren',
  ): RenderedCheck => {
    const { errors, warnings } = byLine[key];
    const codes = [...new Set([...errors, ...warnings].map((p) => p.code))];
    if (errors.length > 0) {
      return {
        name,
        status: failuresWarn ? 'warn' : 'fail',
        detail: errors[0]?.message ?? '',
        codes,
        style,
        problems: errors.concat(warnings),
      };
    }
    if (stoppedAt !== undefined && step > stoppedAt) {
      return {
        name,
        status: 'skip',
        detail: `skipped (${stopCode})`,
        codes,
        style: 'colon',
        problems: [],
      };
    }
    if (warnings.length > 0) {
      return {
        name,
        status: 'warn',
        detail: warnings.map((w) => messageWithHint(w)).join('; '),
        codes,
        style: 'colon',
        problems: [],
      };
    }
    return { name, status: 'pass', detail: passDetail, codes, style, problems: [] };
  };

  const lines: RenderedCheck[] = [];
  const count = d.attestationCount ?? 0;
  lines.push(
    line(
      'bound',
      'Attestations bound to the image',
      STEP_OF_LINE.bound,
      `${count} ${count === 1 ? 'attestation' : 'attestations'}${ctx.manifestGiven ? '; manifest matches provenance' : ''}`,
    ),
  );
  lines.push(
    line(
      'threshold',
      `Threshold signatures${thresholdLabel(ctx)}`,
      STEP_OF_LINE.threshold,
      (d.signers ?? []).join(', '),
      'colon',
    ),
  );
  lines.push(
    line(
      'logs',
      `Transparency log consensus (${d.quorum}-of-${ctx.logCount})`,
      STEP_OF_LINE.logs,
      [...(d.verifiedLogIds ?? [])].sort().join(', '),
      'colon',
    ),
  );
  const sbom = d.sbom ?? null;
  lines.push(
    line(
      'sbom',
      'SBOM present and valid',
      STEP_OF_LINE.content,
      sbom !== null
        ? `SPDX 2.3, ${sbom.packages} ${sbom.packages === 1 ? 'package' : 'packages'}`
        : '',
    ),
  );
  if (ctx.licenseLists) {
    lines.push(line('licences', 'Licences allowed by policy', STEP_OF_LINE.content, ''));
  }
  if (ctx.vulnerability !== undefined) {
    const v = ctx.vulnerability;
    const db = v.db !== undefined ? `database ${v.db.name}, ${shortDigest(v.db.digest)}; ` : '';
    lines.push(
      line(
        'vulnerabilities',
        VULN_TITLES[v.maxSeverity],
        STEP_OF_LINE.content,
        `${db}0 findings above ${v.maxSeverity}`,
      ),
    );
  }
  lines.push(
    line(
      'provenance',
      'All dependencies have provenance',
      STEP_OF_LINE.content,
      dependencyCounts(sbom?.purlTypes ?? {}),
    ),
  );
  if (ctx.rebuild === undefined) return lines;
  if (!ctx.rebuild.requested) {
    lines.push({
      name: 'Build reproducible',
      status: 'skip',
      detail: 'skipped (use --rebuild)',
      codes: [],
      style: 'colon',
      problems: [],
    });
  } else {
    lines.push(
      line(
        'rebuild',
        'Build reproducible',
        STEP_OF_LINE.rebuild,
        ctx.rebuild.rebuiltDigest !== undefined
          ? `rebuilt ${shortDigest(ctx.rebuild.rebuiltDigest)}`
          : '',
      ),
    );
  }
  return lines;
}

/**
 * The whole stderr text: the header, one line per check (failures followed by one indented
 * `CODE: message` line each) and the decision line.
 */
export function renderCheckList(
  header: string,
  result: VerifyResult,
  ctx: CheckListContext,
): string {
  const out = [header];
  for (const c of renderedChecksOf(result, ctx)) out.push(...renderCheck(c));
  out.push(decisionLine(result));
  return `${out.join('\n')}\n`;
}

/**
 * The text lines of one check: `✓ name (detail)` (or `: detail`), `✗ name` / `! name` followed by
 * one indented `  CODE: message` line per problem, `! name: detail`, `– name: reason`.
 */
export function renderCheck(c: RenderedCheck): string[] {
  const mark = CHECK_MARKS[c.status];
  if (c.status === 'pass') {
    const detail = c.detail === '' ? '' : c.style === 'paren' ? ` (${c.detail})` : `: ${c.detail}`;
    return [`${mark} ${c.name}${detail}`];
  }
  if (c.problems.length > 0) {
    return [`${mark} ${c.name}`, ...c.problems.map((p) => `  ${p.code}: ${messageWithHint(p)}`)];
  }
  return [`${mark} ${c.name}: ${c.detail}`];
}

/** `Verifying <ref> (sha256:abcd…wxyz) with trust store <id> (serial n)`. */
export function headerLine(
  ref: string,
  imageDigest: string | null,
  trustStore: { readonly id: string; readonly serial: number },
): string {
  const digest = imageDigest !== null ? shortDigest(imageDigest) : 'digest unknown';
  return `Verifying ${ref} (${digest}) with trust store ${trustStore.id} (serial ${trustStore.serial})`;
}

/** `ALLOW`, or `REJECT <code>` / `WARN <code>` / `LOG <code>` with the first code. */
export function decisionLine(result: Pick<VerifyResult, 'decision' | 'errorCode'>): string {
  return result.decision === 'ALLOW'
    ? 'ALLOW'
    : `${result.decision} ${result.errorCode ?? ''}`.trimEnd();
}

/** The markers of 00 §6 (kept under NO_COLOR: they are not colour). */
export const CHECK_MARKS: Record<CheckStatus, string> = {
  pass: '✓',
  fail: '✗',
  warn: '!',
  skip: '–',
};

function thresholdLabel(ctx: CheckListContext): string {
  if (ctx.signing !== undefined) return ` (${ctx.signing.k}-of-${ctx.signing.n})`;
  if (ctx.groups.length === 0) return '';
  return ` (${ctx.groups.map((g) => `${g.name} ${g.k}-of-${g.n}`).join(', ')})`;
}

/** `148 Debian packages, 1 external, 3 composer` from the SBOM's purl types. */
function dependencyCounts(types: Readonly<Record<string, number>>): string {
  const deb = types['deb'] ?? 0;
  const composer = types['composer'] ?? 0;
  const external = Object.entries(types)
    .filter(([t]) => t !== 'deb' && t !== 'composer')
    .reduce((sum, [, n]) => sum + n, 0);
  const parts = [
    ...(deb > 0 ? [`${deb} Debian ${deb === 1 ? 'package' : 'packages'}`] : []),
    ...(external > 0 ? [`${external} external`] : []),
    ...(composer > 0 ? [`${composer} composer`] : []),
  ];
  return parts.length > 0 ? parts.join(', ') : 'no packages';
}

function messageWithHint(p: Problem): string {
  return p.hint !== undefined ? `${p.message} (${p.hint})` : p.message;
}

/** Errors and warnings by check line (an unknown code goes to the first line). */
function assignProblems(result: VerifyResult) {
  const keys = [
    'bound',
    'threshold',
    'logs',
    'sbom',
    'licences',
    'vulnerabilities',
    'provenance',
    'rebuild',
  ] as const;
  type Key = (typeof keys)[number];
  const lines = Object.fromEntries(
    keys.map((k) => [k, { errors: [] as Problem[], warnings: [] as Problem[] }]),
  ) as Record<Key, { errors: Problem[]; warnings: Problem[] }>;
  const keyOf = (p: Problem): Key | undefined => {
    if (THRESHOLD_CODES.has(p.code)) return 'threshold';
    if (LOG_CODES.has(p.code)) return 'logs';
    if (VULN_CODES.has(p.code)) return 'vulnerabilities';
    switch (p.code) {
      case 'SBOM_INVALID':
        return 'sbom';
      case 'LICENSE_DENIED':
        return 'licences';
      case 'MISSING_PROVENANCE':
        return 'provenance';
      case 'NOT_REPRODUCIBLE':
        return 'rebuild';
      case 'MISSING_ATTESTATION':
        // Step 10 names the missing predicate type; step 2 is the bundle itself.
        if (p.message.includes(SPDX_TYPE)) return 'sbom';
        if (p.message.includes(SLSA_TYPE)) return 'provenance';
        return 'bound';
      case 'MALFORMED_BUNDLE':
      case 'SUBJECT_MISMATCH':
        return 'bound';
      default:
        return undefined;
    }
  };
  for (const e of result.errors) lines[keyOf(e) ?? 'bound'].errors.push(e);
  for (const w of result.warnings) {
    const key = keyOf(w);
    // Warnings no line owns (an ignored log entry) are in --json only.
    if (key !== undefined) lines[key].warnings.push(w);
  }
  return lines;
}

/** `sha256:abcd…wxyz`: the first and last four hex digits of a digest. */
export function shortDigest(digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return hex.length <= 8 ? digest : `sha256:${hex.slice(0, 4)}…${hex.slice(-4)}`;
}
