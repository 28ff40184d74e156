// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { VcError, systemClock, type Clock } from '@verified-container/shared';
import {
  generatePrivateKey,
  privateKeyToPem,
  publicKeyToBase64,
  publicKeyToPem,
} from '@verified-container/shared/crypto';
import { isLogId, noteVerifierKey } from '@verified-container/shared/tlog';
import { ensureDirectory, pathExists, writeFileAtomic } from '../io/files.js';
import { openFileLog } from './file-log.js';
import { logPaths, makeLogConfig } from './log-dir.js';

export interface InitLogOptions {
  dir: string;
  logId: string;
  operator?: string;
  url?: string;
  /** Encrypts `log.key` (02 §8) when set. */
  passphrase?: string;
  /** Re-initialise a directory holding an empty log. */
  force?: boolean;
  clock?: Clock;
}

/** Trust-store log entry (02 §9) of a new log. */
export interface TrustStoreLogEntry {
  operator: string;
  publicKey: string;
  url: string;
  algorithm: 'ed25519';
}

export interface InitLogResult {
  logId: string;
  keyId: string;
  publicKey: string;
  noteVerifierKey: string;
  trustStoreEntry: Record<string, TrustStoreLogEntry>;
}

/**
 * Creates a log directory (03 §9.1): key pair, `log.json`, empty storage and a signed size-0
 * head. A directory that already holds a log → `LOG_EXISTS`; `force` only replaces an empty log.
 */
export async function initLog(opts: InitLogOptions): Promise<InitLogResult> {
  const dir = resolve(opts.dir);
  if (!isLogId(opts.logId)) {
    throw new VcError('USAGE', `invalid log id ${JSON.stringify(opts.logId)}`, {
      hint: 'a log id matches ^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$ (03 §1)',
    });
  }
  const paths = logPaths(dir);
  if (await pathExists(paths.config)) {
    const entries = await fs.stat(paths.entries).catch(() => null);
    if (opts.force !== true || (entries !== null && entries.size > 0)) {
      throw new VcError('LOG_EXISTS', `${dir} already holds a log`, {
        hint:
          opts.force === true
            ? 'the log has entries; a log with entries is never re-initialised'
            : 'use --force to re-initialise an empty log',
      });
    }
    for (const name of [paths.head, paths.entries, paths.hashes]) {
      await fs.rm(name, { recursive: true, force: true });
    }
  }
  await ensureDirectory(dir, 0o755);
  const key = generatePrivateKey();
  const clock = opts.clock ?? systemClock;
  await writeFileAtomic(paths.key, privateKeyToPem(key, opts.passphrase), { mode: 0o600 });
  await writeFileAtomic(paths.pub, publicKeyToPem(key.publicKey), { mode: 0o644 });
  const config = makeLogConfig(opts.logId, key.publicKey, clock.now());
  await writeFileAtomic(paths.config, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
  // Opening creates entries.dat, the level files and the signed size-0 head.
  const log = await openFileLog(dir, { key, clock });
  await log.close();
  const publicKey = publicKeyToBase64(key.publicKey);
  return {
    logId: opts.logId,
    keyId: key.publicKey.keyId,
    publicKey,
    noteVerifierKey: noteVerifierKey(opts.logId, key.publicKey),
    trustStoreEntry: {
      [opts.logId]: {
        operator: opts.operator ?? opts.logId,
        publicKey,
        url: opts.url ?? `file:${dir}`,
        algorithm: 'ed25519',
      },
    },
  };
}
