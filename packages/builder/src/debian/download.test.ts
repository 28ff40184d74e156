// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockedPackage } from '@verified-container/shared/image';
import { debCachePath, downloadDebs } from './download.js';
import type { DownloadProgress, FetchLike } from './download.js';

const mirrors = { debian: 'http://mirror/debian', 'debian-security': 'http://mirror/security' };

function deb(
  name: string,
  content: string,
  pocket = 'bookworm',
): { pkg: LockedPackage; bytes: Uint8Array } {
  const bytes = new TextEncoder().encode(content);
  return {
    bytes,
    pkg: {
      name,
      version: '1.0',
      architecture: 'amd64',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.byteLength,
      source: name,
      sourceVersion: '1.0',
      pocket,
      filename: `pool/main/${name[0]}/${name}/${name}_1.0_amd64.deb`,
      requested: true,
    },
  };
}

/** A response whose body arrives in chunks of `chunk` bytes. */
function chunked(bytes: Uint8Array, chunk = 3, status = 200): Response {
  let offset = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.byteLength) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + chunk));
        offset += chunk;
      },
    }),
    { status },
  );
}

let dir: string;
const noSleep = () => Promise.resolve();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ct-dl-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('downloadDebs', () => {
  it('fetches from the pocket mirror, verifies and stores by sha256, reporting progress', async () => {
    const a = deb('busybox', 'busybox deb bytes');
    const b = deb('ca-certificates', 'ca certificates bytes', 'bookworm-security');
    const urls: string[] = [];
    const fetchFn: FetchLike = (url) => {
      urls.push(url);
      return Promise.resolve(chunked(url.includes('busybox') ? a.bytes : b.bytes));
    };
    const events: DownloadProgress[] = [];
    const result = await downloadDebs(fetchFn, [a.pkg, b.pkg], {
      cacheDir: dir,
      mirrors,
      onProgress: (e) => events.push(e),
      sleep: noSleep,
    });
    expect(urls.sort()).toEqual([
      'http://mirror/debian/pool/main/b/busybox/busybox_1.0_amd64.deb',
      'http://mirror/security/pool/main/c/ca-certificates/ca-certificates_1.0_amd64.deb',
    ]);
    expect(result.map((r) => [r.package.name, r.path, r.cached])).toEqual([
      ['busybox', join(dir, 'debs', 'sha256', `${a.pkg.sha256}.deb`), false],
      ['ca-certificates', debCachePath(dir, b.pkg.sha256), false],
    ]);
    expect(new TextDecoder().decode(await readFile(result[0]!.path))).toBe('busybox deb bytes');
    const forA = events.filter((e) => e.name === 'busybox');
    expect(forA.at(-1)).toEqual({
      name: 'busybox',
      bytes: a.pkg.size,
      total: a.pkg.size,
      done: true,
    });
    expect(forA.filter((e) => !e.done).map((e) => e.bytes)).toEqual([3, 6, 9, 12, 15, 17]);
    // Nothing but the two files.
    expect((await readdir(join(dir, 'debs', 'sha256'))).sort()).toEqual(
      [`${a.pkg.sha256}.deb`, `${b.pkg.sha256}.deb`].sort(),
    );
  });

  it('reuses a cached file of the right size without fetching, and refetches a damaged one', async () => {
    const a = deb('busybox', 'cached bytes');
    let fetches = 0;
    const fetchFn: FetchLike = () => {
      fetches++;
      return Promise.resolve(chunked(a.bytes));
    };
    await downloadDebs(fetchFn, [a.pkg], { cacheDir: dir, mirrors });
    const again = await downloadDebs(fetchFn, [a.pkg], { cacheDir: dir, mirrors });
    expect(again[0]?.cached).toBe(true);
    expect(fetches).toBe(1);
    await writeFile(debCachePath(dir, a.pkg.sha256), 'short');
    const repaired = await downloadDebs(fetchFn, [a.pkg], { cacheDir: dir, mirrors });
    expect(repaired[0]?.cached).toBe(false);
    expect(fetches).toBe(2);
  });

  it('404 for a locked version → BUILD_LOCK_STALE, not retried', async () => {
    const a = deb('busybox', 'x');
    let fetches = 0;
    const fetchFn: FetchLike = () => {
      fetches++;
      return Promise.resolve(new Response('gone', { status: 404 }));
    };
    await expect(
      downloadDebs(fetchFn, [a.pkg], { cacheDir: dir, mirrors, sleep: noSleep }),
    ).rejects.toMatchObject({
      code: 'BUILD_LOCK_STALE',
      hint: 'cerro-torre lock --update',
    });
    expect(fetches).toBe(1);
  });

  it('content that differs from the lock → BUILD_HASH_MISMATCH and nothing is kept', async () => {
    const a = deb('busybox', 'expected content');
    const evil = new TextEncoder().encode('EXPECTED CONTENT');
    await expect(
      downloadDebs(() => Promise.resolve(chunked(evil)), [a.pkg], {
        cacheDir: dir,
        mirrors,
        sleep: noSleep,
      }),
    ).rejects.toMatchObject({ code: 'BUILD_HASH_MISMATCH' });
    const longer = new TextEncoder().encode('expected content and more');
    await expect(
      downloadDebs(() => Promise.resolve(chunked(longer)), [a.pkg], {
        cacheDir: dir,
        mirrors,
        sleep: noSleep,
      }),
    ).rejects.toMatchObject({ code: 'BUILD_HASH_MISMATCH' });
    expect(await readdir(join(dir, 'debs', 'sha256'))).toEqual([]);
  });

  it('retries 5xx, short bodies and network errors with backoff, then succeeds', async () => {
    const a = deb('busybox', 'eventually');
    const replies: (() => Response)[] = [
      () => new Response('busy', { status: 503 }),
      () => chunked(a.bytes.slice(0, 4)),
      () => {
        throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
      },
      () => chunked(a.bytes),
    ];
    const sleeps: number[] = [];
    const result = await downloadDebs(
      () => Promise.resolve().then(() => replies.shift()!()),
      [a.pkg],
      {
        cacheDir: dir,
        mirrors,
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
      },
    );
    expect(result[0]?.cached).toBe(false);
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it('gives up after 3 retries → BUILD_FETCH_FAILED; a 403 is not retried', async () => {
    const a = deb('busybox', 'x');
    let fetches = 0;
    await expect(
      downloadDebs(
        () => {
          fetches++;
          return Promise.reject(
            new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND mirror') }),
          );
        },
        [a.pkg],
        { cacheDir: dir, mirrors, sleep: noSleep },
      ),
    ).rejects.toMatchObject({ code: 'BUILD_FETCH_FAILED', message: /ENOTFOUND/ });
    expect(fetches).toBe(4);
    fetches = 0;
    await expect(
      downloadDebs(
        () => {
          fetches++;
          return Promise.resolve(new Response('no', { status: 403 }));
        },
        [a.pkg],
        { cacheDir: dir, mirrors, sleep: noSleep },
      ),
    ).rejects.toMatchObject({ code: 'BUILD_FETCH_FAILED', details: { status: 403 } });
    expect(fetches).toBe(1);
  });

  it('abandons an attempt that stalls', async () => {
    const a = deb('busybox', 'never arrives');
    const stalled: FetchLike = (_url, init) =>
      Promise.resolve(
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              init?.signal?.addEventListener('abort', () => controller.error(init.signal?.reason));
            },
          }),
        ),
      );
    await expect(
      downloadDebs(stalled, [a.pkg], {
        cacheDir: dir,
        mirrors,
        retries: 1,
        idleTimeoutMs: 20,
        sleep: noSleep,
      }),
    ).rejects.toMatchObject({ code: 'BUILD_FETCH_FAILED', message: /no data .* for 20 ms/ });
    expect(await readdir(join(dir, 'debs', 'sha256'))).toEqual([]);
  });

  it('runs at most 4 downloads at a time', async () => {
    const debs = Array.from({ length: 11 }, (_, i) => deb(`pkg${i}`, `content ${i}`));
    let inFlight = 0;
    let peak = 0;
    const fetchFn: FetchLike = async (url) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      const d = debs.find((x) => url.endsWith(x.pkg.filename))!;
      return chunked(d.bytes, 100);
    };
    const result = await downloadDebs(
      fetchFn,
      debs.map((d) => d.pkg),
      { cacheDir: dir, mirrors },
    );
    expect(result.map((r) => r.package.name)).toEqual(debs.map((d) => d.pkg.name));
    expect(peak).toBe(4);
  });

  it('refuses a lock row whose sha256 is not hex (no path tricks)', async () => {
    const a = deb('busybox', 'x');
    await mkdir(join(dir, 'debs'), { recursive: true });
    await expect(
      downloadDebs(() => Promise.resolve(chunked(a.bytes)), [{ ...a.pkg, sha256: '../../x' }], {
        cacheDir: dir,
        mirrors,
      }),
    ).rejects.toMatchObject({ code: 'BUILD_LOCK_INVALID' });
  });
});
