// SPDX-License-Identifier: Apache-2.0
import type { VerifyInput } from './types.js';

/** Default log quorum without `--log-quorum` and manifest (04 §2). */
export const DEFAULT_LOG_QUORUM = 2;

/**
 * The log quorum q of 04 §2: `--log-quorum`, else with a manifest max(`minimum-logs` (default 2),
 * the consensus k), else 2.
 */
export function logQuorum(input: Pick<VerifyInput, 'logQuorum' | 'requirements'>): number {
  if (input.logQuorum !== undefined) return input.logQuorum;
  const r = input.requirements;
  if (r === undefined) return DEFAULT_LOG_QUORUM;
  return Math.max(r.minimumLogs ?? DEFAULT_LOG_QUORUM, r.consensusLogs ?? 0);
}
