// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileEntry } from '@verified-container/shared/image';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryContentStore } from '../content/content-store.js';
import { RootFs } from '../steps/rootfs.js';
import { cleanUpTable, placeEntry } from './packages-layer.js';

let dir: string;
let rootfs: RootFs;

const row = (path: string, more: Partial<FileEntry> = {}): FileEntry => ({
  path,
  type: 'd',
  mode: 0o755,
  uid: 0,
  gid: 0,
  size: 0,
  digest: '',
  mtime: 0,
  ...more,
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ct-pkg-'));
  rootfs = new RootFs({ content: new DirectoryContentStore(dir), mtime: 100 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function file(path: string, text: string, mode = 0o644): Promise<FileEntry> {
  const stored = await rootfs.content.put(Buffer.from(text));
  return row(path, { type: 'f', mode, size: stored.size, digest: stored.digest });
}

describe('placeEntry', () => {
  it('unpacks through a symlinked directory as dpkg does (merged /usr)', async () => {
    placeEntry(rootfs, row('/usr'));
    placeEntry(rootfs, row('/usr/bin'));
    placeEntry(rootfs, row('/bin', { type: 'l', mode: 0o777, linkTarget: 'usr/bin' }));
    placeEntry(rootfs, await file('/bin/busybox', 'x', 0o755));
    expect(rootfs.get('/usr/bin/busybox')).toMatchObject({ type: 'f', mode: 0o755 });
    expect(rootfs.get('/bin/busybox')).toBeUndefined();
  });

  it('gives an existing directory the member mode and owner', () => {
    placeEntry(rootfs, row('/var'));
    placeEntry(rootfs, row('/var', { mode: 0o775, gid: 50 }));
    expect(rootfs.get('/var')).toMatchObject({ mode: 0o775, gid: 50 });
  });

  it('refuses devices with UNSUPPORTED', () => {
    expect(() =>
      placeEntry(rootfs, row('/dev/null', { type: 'c', devMajor: 1, devMinor: 3 })),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });
});

describe('cleanUpTable (01 §5.3)', () => {
  it('removes apt and dpkg leftovers, empties machine-id, clamps shadow days', async () => {
    for (const p of [
      '/var/lib/apt/lists/partial',
      '/var/cache/apt/archives',
      '/var/lib/dpkg',
      '/var/log',
      '/etc',
    ]) {
      rootfs.mkdirp(p);
    }
    for (const [p, text] of [
      ['/var/lib/apt/lists/deb.debian.org_InRelease', 'x'],
      ['/var/log/dpkg.log', 'log'],
      ['/var/lib/dpkg/status-old', 'old'],
      ['/var/lib/dpkg/status', 'keep'],
      ['/etc/machine-id', 'abc\n'],
      ['/etc/shadow', 'root:*:20000:0:99999:7:::\n'],
    ] as const) {
      placeEntry(rootfs, await file(p, text));
    }
    const removed = await cleanUpTable(rootfs, 86400 * 10);
    expect(removed).toEqual([
      '/var/cache/apt/archives',
      '/var/lib/apt/lists/deb.debian.org_InRelease',
      '/var/lib/apt/lists/partial',
      '/var/lib/dpkg/status-old',
      '/var/log/dpkg.log',
    ]);
    expect(rootfs.get('/var/lib/dpkg/status')).toBeDefined();
    expect(rootfs.get('/etc/machine-id')).toMatchObject({ size: 0 });
    expect(await rootfs.readText('/etc/shadow')).toBe('root:*:10:0:99999:7:::\n');
  });
});
