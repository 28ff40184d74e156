// SPDX-License-Identifier: Apache-2.0
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanUpAfterInstall, normaliseShadow } from './post-install.js';

const EPOCH = 1_700_000_000; // day 19675

describe('normaliseShadow', () => {
  it('clamps last-change days to the epoch day and keeps 0 and empty', () => {
    const text =
      'root:*:20782:0:99999:7:::\nold:*:19000:0:99999:7:::\nnew:!:0::::::\nnoaging:*::::::\n';
    expect(normaliseShadow(text, EPOCH)).toBe(
      'root:*:19675:0:99999:7:::\nold:*:19000:0:99999:7:::\nnew:!:0::::::\nnoaging:*::::::\n',
    );
  });
});

describe('cleanUpAfterInstall', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ct-post-install-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const put = (path: string, content = 'x', mode = 0o644) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content, { mode });
  };

  it('removes the files of 01 §5.3 and empties machine-id', async () => {
    put('/var/cache/apt/pkgcache.bin');
    put('/var/cache/apt/archives/partial/x.deb');
    put('/var/lib/apt/lists/lock');
    put('/var/log/apt/history.log');
    put('/var/log/dpkg.log');
    put('/var/log/alternatives.log');
    put('/var/log/keep.log');
    put('/var/cache/ldconfig/aux-cache');
    put('/var/cache/debconf/config.dat-old');
    put('/var/cache/debconf/config.dat');
    put('/var/lib/dpkg/status-old');
    put('/var/lib/dpkg/status');
    put('/etc/machine-id', '0123456789abcdef\n', 0o444);
    put('/etc/shadow', 'root:*:20782:0:99999:7:::\n', 0o640);
    const removed = await cleanUpAfterInstall(root, EPOCH);
    expect(removed).toEqual([
      '/var/cache/apt/archives',
      '/var/cache/apt/pkgcache.bin',
      '/var/cache/debconf/config.dat-old',
      '/var/cache/ldconfig/aux-cache',
      '/var/lib/apt/lists/lock',
      '/var/lib/dpkg/status-old',
      '/var/log/alternatives.log',
      '/var/log/apt/history.log',
      '/var/log/dpkg.log',
    ]);
    expect(readdirSync(join(root, 'var/cache/apt'))).toEqual([]);
    expect(existsSync(join(root, 'var/log/keep.log'))).toBe(true);
    expect(existsSync(join(root, 'var/cache/debconf/config.dat'))).toBe(true);
    expect(existsSync(join(root, 'var/lib/dpkg/status'))).toBe(true);
    expect(readFileSync(join(root, 'etc/machine-id'), 'utf8')).toBe('');
    expect(statSync(join(root, 'etc/machine-id')).mode & 0o777).toBe(0o444);
    expect(readFileSync(join(root, 'etc/shadow'), 'utf8')).toBe('root:*:19675:0:99999:7:::\n');
    expect(statSync(join(root, 'etc/shadow')).mode & 0o777).toBe(0o640);
  });

  it('is a no-op on an empty rootfs', async () => {
    expect(await cleanUpAfterInstall(root, EPOCH)).toEqual([]);
    expect(readdirSync(root)).toEqual([]);
  });
});
