// SPDX-License-Identifier: Apache-2.0
// Submitting every attestation to every configured log and recording the entries (03 §10).
import { VcError, type Logger } from '@verified-container/shared';
import {
  attestationDigest,
  type AttestationBundle,
  type DsseEnvelope,
} from '@verified-container/shared/attestation';
import type { Ed25519PublicKey } from '@verified-container/shared/crypto';
import { canonicalBytes } from '@verified-container/shared/json';
import type { BundleLogEntry } from '@verified-container/shared/tlog';
import { mapLimit } from '../util/map-limit.js';
import { checkLogResponse } from './check-log-response.js';
import { LogSubmitError, type LogClient } from './log-client.js';

/** Requests in flight per log (03 §10 step 2). */
export const MAX_IN_FLIGHT_PER_LOG = 4;
/** Attempts per submission and the waits between them, before jitter (03 §10 step 2). */
export const MAX_ATTEMPTS = 5;
export const RETRY_DELAYS_MS: readonly number[] = [500, 1000, 2000, 4000];
/** Longest `Retry-After` honoured. */
export const MAX_RETRY_AFTER_MS = 30_000;

/** A log to submit to: its trust-store id and key, and how to reach it. */
export interface PublishLog {
  readonly logId: string;
  /** The trust-store key; a log without one counts as unavailable. */
  readonly publicKey?: Ed25519PublicKey;
  /** Shown in failure messages (the URL). */
  readonly display?: string;
  /**
   * How to submit; a string instead says why the log is unavailable without being contacted
   * (e.g. a `sigstore.dev` log, 03 §10 step 1).
   */
  readonly client: LogClient | string;
}

/** `threshold-agreement` (01, 03 §10 step 4): k distinct logs per attestation. */
export interface Agreement {
  readonly k: number;
  /** As written, e.g. `2-of-2`. */
  readonly text: string;
}

export interface PublishDeps {
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): the jitter of the retry waits. */
  readonly random?: () => number;
  readonly logger?: Logger;
}

export type PublishFailureCode = 'LOG_UNAVAILABLE' | 'LOG_REJECTED' | 'LOG_PROOF_INVALID';

export interface PublishFailure {
  readonly logId: string;
  readonly code: PublishFailureCode;
  readonly reason: string;
}

/** What {@link publishBundle} found; `bundle` is the input bundle unless `published`. */
export interface PublishOutcome {
  readonly published: boolean;
  readonly agreement: string;
  readonly bundle: AttestationBundle;
  /** Accepted entries, ordered by log id then attestation (also when not published). */
  readonly entries: readonly BundleLogEntry[];
  /** One per log that failed at least one submission (its first failure). */
  readonly failed: readonly PublishFailure[];
  /** Every target log id, in the order given, with `ok` or its failure code. */
  readonly logs: readonly { logId: string; display?: string; status: 'ok' | PublishFailureCode }[];
}

type Attempt = { ok: true; entry: BundleLogEntry } | { ok: false; failure: PublishFailure };

/**
 * Submits each attestation of `bundle` to every log concurrently (at most 4 requests in flight per
 * log), retrying unavailability with backoff (5 attempts, 0.5/1/2/4 s × [0.8, 1.2], or the log's
 * `Retry-After` up to 30 s), and checks every answer ({@link checkLogResponse}). When every
 * attestation has accepted entries from at least `agreement.k` distinct logs the outcome carries
 * a new bundle whose `logEntries` are the accepted ones (plus earlier entries of other logs);
 * otherwise the bundle is returned unchanged and `published` is false. Never throws for a log's
 * failure; throws `MALFORMED_BUNDLE` when an attestation holds no in-toto statement.
 */
export async function publishBundle(
  bundle: AttestationBundle,
  logs: readonly PublishLog[],
  agreement: Agreement,
  deps: PublishDeps = {},
): Promise<PublishOutcome> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = deps.random ?? Math.random;
  const envelopes = bundle.attestations;
  const digests = envelopes.map((e) => attestationDigest(e));

  const perLog = await Promise.all(
    logs.map((log) =>
      mapLimit(envelopes, MAX_IN_FLIGHT_PER_LOG, (envelope) =>
        submitOne(log, envelope, { sleep, random, logger: deps.logger }),
      ),
    ),
  );

  const accepted: BundleLogEntry[] = [];
  const failed: PublishFailure[] = [];
  const statuses: PublishOutcome['logs'][number][] = [];
  perLog.forEach((attempts, i) => {
    const log = logs[i] as PublishLog;
    const firstFailure = attempts.find((a) => !a.ok);
    for (const a of attempts) if (a.ok) accepted.push(a.entry);
    if (firstFailure !== undefined && !firstFailure.ok) failed.push(firstFailure.failure);
    statuses.push({
      logId: log.logId,
      ...(log.display !== undefined ? { display: log.display } : {}),
      status: firstFailure !== undefined && !firstFailure.ok ? firstFailure.failure.code : 'ok',
    });
  });

  const order = (e: BundleLogEntry) => digests.indexOf(e.attestationDigest ?? '');
  const sorted = sortEntries(accepted, order);
  const met = digests.every(
    (d) =>
      new Set(accepted.filter((e) => e.attestationDigest === d).map((e) => e.logId)).size >=
      agreement.k,
  );
  if (!met) {
    return {
      published: false,
      agreement: agreement.text,
      bundle,
      entries: sorted,
      failed,
      logs: statuses,
    };
  }
  const fresh = new Set(accepted.map((e) => `${e.logId}\n${e.attestationDigest ?? ''}`));
  const kept = bundle.logEntries.filter(
    (e) => !fresh.has(`${e.logId}\n${e.attestationDigest ?? ''}`),
  );
  const logEntries = sortEntries([...kept, ...accepted], order);
  return {
    published: true,
    agreement: agreement.text,
    bundle: { ...bundle, logEntries },
    entries: sorted,
    failed,
    logs: statuses,
  };
}

/** Log id (code-unit order), then attestation order; entries of unknown attestations last. */
function sortEntries(
  entries: readonly BundleLogEntry[],
  order: (e: BundleLogEntry) => number,
): BundleLogEntry[] {
  const rank = (e: BundleLogEntry) => {
    const i = order(e);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...entries].sort((a, b) =>
    a.logId < b.logId ? -1 : a.logId > b.logId ? 1 : rank(a) - rank(b) || a.logIndex - b.logIndex,
  );
}

async function submitOne(
  log: PublishLog,
  envelope: DsseEnvelope,
  deps: { sleep: (ms: number) => Promise<void>; random: () => number; logger: Logger | undefined },
): Promise<Attempt> {
  const fail = (code: PublishFailureCode, reason: string): Attempt => ({
    ok: false,
    failure: { logId: log.logId, code, reason },
  });
  if (typeof log.client === 'string') return fail('LOG_UNAVAILABLE', log.client);
  const publicKey = log.publicKey;
  if (publicKey === undefined) {
    return fail('LOG_UNAVAILABLE', 'unavailable (the trust store has no key for it)');
  }
  const bytes = canonicalBytes(envelope);
  for (let attempt = 1; ; attempt++) {
    let response: unknown;
    try {
      deps.logger?.debug({ logId: log.logId, attempt }, 'submitting attestation');
      response = await log.client.submit(bytes);
    } catch (err) {
      const e =
        err instanceof LogSubmitError
          ? err
          : new LogSubmitError(err instanceof Error ? err.message : String(err), {
              retryable: false,
              cause: err,
            });
      deps.logger?.debug({ logId: log.logId, attempt, err: e.message }, 'submission failed');
      if (!e.retryable) {
        return e.code === 'LOG_UNAVAILABLE'
          ? fail('LOG_UNAVAILABLE', `unavailable (${e.message})`)
          : fail('LOG_REJECTED', `rejected: ${e.message}`);
      }
      if (attempt >= MAX_ATTEMPTS) {
        return fail('LOG_UNAVAILABLE', `unavailable (${e.message}; ${MAX_ATTEMPTS} attempts)`);
      }
      await deps.sleep(retryDelay(attempt, e.retryAfterMs, deps.random));
      continue;
    }
    try {
      return {
        ok: true,
        entry: checkLogResponse(response, envelope, { logId: log.logId, publicKey }),
      };
    } catch (err) {
      if (err instanceof VcError && err.code === 'LOG_PROOF_INVALID') {
        return fail('LOG_PROOF_INVALID', err.message);
      }
      throw err;
    }
  }
}

/** The wait after failed attempt `attempt` (1-based). */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  const base = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length) - 1] ?? 4000;
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * `PUBLISH_AGREEMENT_NOT_MET` naming the rule and each log with its result (03 §10 step 5), e.g.
 * `transparency agreement 2-of-2 not reached: log-a (http://…): unavailable (…); log-b: ok`.
 */
export function agreementError(outcome: PublishOutcome): VcError {
  const parts = outcome.logs.map((l) => {
    const name = l.display !== undefined ? `${l.logId} (${l.display})` : l.logId;
    const failure = outcome.failed.find((f) => f.logId === l.logId);
    return failure === undefined ? `${name}: ok` : `${name}: ${failure.reason}`;
  });
  return new VcError(
    'PUBLISH_AGREEMENT_NOT_MET',
    `transparency agreement ${outcome.agreement} not reached: ${parts.join('; ') || 'no logs configured'}`,
    { hint: 'bring the failed logs back and run cerro-torre publish again (it is idempotent)' },
  );
}

/** Exit status of a failed publish (03 §10 step 5): 3 when every failure was unavailability. */
export function agreementExitCode(outcome: PublishOutcome): number {
  return outcome.failed.length > 0 && outcome.failed.every((f) => f.code === 'LOG_UNAVAILABLE')
    ? 3
    : 1;
}
