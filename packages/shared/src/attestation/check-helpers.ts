// SPDX-License-Identifier: Apache-2.0
import type { Problem } from '../errors.js';
import { decodeBase64 } from '../crypto/index.js';
import { formatJsonPath, JsonError, parseJson, type PathSegment } from '../json/index.js';

/**
 * Extends a JSONPath prefix (`$.attestations[0]`) with more segments, formatted as
 * {@link formatJsonPath} does: `childPath('$.a', 'signatures', 1, 'sig')` → `$.a.signatures[1].sig`.
 */
export function childPath(prefix: string, ...segments: readonly PathSegment[]): string {
  return prefix + formatJsonPath(segments).slice(1);
}

/** A plain (non-null, non-array) JSON object. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A structural problem of a signed document (bundle, envelope, statement, log data). */
export function malformed(path: string, message: string): Problem {
  return { code: 'MALFORMED_BUNDLE', path, message };
}

/** A safe integer (|n| ≤ 2^53−1) of at least `min`. */
export function isSafeCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

/** 64 lowercase hex characters. */
export const HEX64 = /^[0-9a-f]{64}$/;

/** A JSON hash of 03 §2: 64 lowercase hex, optionally prefixed `sha256:`. */
export function isJsonHash(value: unknown): value is string {
  return (
    typeof value === 'string' && HEX64.test(value.startsWith('sha256:') ? value.slice(7) : value)
  );
}

/**
 * base64 → bytes → strict JSON (02 §1, integers only) of a DSSE payload. Problems carry
 * `MALFORMED_BUNDLE` at `payloadPath`.
 */
export function decodePayloadJson(
  payload: string,
  payloadPath: string,
): { value: unknown; bytes: Uint8Array } | { problems: Problem[] } {
  const bytes = decodeBase64(payload);
  if (bytes === null) return { problems: [malformed(payloadPath, 'payload is not base64')] };
  try {
    return { value: parseJson(bytes, { mode: 'strict', integersOnly: true }), bytes };
  } catch (err) {
    if (!(err instanceof JsonError)) throw err;
    return {
      problems: [
        malformed(payloadPath, `the payload is not strict JSON: ${err.message} (${err.path})`),
      ],
    };
  }
}
