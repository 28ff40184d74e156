// SPDX-License-Identifier: Apache-2.0
// Finding and reading the trust store `build`, `sign` and `publish` use (02 §9, 00 §4).
import { resolve } from 'node:path';
import { VcError, resolveStoreRoot, storePaths } from '@verified-container/shared';
import { parseTrustStore, type TrustStore } from '@verified-container/shared/attestation';
import { pathExists, readInputFile } from '../io/files.js';

export interface LoadedTrustStore {
  readonly path: string;
  readonly store: TrustStore;
}

export interface TrustStoreLocation {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly uid: number;
  readonly homeDir: string;
}

/**
 * The trust store named by `flag`, else `$VC_TRUST_STORE`, else `$VC_ROOT/keys/trust-store.json`
 * when that file exists (undefined otherwise). A named file that is missing → READ_FAILED; one
 * that does not validate → TRUST_STORE_INVALID naming the first problem.
 */
export async function loadTrustStore(
  flag: string | undefined,
  where: TrustStoreLocation,
): Promise<LoadedTrustStore | undefined> {
  const named = flag ?? where.env['VC_TRUST_STORE'];
  let path: string;
  if (named !== undefined && named !== '') {
    path = resolve(where.cwd, named);
  } else {
    path = storePaths(resolveStoreRoot(where)).trustStore;
    if (!(await pathExists(path))) return undefined;
  }
  const parsed = parseTrustStore(await readInputFile(path, { what: 'trust store' }));
  if (parsed.trustStore === undefined) {
    const first = parsed.errors[0];
    throw new VcError(
      first?.code === 'INSUFFICIENT_LOG_OPERATORS'
        ? 'INSUFFICIENT_LOG_OPERATORS'
        : 'TRUST_STORE_INVALID',
      `${path}: ${first?.path ?? '$'}: ${first?.message ?? 'invalid trust store'}`,
      { errors: parsed.errors, hint: `run cerro-torre validate --type trust-store ${path}` },
    );
  }
  return { path, store: parsed.trustStore };
}
