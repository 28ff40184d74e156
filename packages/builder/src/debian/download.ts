// SPDX-License-Identifier: Apache-2.0
// Content-addressed .deb cache (01 §5.3, §6.4): `$VC_ROOT/cache/debs/sha256/<hex>.deb`.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError, noopLogger, toVcError } from '@verified-container/shared';
import type { Logger } from '@verified-container/shared';
import type { LockedPackage } from '@verified-container/shared/image';
import { poolUrl } from './apt-sources.js';
import type { MirrorKind } from './apt-sources.js';

export const DEFAULT_DOWNLOAD_CONCURRENCY = 4;
export const DEFAULT_DOWNLOAD_RETRIES = 3;
/** First retry delay; doubled for each further attempt. */
export const DEFAULT_RETRY_DELAY_MS = 500;
/** An attempt that receives no data for this long is abandoned (and retried). */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** Progress of one package: `bytes` of `total` so far; `done` once it is verified in the cache. */
export interface DownloadProgress {
  readonly name: string;
  readonly bytes: number;
  readonly total: number;
  readonly done: boolean;
}

/** The subset of WHATWG `fetch` we use (Node's global `fetch`; tests pass a fake). */
export type FetchLike = (
  url: string,
  init?: { signal?: AbortSignal; headers?: Record<string, string> },
) => Promise<Response>;

export interface DownloadOptions {
  /** `$VC_ROOT/cache`; files go to `<cacheDir>/debs/sha256/<hex>.deb`. */
  readonly cacheDir: string;
  /** Base URLs of the two archives (no trailing slash). */
  readonly mirrors: Readonly<Record<MirrorKind, string>>;
  readonly onProgress?: (event: DownloadProgress) => void;
  /** Parallel downloads (default 4). */
  readonly concurrency?: number;
  /** Retries after a failed attempt (default 3). */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Abandon an attempt after this long without data (default 60 s). */
  readonly idleTimeoutMs?: number;
  /** Waits between retries (tests pass a no-op). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: Logger;
  /** Aborts every pending download with BUILD_FETCH_FAILED. */
  readonly signal?: AbortSignal;
}

export interface DownloadedDeb {
  readonly package: LockedPackage;
  /** Absolute path of the verified .deb in the cache. */
  readonly path: string;
  /** True when it was already in the cache. */
  readonly cached: boolean;
}

/** Path of a .deb in the cache by its sha256. */
export function debCachePath(cacheDir: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    throw new VcError('BUILD_LOCK_INVALID', `not a sha256 hex digest: ${sha256}`);
  }
  return join(cacheDir, 'debs', 'sha256', `${sha256}.deb`);
}

/**
 * Ensures every package's .deb is in the cache, verified against the lock: fetched from the
 * pocket's mirror + `Filename`, at most `concurrency` at a time, streamed to a temporary file
 * while hashing, size and sha256 compared with the lock, then renamed into place. A file already
 * in the cache is reused when its size matches (it was verified when written).
 *
 * Errors: HTTP 404/410 → BUILD_LOCK_STALE (the locked version left the mirror); a body whose size
 * or sha256 differs from the lock → BUILD_HASH_MISMATCH; network failures and 5xx after the
 * retries → BUILD_FETCH_FAILED. Results are in the order of `packages`.
 */
export async function downloadDebs(
  fetchFn: FetchLike,
  packages: readonly LockedPackage[],
  opts: DownloadOptions,
): Promise<DownloadedDeb[]> {
  const dir = join(opts.cacheDir, 'debs', 'sha256');
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new VcError('WRITE_FAILED', `cannot create ${dir}`, { cause });
  }
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_DOWNLOAD_CONCURRENCY);
  const results: DownloadedDeb[] = new Array<DownloadedDeb>(packages.length);
  // Stop the others after the first failure: the build fails anyway.
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let next = 0;
  let failure: VcError | undefined;
  const worker = async () => {
    while (failure === undefined) {
      const i = next++;
      const pkg = packages[i];
      if (pkg === undefined) return;
      try {
        results[i] = await ensureDeb(fetchFn, pkg, opts, abort.signal);
      } catch (err) {
        failure ??= toVcError(err);
        abort.abort(err);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, packages.length) }, worker));
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (failure !== undefined) throw failure;
  return results;
}

async function ensureDeb(
  fetchFn: FetchLike,
  pkg: LockedPackage,
  opts: DownloadOptions,
  signal: AbortSignal,
): Promise<DownloadedDeb> {
  const path = debCachePath(opts.cacheDir, pkg.sha256);
  const existing = await fs.stat(path).catch(() => undefined);
  if (existing !== undefined && existing.isFile() && existing.size === pkg.size) {
    opts.onProgress?.({ name: pkg.name, bytes: pkg.size, total: pkg.size, done: true });
    return { package: pkg, path, cached: true };
  }
  if (existing !== undefined) {
    // A file of the wrong size under a content address is damage; fetch it again.
    await fs.rm(path, { force: true });
  }
  const url = poolUrl(opts.mirrors, pkg.pocket, pkg.filename);
  const retries = opts.retries ?? DEFAULT_DOWNLOAD_RETRIES;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const logger = (opts.logger ?? noopLogger).child({ package: pkg.name, url });
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0)
      await sleep((opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS) * 2 ** (attempt - 1));
    if (signal.aborted) throw abortedError(signal, url);
    try {
      await fetchOnce(fetchFn, url, pkg, path, opts, signal);
      logger.debug({ attempt }, 'downloaded');
      opts.onProgress?.({ name: pkg.name, bytes: pkg.size, total: pkg.size, done: true });
      return { package: pkg, path, cached: false };
    } catch (err) {
      logger.debug({ attempt, err: String(err) }, 'download attempt failed');
      if (err instanceof VcError && err.code !== 'BUILD_FETCH_FAILED') throw err;
      if (signal.aborted) throw abortedError(signal, url);
      if (err instanceof VcError && err.details?.['retryable'] === false) throw err;
      lastError = err;
    }
  }
  throw lastError instanceof VcError
    ? lastError
    : new VcError('BUILD_FETCH_FAILED', `cannot download ${url}`, { cause: lastError });
}

async function fetchOnce(
  fetchFn: FetchLike,
  url: string,
  pkg: LockedPackage,
  path: string,
  opts: DownloadOptions,
  signal: AbortSignal,
): Promise<void> {
  // One controller per attempt: the caller's abort and our idle timer both end it.
  const attempt = new AbortController();
  const onAbort = () => attempt.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  let idle: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(
      () =>
        attempt.abort(new VcError('BUILD_FETCH_FAILED', `no data from ${url} for ${idleMs} ms`)),
      idleMs,
    );
  };
  touch();
  try {
    await receive(fetchFn, url, pkg, path, opts, attempt.signal, touch);
  } finally {
    clearTimeout(idle);
    signal.removeEventListener('abort', onAbort);
  }
}

async function receive(
  fetchFn: FetchLike,
  url: string,
  pkg: LockedPackage,
  path: string,
  opts: DownloadOptions,
  signal: AbortSignal,
  touch: () => void,
): Promise<void> {
  let response: Response;
  try {
    response = await fetchFn(url, { signal });
  } catch (cause) {
    if (signal.reason instanceof VcError) throw signal.reason;
    throw new VcError('BUILD_FETCH_FAILED', `cannot download ${url}: ${describe(cause)}`, {
      cause,
      hint: 'check the network, a proxy, or CT_APT_MIRROR / CT_APT_SECURITY_MIRROR',
    });
  }
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel().catch(() => undefined);
    throw new VcError(
      'BUILD_LOCK_STALE',
      `${pkg.name} ${pkg.version} is no longer on the mirror (${response.status} for ${url})`,
      {
        hint: 'cerro-torre lock --update',
        details: { package: pkg.name, version: pkg.version, url, status: response.status },
      },
    );
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new VcError('BUILD_FETCH_FAILED', `cannot download ${url}: HTTP ${response.status}`, {
      details: { url, status: response.status, retryable },
    });
  }
  const tmp = join(
    opts.cacheDir,
    'debs',
    'sha256',
    `.${pkg.sha256}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const hash = createHash('sha256');
  let bytes = 0;
  const handle = await fs.open(tmp, 'wx', 0o644);
  let renamed = false;
  try {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        touch();
        bytes += chunk.byteLength;
        if (bytes > pkg.size) {
          throw mismatch(pkg, url, `more than the locked ${pkg.size} bytes`);
        }
        hash.update(chunk);
        await handle.write(chunk);
        opts.onProgress?.({ name: pkg.name, bytes, total: pkg.size, done: false });
      }
    } catch (cause) {
      if (cause instanceof VcError) throw cause;
      if (signal.reason instanceof VcError) throw signal.reason;
      throw new VcError('BUILD_FETCH_FAILED', `download of ${url} broke off: ${describe(cause)}`, {
        cause,
      });
    }
    if (bytes < pkg.size) {
      // A short body is a broken connection more often than a changed file: retried.
      throw new VcError(
        'BUILD_FETCH_FAILED',
        `download of ${url} ended after ${bytes} of ${pkg.size} bytes`,
      );
    }
    const digest = hash.digest('hex');
    if (digest !== pkg.sha256) {
      throw mismatch(pkg, url, `sha256 ${digest}, expected ${pkg.sha256}`);
    }
    await handle.sync();
    await handle.close();
    await fs.rename(tmp, path);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await fs.rm(tmp, { force: true });
    }
  }
}

function mismatch(pkg: LockedPackage, url: string, what: string): VcError {
  return new VcError(
    'BUILD_HASH_MISMATCH',
    `${pkg.name} ${pkg.version} from ${url} does not match the lock: ${what}`,
    {
      hint: 'the mirror serves a different file than the lock records; check the mirror, or run `cerro-torre lock --update`',
      details: { package: pkg.name, url, expectedSha256: pkg.sha256, expectedSize: pkg.size },
    },
  );
}

function abortedError(signal: AbortSignal, url: string): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof VcError) return reason;
  return new VcError('BUILD_FETCH_FAILED', `download of ${url} was cancelled`, { cause: reason });
}

function describe(cause: unknown): string {
  const inner = (cause as { cause?: unknown } | undefined)?.cause;
  const base = cause instanceof Error ? cause.message : String(cause);
  const extra = inner instanceof Error ? inner.message : undefined;
  return extra !== undefined && extra !== base ? `${base} (${extra})` : base;
}
