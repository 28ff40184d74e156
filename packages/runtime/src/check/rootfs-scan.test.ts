// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileIntegrityRow } from '@verified-container/shared/image';
import { scanRootfs } from './rootfs-scan.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;

describe('scanRootfs', () => {
  let dir = '';
  let rootfs = '';
  let upper = '';
  let rows: FileIntegrityRow[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-scan-'));
    rootfs = join(dir, 'rootfs');
    upper = join(dir, 'upper');
    mkdirSync(join(rootfs, 'etc'), { recursive: true, mode: 0o755 });
    mkdirSync(upper);
    writeFileSync(join(rootfs, 'etc/greeting'), 'hello\n', { mode: 0o644 });
    symlinkSync('greeting', join(rootfs, 'etc/link'));
    rows = [
      ['/etc', 'd', '0755', uid, gid, 0, ''],
      ['/etc/greeting', 'f', '0644', uid, gid, 6, sha('hello\n')],
      ['/etc/link', 'l', '0777', uid, gid, 8, sha('greeting')],
    ];
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('measures every listed entry and hashes files, then trusts the cache until a file changes', async () => {
    const first = await scanRootfs({
      rows,
      rootfs,
      upper: undefined,
      full: false,
      cache: new Map(),
    });
    expect(first.observation.hashed).toBe(1);
    expect(first.observation.listed.get('/etc/greeting')).toMatchObject({
      type: 'f',
      size: 6,
      digest: sha('hello\n'),
    });
    expect(first.observation.listed.get('/etc/link')).toMatchObject({
      type: 'l',
      size: 8,
      digest: sha('greeting'),
    });
    expect(first.observation.added).toEqual([]);
    expect(first.cache.has('/etc/greeting')).toBe(true);

    const quick = await scanRootfs({
      rows,
      rootfs,
      upper: undefined,
      full: false,
      cache: first.cache,
    });
    expect(quick.observation.hashed).toBe(0);
    const full = await scanRootfs({
      rows,
      rootfs,
      upper: undefined,
      full: true,
      cache: first.cache,
    });
    expect(full.observation.hashed).toBe(1);

    // Same size, mtime put back: ctime still moves, so the file is hashed again.
    writeFileSync(join(rootfs, 'etc/greeting'), 'HELLO\n');
    utimesSync(join(rootfs, 'etc/greeting'), 0, 0);
    const after = await scanRootfs({
      rows,
      rootfs,
      upper: undefined,
      full: false,
      cache: first.cache,
    });
    expect(after.observation.hashed).toBe(1);
    expect(after.observation.listed.get('/etc/greeting')?.digest).toBe(sha('HELLO\n'));
    expect(after.cache.has('/etc/greeting')).toBe(false);
  });

  it('lists a deleted entry as missing and a new one as added', async () => {
    rmSync(join(rootfs, 'etc/link'));
    writeFileSync(join(rootfs, 'etc/new'), 'x');
    const scan = await scanRootfs({
      rows,
      rootfs,
      upper: undefined,
      full: false,
      cache: new Map(),
    });
    expect(scan.observation.listed.get('/etc/link')).toBeUndefined();
    expect(scan.observation.listed.has('/etc/link')).toBe(true);
    expect(scan.observation.added.map((e) => e.path)).toEqual(['/etc/new']);
  });

  it('measures a file of the upper dir there, always, and walks only the upper dir for additions', async () => {
    const cached = await scanRootfs({ rows, rootfs, upper, full: false, cache: new Map() });
    mkdirSync(join(upper, 'etc'));
    writeFileSync(join(upper, 'etc/greeting'), 'tampered\n');
    writeFileSync(join(upper, 'etc/planted'), 'x');
    writeFileSync(join(rootfs, 'outside-upper'), 'x');
    const scan = await scanRootfs({ rows, rootfs, upper, full: false, cache: cached.cache });
    expect(scan.observation.listed.get('/etc/greeting')?.digest).toBe(sha('tampered\n'));
    expect(scan.observation.added.map((e) => e.path)).toEqual(['/etc/planted']);
    expect(scan.cache.has('/etc/greeting')).toBe(false);
    const full = await scanRootfs({ rows, rootfs, upper, full: true, cache: new Map() });
    expect(full.observation.added.map((e) => e.path).sort()).toEqual([
      '/etc/planted',
      '/outside-upper',
    ]);
  });

  it.skipIf(uid !== 0)('takes an overlay whiteout in the upper dir as a deletion', async () => {
    mkdirSync(join(upper, 'etc'));
    expect(spawnSync('mknod', [join(upper, 'etc/link'), 'c', '0', '0']).status).toBe(0);
    const scan = await scanRootfs({ rows, rootfs, upper, full: false, cache: new Map() });
    expect(scan.observation.listed.has('/etc/link')).toBe(true);
    expect(scan.observation.listed.get('/etc/link')).toBeUndefined();
    expect(scan.observation.added).toEqual([]);
  });
});
