// SPDX-License-Identifier: Apache-2.0
import { join } from 'node:path';
import { VcError, formatRfc3339Utc } from '@verified-container/shared';
import {
  parsePrivateKeyPem,
  publicKeyFromBase64,
  publicKeyToBase64,
  type Ed25519PrivateKey,
  type Ed25519PublicKey,
} from '@verified-container/shared/crypto';
import { isLogId } from '@verified-container/shared/tlog';
import { readInputFile } from '../io/files.js';

/** The files of a log directory (03 §8). */
export function logPaths(dir: string) {
  return {
    config: join(dir, 'log.json'),
    key: join(dir, 'log.key'),
    pub: join(dir, 'log.pub'),
    entries: join(dir, 'entries.dat'),
    hashes: join(dir, 'hashes'),
    head: join(dir, 'head.json'),
    lock: join(dir, 'lock'),
  };
}

/** `log.json` (03 §8). */
export interface LogConfig {
  formatVersion: 1;
  logId: string;
  /** Base64 SPKI of the log key. */
  publicKey: string;
  created: string;
}

export function makeLogConfig(logId: string, key: Ed25519PublicKey, now: Date): LogConfig {
  return {
    formatVersion: 1,
    logId,
    publicKey: publicKeyToBase64(key),
    created: formatRfc3339Utc(now),
  };
}

/** Reads and checks `D/log.json`; `LOG_CORRUPT` naming the file when it is not a log config. */
export async function readLogConfig(
  dir: string,
): Promise<{ config: LogConfig; publicKey: Ed25519PublicKey }> {
  const path = logPaths(dir).config;
  const bytes = await readInputFile(path, { what: 'log configuration', maxBytes: 1 << 20 });
  let value: Partial<LogConfig>;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LogConfig>;
  } catch (cause) {
    throw new VcError('LOG_CORRUPT', `${path}: not JSON`, { cause });
  }
  if (value.formatVersion !== 1 || !isLogId(value.logId) || typeof value.publicKey !== 'string') {
    throw new VcError(
      'LOG_CORRUPT',
      `${path}: not a log configuration (formatVersion 1, logId, publicKey)`,
      {
        hint: 'create the log with cerro-torre log init',
      },
    );
  }
  let publicKey: Ed25519PublicKey;
  try {
    publicKey = publicKeyFromBase64(value.publicKey);
  } catch (cause) {
    throw new VcError('LOG_CORRUPT', `${path}: publicKey is not an Ed25519 SPKI`, { cause });
  }
  return { config: value as LogConfig, publicKey };
}

/**
 * Loads a log signing key (PEM, encrypted when a passphrase is needed, 02 §8) and checks it is
 * the key of `log.json`: `LOG_KEY_MISMATCH` otherwise.
 */
export async function loadLogKey(
  path: string,
  expected: Ed25519PublicKey,
  passphrase: string | undefined,
): Promise<Ed25519PrivateKey> {
  const pem = new TextDecoder().decode(
    await readInputFile(path, { what: 'log key', maxBytes: 1 << 16 }),
  );
  const key = parsePrivateKeyPem(pem, passphrase === '' ? undefined : passphrase);
  if (key.publicKey.keyId !== expected.keyId) {
    throw new VcError('LOG_KEY_MISMATCH', `the key ${path} is not the key of this log`, {
      hint: 'pass the log.key created by log init for this directory',
    });
  }
  return key;
}
