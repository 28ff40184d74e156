// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { isVcError } from '@verified-container/shared';
import { JsonError, parseJson } from '@verified-container/shared/json';
import { cacheNotAfter, type VerifyResult } from '@verified-container/shared/verify';
import { ensureDirectory, writeFileAtomic } from '../io/files.js';

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
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(join(dir, `${key}.json`));
  } catch {
    return undefined;
  }
  try {
    const cached = parseJson(bytes, { mode: 'ecma' }) as unknown as CachedResult;
    const notAfter = Date.parse(cached.notAfter);
    if (!Number.isFinite(notAfter) || now.getTime() >= notAfter) return undefined;
    return cached.result;
  } catch (err) {
    if (err instanceof JsonError || isVcError(err) || err instanceof TypeError) return undefined;
    throw err;
  }
}

/** Stores `result` under `key` with `notAfter` = min(now + 1 h, the counted keys' validity). */
export async function writeCachedResult(
  dir: string,
  key: string,
  now: Date,
  result: VerifyResult,
): Promise<void> {
  const notAfter = cacheNotAfter(now, result.details.keysValidUntil);
  const doc: CachedResult = { notAfter: notAfter.toISOString(), result };
  await ensureDirectory(dir, 0o700);
  await writeFileAtomic(join(dir, `${key}.json`), `${JSON.stringify(doc)}\n`, { mode: 0o600 });
}
