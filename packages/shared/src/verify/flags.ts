// SPDX-License-Identifier: Apache-2.0
// The verification flags every verifier CLI takes (04 §8, §9; 05 §9), checked the same way.
import { VcError } from '../errors.js';
import { parseRfc3339 } from '../time/rfc3339.js';
import { isVerifyMode } from './decision.js';
import type { VerifyMode } from './types.js';

/** `--mode` (default strict); anything else is USAGE. */
export function parseVerifyMode(text: string | undefined): VerifyMode {
  const mode = text ?? 'strict';
  if (!isVerifyMode(mode)) {
    throw new VcError(
      'USAGE',
      `--mode must be strict, permissive or audit, not ${JSON.stringify(mode)}`,
    );
  }
  return mode;
}

/** `--now <RFC 3339>`; anything else is USAGE. */
export function parseVerifyNow(text: string): Date {
  const ms = parseRfc3339(text);
  if (ms === null) {
    throw new VcError('USAGE', `--now must be an RFC 3339 time, not ${JSON.stringify(text)}`, {
      hint: 'for example --now 2026-11-25T12:00:00Z',
    });
  }
  return new Date(ms);
}

/** `--log-quorum <n>`, n ≥ 1; anything else is USAGE. */
export function parseLogQuorumFlag(text: string): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new VcError('USAGE', `--log-quorum must be an integer ≥ 1, not ${JSON.stringify(text)}`);
  }
  return n;
}
