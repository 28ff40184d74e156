// SPDX-License-Identifier: Apache-2.0
// `check-transparency` as a programmatic API (03 §12): offline part, online part, stored heads.
import type { AttestationBundle, TrustStore } from '@verified-container/shared/attestation';
import { publicKeyFromBase64 } from '@verified-container/shared/crypto';
import { fileLogDir } from '../publish/configured-logs.js';
import { FileLogClient } from '../publish/file-log-client.js';
import { HttpLogClient } from '../publish/http-log-client.js';
import type { LogReader } from './log-reader.js';
import { monitorLog } from './monitor-log.js';
import { checkOffline, type TransparencyProblem } from './offline-check.js';
import { readStoredHead, storeHead, type StoredHead } from './stored-heads.js';

/** Why a `sigstore.dev` log is never contacted (03 §1). */
export const REKOR_UNSUPPORTED_REASON = 'Rekor is not supported in this version';

/** Codes that make `check-transparency` exit 1 (03 §12). */
export const TRANSPARENCY_FAILURE_CODES: ReadonlySet<string> = new Set([
  'LOG_PROOF_INVALID',
  'LOG_INCONSISTENT',
  'LOG_ROLLBACK',
  'REVOKED',
  'INSUFFICIENT_LOG_COVERAGE',
  'MISSING_ATTESTATION',
]);

export interface CheckTransparencyOptions {
  readonly bundle: AttestationBundle;
  readonly store: TrustStore;
  /** The log quorum q of 04 §2. */
  readonly quorum: number;
  /** `sha256:…` of the image, looked up as a revoked digest; undefined when unknown. */
  readonly imageDigest: string | undefined;
  /** Skip the online part. */
  readonly offline: boolean;
  /** `$VC_ROOT`, where `heads/` lives. */
  readonly root: string;
  /** Where relative `file:` URLs start (the working directory). */
  readonly cwd: string;
  readonly now: Date;
  /** A reader per log URL; default: HTTP for `http(s):`, the read-only library for `file:`. */
  readonly openReader?: (url: string) => LogReader;
}

export type LogStatus = 'ok' | 'failed' | 'unavailable' | 'offline';

/** One log of the report (03 §12 JSON `logs[]`, plus what the human lines need). */
export interface LogReport {
  logId: string;
  entries: Array<{ attestationDigest: string; logIndex: number }>;
  head: StoredHead | null;
  previousHead: StoredHead | null;
  status: LogStatus;
  /** Indexes of verified entries, deduplicated, ascending. */
  verifiedIndexes: number[];
  /** Distinct attestations with a verified entry in this log. */
  attestationsIncluded: number;
  errors: TransparencyProblem[];
  unavailable?: string;
  /** Whether H was stored by this run. */
  stored: boolean;
}

export interface TransparencyReport {
  logs: LogReport[];
  consensus: { required: number; have: number; met: boolean; logs: number };
  errors: TransparencyProblem[];
  warnings: string[];
  exitCode: number;
}

/**
 * 03 §12: the offline part for every entry, then (unless `offline`) the online part for every
 * trust-store log named by a counted entry, each log independently and concurrently. A log's new
 * head is stored only when all of its checks passed (a verified revocation does not hold it
 * back: it is about the image, not the log). Exit: 1 any failure code, else 3 any log
 * unavailable, else 0.
 */
export async function checkTransparency(
  opts: CheckTransparencyOptions,
): Promise<TransparencyReport> {
  const offline = checkOffline(opts.bundle, opts.store, opts.quorum);
  const warnings = [...offline.warnings];
  const revocationDigests = [
    ...new Set([
      ...offline.attestationDigests,
      ...(opts.imageDigest !== undefined ? [opts.imageDigest] : []),
    ]),
  ];
  const openReader = opts.openReader ?? ((url: string) => defaultReader(url, opts.cwd));

  const logs = await Promise.all(
    offline.logIds.map(async (logId): Promise<LogReport> => {
      const trusted = opts.store.logs[logId];
      const mine = offline.entries.filter((e) => e.entry.logId === logId);
      const verified = mine.filter((e) => e.verified);
      const report: LogReport = {
        logId,
        entries: mine.map((e) => ({
          attestationDigest: offline.attestationDigests[e.attestation] as string,
          logIndex: e.entry.logIndex,
        })),
        head: null,
        previousHead: null,
        status: 'offline',
        verifiedIndexes: [...new Set(verified.map((e) => e.entry.logIndex))].sort((a, b) => a - b),
        attestationsIncluded: new Set(verified.map((e) => e.attestation)).size,
        errors: offline.errors.filter((e) => e.logId === logId),
        stored: false,
      };
      if (opts.offline || trusted === undefined) return finishStatus(report);
      if (isRekor(trusted.url)) {
        report.unavailable = REKOR_UNSUPPORTED_REASON;
        return finishStatus(report);
      }
      const previous = await readStoredHead(opts.root, logId);
      report.previousHead = previous ?? null;
      const reader = openReader(trusted.url);
      try {
        const online = await monitorLog({
          logId,
          publicKey: publicKeyFromBase64(trusted.publicKey),
          reader,
          previous,
          entryTrees: verified.map((e) => ({
            logIndex: e.entry.logIndex,
            treeSize: e.entry.inclusionProof.treeSize,
            rootHash: e.entry.inclusionProof.rootHash,
          })),
          revocationDigests,
          imageDigest: opts.imageDigest,
          store: opts.store,
          now: opts.now,
        });
        report.head = online.head ?? null;
        report.errors.push(...online.errors);
        warnings.push(...online.warnings);
        if (online.unavailable !== undefined) report.unavailable = online.unavailable;
        if (
          online.storable &&
          online.head !== undefined &&
          report.errors.every((e) => e.code === 'REVOKED')
        ) {
          await storeHead(opts.root, online.head, previous);
          report.stored = true;
        }
      } finally {
        await reader.close?.();
      }
      return finishStatus(report, true);
    }),
  );

  const coverage = offline.errors.filter((e) => e.logId === undefined);
  const errors = [...logs.flatMap((l) => l.errors), ...coverage];
  const exitCode = errors.some((e) => TRANSPARENCY_FAILURE_CODES.has(e.code))
    ? 1
    : logs.some((l) => l.unavailable !== undefined)
      ? 3
      : 0;
  return {
    logs,
    consensus: { ...offline.consensus, logs: offline.logIds.length },
    errors,
    warnings,
    exitCode,
  };
}

function finishStatus(report: LogReport, online = false): LogReport {
  if (report.errors.length > 0) report.status = 'failed';
  else if (report.unavailable !== undefined) report.status = 'unavailable';
  else report.status = online ? 'ok' : 'offline';
  return report;
}

function defaultReader(url: string, cwd: string): LogReader {
  if (url.startsWith('file:')) return new FileLogClient({ dir: fileLogDir(url, cwd) });
  return new HttpLogClient({ url });
}

function isRekor(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'sigstore.dev' || host.endsWith('.sigstore.dev');
  } catch {
    return false;
  }
}
