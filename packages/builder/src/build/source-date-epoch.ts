// SPDX-License-Identifier: Apache-2.0
// SOURCE_DATE_EPOCH precedence (01 §6.3).
import { VcError } from '@verified-container/shared';
import { MAX_SOURCE_DATE_EPOCH } from '@verified-container/shared/generate';

/** Where the epoch of a build came from. */
export type EpochSource = 'flag' | 'env' | 'lock' | 'default';

export interface SourceDateEpoch {
  readonly value: number;
  readonly source: EpochSource;
}

/**
 * The build's SOURCE_DATE_EPOCH: `--source-date-epoch`, else the `SOURCE_DATE_EPOCH` environment
 * variable, else the lock's `sourceDateEpoch`, else 0. An explicit value that is not a decimal
 * integer 0–253402300799 → MANIFEST_VALUE naming where it came from. Pure.
 */
export function resolveSourceDateEpoch(input: {
  readonly flag?: string;
  readonly env?: string;
  readonly lock?: number;
}): SourceDateEpoch {
  if (input.flag !== undefined)
    return { value: parseEpoch(input.flag, '--source-date-epoch'), source: 'flag' };
  if (input.env !== undefined && input.env !== '') {
    return { value: parseEpoch(input.env, 'SOURCE_DATE_EPOCH'), source: 'env' };
  }
  if (input.lock !== undefined)
    return { value: checkEpoch(input.lock, 'the lock'), source: 'lock' };
  return { value: 0, source: 'default' };
}

function parseEpoch(text: string, what: string): number {
  if (!/^[0-9]{1,12}$/.test(text.trim())) throw invalid(text, what);
  return checkEpoch(Number(text.trim()), what);
}

function checkEpoch(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_SOURCE_DATE_EPOCH) {
    throw invalid(String(value), what);
  }
  return value;
}

function invalid(text: string, what: string): VcError {
  return new VcError(
    'MANIFEST_VALUE',
    `${what}: SOURCE_DATE_EPOCH must be an integer 0–${MAX_SOURCE_DATE_EPOCH}, got ${JSON.stringify(text)}`,
    { hint: 'give seconds since 1970-01-01T00:00:00Z, e.g. $(git log -1 --format=%ct)' },
  );
}

/** {@link resolveSourceDateEpoch} from a build's `--source-date-epoch`, environment and lock. */
export function sourceDateEpochOf(
  opts: { readonly sourceDateEpoch?: string },
  env: Readonly<Record<string, string | undefined>>,
  lock: number | undefined,
): number {
  return resolveSourceDateEpoch({
    ...(opts.sourceDateEpoch !== undefined ? { flag: opts.sourceDateEpoch } : {}),
    ...(env['SOURCE_DATE_EPOCH'] !== undefined ? { env: env['SOURCE_DATE_EPOCH'] } : {}),
    ...(lock !== undefined ? { lock } : {}),
  }).value;
}
