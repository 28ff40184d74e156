// SPDX-License-Identifier: Apache-2.0
// Reading signing keys from files and from the store's keys directory (02 §8, §10).
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError, storePaths } from '@verified-container/shared';
import { parsePrivateKeyPem, type Ed25519PrivateKey } from '@verified-container/shared/crypto';
import { pathExists, readInputFile } from '../io/files.js';
import { readPrivateKeyAsking, type KeyPassphrase } from './passphrase.js';

/** A private key and where it came from. */
export interface LoadedKey {
  readonly key: Ed25519PrivateKey;
  readonly path: string;
  /** The keyholder whose `$VC_ROOT/keys/<name>.key` it is; undefined for `--key` files. */
  readonly keyholder?: string;
}

export interface LoadedKeys {
  /** Distinct keys (by key id): `--key` files first, then keyholders in manifest order. */
  readonly keys: readonly LoadedKey[];
  /** Keyholders without a `$VC_ROOT/keys/<name>.key`. */
  readonly missing: readonly string[];
  /** People-facing warnings (group/other-readable private keys). */
  readonly warnings: readonly string[];
}

const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * Reads a PKCS#8 PEM private key file (02 §8), decrypting it with `passphrase`. Errors keep their
 * `KEY_*` code and name the file; a group- or other-readable file adds a warning.
 */
export async function readPrivateKeyFile(
  path: string,
  passphrase: string | undefined,
  warnings: string[] = [],
): Promise<Ed25519PrivateKey> {
  const bytes = await readInputFile(path, { maxBytes: MAX_KEY_FILE_BYTES, what: 'private key' });
  if (bytes.byteLength > MAX_KEY_FILE_BYTES) {
    throw new VcError('KEY_INVALID', `${path}: a private key file is at most 64 KiB`);
  }
  try {
    const stat = await fs.stat(path);
    if ((stat.mode & 0o077) !== 0) {
      warnings.push(
        `warning: private key ${path} is readable by group or others (chmod 600 ${path})`,
      );
    }
  } catch {
    // readable a moment ago; the mode check is advice only
  }
  try {
    return parsePrivateKeyPem(Buffer.from(bytes).toString('utf8'), passphrase);
  } catch (err) {
    if (err instanceof VcError) {
      throw new VcError(err.code, `${path}: ${err.message}`, {
        cause: err,
        ...(err.hint !== undefined ? { hint: err.hint } : {}),
      });
    }
    throw err;
  }
}

/**
 * The keys `build` signs with (02 §10 step 1): each of `extraKeyFiles`, then
 * `<root>/keys/<keyholder>.key` for each keyholder that has one, in keyholder order. A key that
 * appears twice is kept once. All encrypted keys share `passphrase`: a string, or a
 * {@link KeyPassphrase} asked only when an encrypted key is met.
 */
export async function loadKeyholderKeys(
  root: string,
  keyholders: readonly string[],
  extraKeyFiles: readonly string[],
  opts: { passphrase?: string | KeyPassphrase } = {},
): Promise<LoadedKeys> {
  const given = opts.passphrase;
  const passphrase: KeyPassphrase =
    typeof given === 'function' ? given : () => Promise.resolve(given);
  const keys: LoadedKey[] = [];
  const missing: string[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const add = (loaded: LoadedKey) => {
    if (seen.has(loaded.key.publicKey.keyId)) return;
    seen.add(loaded.key.publicKey.keyId);
    keys.push(loaded);
  };
  for (const path of extraKeyFiles) {
    add({ key: await readPrivateKeyAsking(path, passphrase, warnings), path });
  }
  const dir = storePaths(root).keys;
  for (const keyholder of keyholders) {
    const path = join(dir, `${keyholder}.key`);
    if (!(await pathExists(path))) {
      missing.push(keyholder);
      continue;
    }
    add({ key: await readPrivateKeyAsking(path, passphrase, warnings), path, keyholder });
  }
  return { keys, missing, warnings };
}
