// SPDX-License-Identifier: Apache-2.0
// Reading and editing the local trust store file (02 §9 `trust show/add-key/add-log/revoke-key`).
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import {
  VcError,
  formatRfc3339Utc,
  parseRfc3339,
  resolveStoreRoot,
  storePaths,
  type Problem,
} from '@verified-container/shared';
import { parseTrustStore, type TrustStore } from '@verified-container/shared/attestation';
import { parseJson, type JsonValue } from '@verified-container/shared/json';
import { pathExists, readInputFile, writeFileAtomic } from '../io/files.js';
import type { TrustStoreLocation } from './load-trust-store.js';

/** A trust store file as read: its exact bytes, the parsed JSON as written, and the checked store. */
export interface TrustStoreFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** The JSON document as written (unknown members and member order kept). */
  readonly document: Record<string, JsonValue>;
  readonly store: TrustStore;
  readonly digest: string;
  readonly profile: 'dev' | 'production';
  readonly warnings: readonly Problem[];
}

/** `flag`, else `$VC_TRUST_STORE`, else `$VC_ROOT/keys/trust-store.json` (00 §5). */
export function trustStorePath(flag: string | undefined, where: TrustStoreLocation): string {
  const named = flag ?? where.env['VC_TRUST_STORE'];
  if (named !== undefined && named !== '') return resolve(where.cwd, named);
  return storePaths(resolveStoreRoot(where)).trustStore;
}

/**
 * Reads and validates a trust store file. Missing → `READ_FAILED` (hint `trust init`); invalid →
 * `TRUST_STORE_INVALID` (or `INSUFFICIENT_LOG_OPERATORS`) naming the first problem, with all of
 * them in `errors`.
 */
export async function readTrustStoreFile(path: string): Promise<TrustStoreFile> {
  if (!(await pathExists(path))) {
    throw new VcError('READ_FAILED', `there is no trust store ${path}`, {
      hint: 'create one with cerro-torre trust init, or name one with --trust-store',
    });
  }
  const bytes = await readInputFile(path, { what: 'trust store' });
  const parsed = parseTrustStore(bytes);
  if (parsed.trustStore === undefined) {
    const first = parsed.errors[0];
    throw new VcError(
      first?.code === 'INSUFFICIENT_LOG_OPERATORS' ? first.code : 'TRUST_STORE_INVALID',
      `${path}: ${first?.path ?? '$'}: ${first?.message ?? 'invalid trust store'}`,
      { errors: parsed.errors, hint: `run cerro-torre validate --type trust-store ${path}` },
    );
  }
  // valid, so the document is an object that parses again without error
  const document = parseJson(bytes) as Record<string, JsonValue>;
  return {
    path,
    bytes,
    document,
    store: parsed.trustStore,
    digest: parsed.digest,
    profile: parsed.profile,
    warnings: parsed.warnings,
  };
}

export interface EditedTrustStore {
  readonly path: string;
  readonly store: TrustStore;
  readonly serial: number;
  readonly updated: string;
  readonly digest: string;
  readonly previousDigest: string;
  readonly warnings: readonly Problem[];
}

/**
 * Applies `edit` to a copy of the store's JSON document, bumps `serial` and sets `updated` to
 * `now` (at least one second after the previous `updated`, so the new store is always "later",
 * 02 §9), validates the result under the file's profile and writes it atomically (2-space JSON,
 * final LF, the file's mode kept). Nothing is written when the result is invalid
 * (`TRUST_STORE_INVALID` naming the first problem).
 */
export async function editTrustStore(
  file: TrustStoreFile,
  now: Date,
  edit: (document: Record<string, JsonValue>) => void,
): Promise<EditedTrustStore> {
  const document = structuredClone(file.document);
  edit(document);
  const serial = file.store.serial + 1;
  const previous = parseRfc3339(file.store.updated) ?? 0;
  const updated = formatRfc3339Utc(new Date(Math.max(now.getTime(), previous + 1000)));
  const next: Record<string, JsonValue> = {};
  // keep the member order; serial goes after id when the file had none
  for (const [name, value] of Object.entries(document)) {
    next[name] = value;
    if (name === 'id' && !('serial' in document)) next['serial'] = serial;
  }
  next['serial'] = serial;
  next['updated'] = updated;
  const bytes = new TextEncoder().encode(`${JSON.stringify(next, null, 2)}\n`);
  const checked = parseTrustStore(bytes, { profile: file.profile });
  const first = checked.errors[0];
  if (checked.trustStore === undefined || first !== undefined) {
    throw new VcError(
      first?.code ?? 'TRUST_STORE_INVALID',
      `the edited trust store would be invalid: ${first?.path ?? '$'}: ${first?.message ?? 'invalid'}`,
      { errors: checked.errors, hint: `${file.path} is unchanged` },
    );
  }
  let mode = 0o644;
  try {
    mode = (await fs.stat(file.path)).mode & 0o777;
  } catch {
    // read a moment ago; keep the default mode
  }
  await writeFileAtomic(file.path, bytes, { mode });
  return {
    path: file.path,
    store: checked.trustStore,
    serial,
    updated,
    digest: checked.digest,
    previousDigest: file.digest,
    warnings: checked.warnings,
  };
}
