// SPDX-License-Identifier: Apache-2.0
import { isDecisionCode } from './error-codes.js';

/** Exit statuses of 00 §8 and 01 §9.1. */
export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  NETWORK: 3,
  VORDR_ERROR: 125,
} as const;

/**
 * The `cerro-torre` conformance commands (`validate`, `verify --bundle`, `create-bundle`,
 * `sign --statement`, `canonicalize`, `verify-proof`): 1 invalid or REJECT, 2 anything else.
 */
export function conformanceExitCode(code: string): number {
  if (isDecisionCode(code) || code.startsWith('MANIFEST_') || code === 'LOG_PROOF_INVALID') {
    return EXIT.FAILED;
  }
  return EXIT.USAGE;
}

const BUILDER_USAGE_CODES: ReadonlySet<string> = new Set([
  'USAGE',
  'READ_FAILED',
  'WRITE_FAILED',
  'INTERNAL',
  'BUILD_TOOL_MISSING',
  'BUILD_SANDBOX_FAILED',
  'TRUST_STORE_INVALID',
  'INSUFFICIENT_LOG_OPERATORS',
  'THRESHOLD_GROUP_UNKNOWN',
  'VULNERABILITY_DB_INVALID',
  'AUDIT_WRITE_FAILED',
  'CONFIG_INVALID',
  'STORE_LOCKED',
  'STATE_CORRUPT',
  'LOG_KEY_MISMATCH',
]);

const BUILDER_NETWORK_CODES: ReadonlySet<string> = new Set([
  'BUILD_FETCH_FAILED',
  'LOG_UNAVAILABLE',
  'REGISTRY_UNAVAILABLE',
]);

/** Every other `cerro-torre` command (01 §9.1): 1 the work failed, 2 usage/read/internal, 3 network. */
export function builderExitCode(code: string): number {
  if (BUILDER_NETWORK_CODES.has(code)) return EXIT.NETWORK;
  if (BUILDER_USAGE_CODES.has(code) || code.startsWith('KEY_')) return EXIT.USAGE;
  return EXIT.FAILED;
}

/** `vordr` (00 §8): decisions 1 (malformed 2, log unavailable 3), everything else 125. */
export function vordrExitCode(code: string): number {
  if (code === 'MALFORMED_BUNDLE') return 2;
  if (code === 'LOG_UNAVAILABLE') return 3;
  if (isDecisionCode(code) || code === 'SELINUX_REQUIRED' || code === 'CHECK_FAILED') {
    return EXIT.FAILED;
  }
  return EXIT.VORDR_ERROR;
}
