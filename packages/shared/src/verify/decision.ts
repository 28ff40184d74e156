// SPDX-License-Identifier: Apache-2.0
import type { Problem } from '../errors.js';
import type { Decision, VerifyMode, VerifyResult, VerifyResultJson } from './types.js';

/** Codes that REJECT in every mode (04 §4, §5). */
export const ALWAYS_REJECT_CODES: ReadonlySet<string> = new Set([
  'MALFORMED_BUNDLE',
  'SUBJECT_MISMATCH',
]);

/** True when `text` names a verification mode. */
export function isVerifyMode(text: unknown): text is VerifyMode {
  return text === 'strict' || text === 'permissive' || text === 'audit';
}

/**
 * The decision for a list of failures under a mode (04 §5): none → ALLOW; a code that rejects in
 * every mode → REJECT; otherwise strict REJECT, permissive WARN, audit LOG.
 */
export function decide(errors: readonly Problem[], mode: VerifyMode): Decision {
  if (errors.length === 0) return 'ALLOW';
  if (errors.some((e) => ALWAYS_REJECT_CODES.has(e.code))) return 'REJECT';
  switch (mode) {
    case 'strict':
      return 'REJECT';
    case 'permissive':
      return 'WARN';
    case 'audit':
      return 'LOG';
  }
}

/** `cerro-torre` exit status of a decision (04 §4): 0 for ALLOW, WARN and LOG, else 1. */
export function cerroTorreExitCode(result: Pick<VerifyResult, 'decision'>): number {
  return result.decision === 'REJECT' ? 1 : 0;
}

/** `vordr` exit status of a decision (04 §4): REJECT is 2 with `MALFORMED_BUNDLE` among the errors, else 1. */
export function vordrDecisionExitCode(result: Pick<VerifyResult, 'decision' | 'errors'>): number {
  if (result.decision !== 'REJECT') return 0;
  return result.errors.some((e) => e.code === 'MALFORMED_BUNDLE') ? 2 : 1;
}

/** The JSON document of 04 §5 for a result (details dropped; error members only when not ALLOW). */
export function toVerifyResultJson(result: VerifyResult): VerifyResultJson {
  const common = {
    attestationsVerified: result.attestationsVerified,
    logEntriesVerified: result.logEntriesVerified,
    thresholdsMet: result.thresholdsMet,
    imageDigest: result.imageDigest,
    warnings: result.warnings,
  };
  if (result.decision === 'ALLOW') return { decision: 'ALLOW', ...common };
  return {
    decision: result.decision,
    ...(result.errorCode !== undefined ? { errorCode: result.errorCode } : {}),
    ...(result.message !== undefined ? { message: result.message } : {}),
    errors: result.errors,
    ...common,
  };
}
