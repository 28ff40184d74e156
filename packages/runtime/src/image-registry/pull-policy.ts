// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';

/** `run --pull` (05 §3): when a registry reference is pulled before it runs. */
export type PullPolicy = 'missing' | 'always' | 'never';

export const DEFAULT_PULL_POLICY: PullPolicy = 'missing';

/** `--pull missing|always|never` (default `missing`); anything else → USAGE. Pure. */
export function parsePullPolicy(text: string | undefined): PullPolicy {
  if (text === undefined) return DEFAULT_PULL_POLICY;
  if (text === 'missing' || text === 'always' || text === 'never') return text;
  throw new VcError('USAGE', `--pull takes missing, always or never, not ${JSON.stringify(text)}`);
}
