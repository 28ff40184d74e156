// SPDX-License-Identifier: Apache-2.0
// Submitting to a `file:` log directly through the log library (03 §9).
import { VcError } from '@verified-container/shared';
import { openFileLog, type FileLog } from '../tlog/index.js';
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
 */
export class FileLogClient implements LogClient {
  private log: Promise<FileLog> | undefined;

  constructor(private readonly opts: FileLogClientOptions) {}

  async submit(envelopeBytes: Uint8Array): Promise<unknown> {
    this.log ??= openFileLog(this.opts.dir, {
      mode: 'embedded',
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

  async close(): Promise<void> {
    const pending = this.log;
    this.log = undefined;
    if (pending === undefined) return;
    const log = await pending.catch(() => undefined);
    await log?.close();
  }
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
