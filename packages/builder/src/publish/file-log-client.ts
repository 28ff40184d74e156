// SPDX-License-Identifier: Apache-2.0
// Submitting to a `file:` log directly through the log library (03 §9), and reading it (03 §12).
import { readFile } from 'node:fs/promises';
import { VcError } from '@verified-container/shared';
import { isEncryptedPem, type Ed25519PrivateKey } from '@verified-container/shared/crypto';
import { readPrivateKeyAsking, type KeyPassphrase } from '../signing/passphrase.js';
import {
  logPaths,
  openFileLog,
  openFileLogReader,
  type FileLog,
  type FileLogReader,
} from '../tlog/index.js';
import type { LogReader } from '../transparency/log-reader.js';
import { LogSubmitError, type LogClient } from './log-client.js';

export interface FileLogClientOptions {
  /** The log directory (absolute). */
  readonly dir: string;
  /** Passphrase of an encrypted `<dir>/log.key`. */
  readonly passphrase?: string;
}

/**
 * Appends to the log directory as an embedded writer (the library takes the log's lock per
 * append). The directory is opened on the first submission; a log that cannot be opened counts as
 * unavailable without retries, a submission the log refuses as rejected.
 *
 * Reads need no key and take no lock: they see the tree of the `head.json` found by the first
 * read (`readTreeHead`), so proofs asked for later are to that head. A log that cannot be read
 * → `LOG_UNAVAILABLE`; a size or index beyond that head → `LOG_REJECTED`.
 */
export class FileLogClient implements LogClient, LogReader {
  private log: Promise<FileLog> | undefined;
  private reader: Promise<FileLogReader> | undefined;
  private key: Ed25519PrivateKey | undefined;

  constructor(private readonly opts: FileLogClientOptions) {}

  /**
   * Decrypts an encrypted `<dir>/log.key` now, asking `passphrase` (02 §8), so that a missing or
   * wrong passphrase fails the command (`KEY_PASSPHRASE_REQUIRED` / `KEY_PASSPHRASE_INVALID`)
   * before anything is submitted. An unencrypted or unreadable key is left to the first
   * submission (a log that cannot be opened is unavailable).
   */
  async unlock(passphrase: KeyPassphrase): Promise<void> {
    const path = logPaths(this.opts.dir).key;
    let pem: string;
    try {
      pem = await readFile(path, 'utf8');
    } catch {
      return;
    }
    if (!isEncryptedPem(pem)) return;
    this.key = await readPrivateKeyAsking(path, passphrase);
  }

  async submit(envelopeBytes: Uint8Array): Promise<unknown> {
    this.log ??= openFileLog(this.opts.dir, {
      mode: 'embedded',
      ...(this.key !== undefined ? { key: this.key } : {}),
      ...(this.opts.passphrase !== undefined ? { passphrase: this.opts.passphrase } : {}),
    });
    let log: FileLog;
    try {
      log = await this.log;
    } catch (cause) {
      throw new LogSubmitError(`cannot open the log ${this.opts.dir}: ${messageOf(cause)}`, {
        retryable: false,
        code: 'LOG_UNAVAILABLE',
        cause,
      });
    }
    try {
      return (await log.appendEnvelope('attestation', envelopeBytes)).response;
    } catch (cause) {
      const code: string | undefined = cause instanceof VcError ? String(cause.code) : undefined;
      throw new LogSubmitError(`${code !== undefined ? `${code}: ` : ''}${messageOf(cause)}`, {
        retryable: code === 'LOG_UNAVAILABLE',
        cause,
      });
    }
  }

  async readTreeHead(): Promise<{ sth: unknown; checkpoint: string }> {
    const { checkpoint, ...sth } = (await this.openReader()).head();
    return { sth, checkpoint };
  }

  async readConsistencyProof(first: number, second: number): Promise<unknown> {
    const reader = await this.openReader();
    return reading(() => reader.consistencyProof(first, second));
  }

  async readInclusionProof(logIndex: number, treeSize: number): Promise<unknown> {
    const reader = await this.openReader();
    return reading(() => reader.inclusionProof(logIndex, treeSize));
  }

  async readEntry(logIndex: number): Promise<unknown> {
    const reader = await this.openReader();
    return reading(() => reader.entry(logIndex));
  }

  async findRevocations(revokedDigest: string): Promise<unknown> {
    const reader = await this.openReader();
    return { entries: await reading(() => reader.find('revokedDigest', revokedDigest)) };
  }

  private async openReader(): Promise<FileLogReader> {
    this.reader ??= openFileLogReader(this.opts.dir);
    try {
      return await this.reader;
    } catch (cause) {
      throw new VcError(
        'LOG_UNAVAILABLE',
        `cannot read the log ${this.opts.dir}: ${messageOf(cause)}`,
        {
          cause,
        },
      );
    }
  }

  async close(): Promise<void> {
    const reading = this.reader;
    this.reader = undefined;
    (await reading?.catch(() => undefined))?.close();
    const pending = this.log;
    this.log = undefined;
    if (pending === undefined) return;
    const log = await pending.catch(() => undefined);
    await log?.close();
  }
}

/** Runs a read of the view: sizes it does not hold → `LOG_REJECTED`, storage → `LOG_UNAVAILABLE`. */
async function reading<T>(read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (cause) {
    const code = cause instanceof VcError ? String(cause.code) : '';
    const refused = code === 'LOG_NOT_FOUND' || code === 'LOG_BAD_REQUEST';
    throw new VcError(
      refused ? 'LOG_REJECTED' : 'LOG_UNAVAILABLE',
      `${code !== '' ? `${code}: ` : ''}${messageOf(cause)}`,
      {
        cause,
      },
    );
  }
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
