// SPDX-License-Identifier: Apache-2.0
// Which logs `publish` submits to, and how to reach each (03 §10 step 1).
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VcError } from '@verified-container/shared';
import type { TrustStore } from '@verified-container/shared/attestation';
import { publicKeyFromBase64 } from '@verified-container/shared/crypto';
import type { Manifest } from '@verified-container/shared/manifest';
import type { KeyPassphrase } from '../signing/passphrase.js';
import { FileLogClient } from './file-log-client.js';
import { HttpLogClient } from './http-log-client.js';
import type { Agreement, PublishLog } from './publish-bundle.js';

/** Why a `sigstore.dev` log is never contacted (03 §10 step 1). */
export const REKOR_UNSUPPORTED = 'unavailable (Rekor is not supported in this version)';

export interface PublishPlan {
  readonly logs: readonly PublishLog[];
  readonly agreement: Agreement;
  /** People-facing warnings (e.g. a Rekor log). */
  readonly warnings: readonly string[];
}

export interface PlanOptions {
  /** Where relative `file:` URLs start: the manifest's directory, else the working directory. */
  readonly baseDir: string;
  /** Passphrase of encrypted `file:` log keys. */
  readonly passphrase?: string;
  readonly fetch?: typeof fetch;
}

/**
 * The target logs: the manifest's `[attestations.transparency].logs` when it lists any, else every
 * trust-store log. A name the trust store lacks → `LOG_UNKNOWN` (nothing is sent), except a
 * `sigstore.dev` URL, which always counts as unavailable. The manifest's URL wins over the trust
 * store's; keys always come from the trust store. Agreement: the manifest's `threshold-agreement`,
 * else min(2, number of logs)-of-n (the verifier's default quorum, 04 §2).
 */
export function planPublish(
  store: TrustStore,
  manifest: Manifest | undefined,
  opts: PlanOptions,
): PublishPlan {
  const transparency = manifest?.attestations.transparency;
  const wanted: { name: string; url: string | undefined }[] =
    transparency !== undefined && transparency.logs.length > 0
      ? transparency.logs.map((l) => ({ name: l.name, url: l.url }))
      : Object.keys(store.logs).map((name) => ({ name, url: undefined }));
  const warnings: string[] = [];
  const logs = wanted.map(({ name, url: manifestUrl }): PublishLog => {
    const trusted = store.logs[name];
    const url = manifestUrl ?? trusted?.url;
    if (url !== undefined && isRekor(url)) {
      warnings.push(
        `warning: ${name} (${url}) is a Rekor log; it is never contacted in this version`,
      );
      return { logId: name, display: url, client: REKOR_UNSUPPORTED };
    }
    if (trusted === undefined || url === undefined) {
      throw new VcError('LOG_UNKNOWN', `log ${JSON.stringify(name)} is not in the trust store`, {
        hint: `add it with cerro-torre trust add-log, or remove it from [attestations.transparency]`,
      });
    }
    return {
      logId: name,
      publicKey: publicKeyFromBase64(trusted.publicKey),
      display: url,
      client: clientFor(url, opts),
    };
  });
  const n = logs.length;
  const threshold = transparency?.thresholdAgreement;
  const agreement: Agreement =
    threshold !== undefined
      ? { k: threshold.k, text: threshold.text }
      : { k: Math.min(2, n), text: `${Math.min(2, n)}-of-${n}` };
  return { logs, agreement, warnings };
}

function clientFor(url: string, opts: PlanOptions): PublishLog['client'] {
  if (url.startsWith('file:')) {
    return new FileLogClient({
      dir: fileLogDir(url, opts.baseDir),
      ...(opts.passphrase !== undefined ? { passphrase: opts.passphrase } : {}),
    });
  }
  return new HttpLogClient({ url, ...(opts.fetch !== undefined ? { fetch: opts.fetch } : {}) });
}

/** `file:///abs` or `file:<path>` (relative to `baseDir`, 03 §9) as a directory path. */
export function fileLogDir(url: string, baseDir: string): string {
  if (url.startsWith('file://')) return fileURLToPath(url);
  const path = decodeURIComponent(url.slice('file:'.length));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function isRekor(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'sigstore.dev' || host.endsWith('.sigstore.dev');
  } catch {
    return false;
  }
}

/**
 * Decrypts the encrypted keys of the `file:` logs before anything is submitted, asking
 * `passphrase` (02 §8; asked at most once per run). A missing or wrong
 * passphrase throws `KEY_PASSPHRASE_REQUIRED` / `KEY_PASSPHRASE_INVALID`.
 */
export async function unlockLogKeys(
  logs: readonly PublishLog[],
  passphrase: KeyPassphrase,
): Promise<void> {
  for (const log of logs) {
    if (log.client instanceof FileLogClient) await log.client.unlock(passphrase);
  }
}

/** Closes every client that holds something (open `file:` logs). */
export async function closeLogs(logs: readonly PublishLog[]): Promise<void> {
  await Promise.all(
    logs.map((l) =>
      typeof l.client === 'string' ? Promise.resolve() : (l.client.close?.() ?? Promise.resolve()),
    ),
  );
}
