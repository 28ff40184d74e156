// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { parseJson } from '@verified-container/shared/json';
import { cacheNotAfter, type VerifyResult } from '@verified-container/shared/verify/cache';
import { writeFileAtomic } from './atomic-file.js';

/** A cached verification result (04 §10), as stored in `<dir>/<key>.json`. */
interface CachedResult {
  readonly notAfter: string;
  readonly result: VerifyResult;
}

/**
 * The cached result for `key` when it is still valid at `now`, else undefined. A missing,
 * unreadable or malformed cache file is a miss, never an error: the cache only saves work.
 */
export async function readCachedResult(
  dir: string,
  key: string,
  now: Date,
): Promise<VerifyResult | undefined> {
  try {
    const bytes = await fs.readFile(join(dir, `${key}.json`));
    const cached = parseJson(bytes, { mode: 'ecma' }) as unknown as CachedResult;
    const notAfter = Date.parse(cached.notAfter);
    if (!Number.isFinite(notAfter) || now.getTime() >= notAfter) return undefined;
    const result = cached.result;
    if (typeof result !== 'object' || result === null || typeof result.decision !== 'string') {
      return undefined;
    }
    // An entry written before `details` had the envelopes and findings is a miss (≤ 1 h old).
    if (!Array.isArray(result.details?.attestations) || !Array.isArray(result.details.findings)) {
      return undefined;
    }
    return result;
  } catch {
    return undefined;
  }
}

/**
 * Stores `result` under `key` (directory 0700, file 0600) with `notAfter` = min(now + 1 h, the
 * counted keys' validity). A failure to write is ignored: the decision stands without a cache
 * entry, since the cache only saves work.
 */
export async function writeCachedResult(
  dir: string,
  key: string,
  now: Date,
  result: VerifyResult,
): Promise<void> {
  const notAfter = cacheNotAfter(now, result.details.keysValidUntil);
  const doc: CachedResult = { notAfter: notAfter.toISOString(), result };
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(dir, `${key}.json`), `${JSON.stringify(doc)}\n`, { mode: 0o600 });
  } catch {
    // The cache only saves work.
  }
}
