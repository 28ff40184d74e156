// SPDX-License-Identifier: Apache-2.0
// The port `publish` submits through (03 §7 POST /api/v1/entries, 03 §9 `file:` logs).
import { VcError } from '@verified-container/shared';

/**
 * One transparency log as a submitter sees it. `submit` takes the DSSE envelope's JSON bytes
 * (exactly what the log stores) and resolves to the log's answer, unchecked. It rejects with a
 * {@link LogSubmitError}.
 */
export interface LogClient {
  submit(envelopeBytes: Uint8Array): Promise<unknown>;
  /** Releases what the client holds (an open `file:` log). */
  close?(): Promise<void>;
}

/** Why a submission failed, and whether another attempt may help (03 §10 step 2). */
export class LogSubmitError extends VcError<'LOG_UNAVAILABLE' | 'LOG_REJECTED'> {
  /** Connection error, timeout, 408, 429 or 5xx. */
  readonly retryable: boolean;
  /** A `Retry-After` the log asked for, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    opts: {
      retryable: boolean;
      retryAfterMs?: number;
      cause?: unknown;
      /** Default: `LOG_UNAVAILABLE` when retryable, else `LOG_REJECTED`. */
      code?: 'LOG_UNAVAILABLE' | 'LOG_REJECTED';
    },
  ) {
    super(opts.code ?? (opts.retryable ? 'LOG_UNAVAILABLE' : 'LOG_REJECTED'), message, {
      ...(opts.cause !== undefined ? { cause: opts.cause } : {}),
    });
    this.retryable = opts.retryable;
    this.retryAfterMs = opts.retryAfterMs;
  }
}
