// SPDX-License-Identifier: Apache-2.0
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tarOf } from '../steps/test-support.js';
import { extractPackage, memberParts, resolvesInside } from './ctp-package.js';

let dir: string;
let tmp: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ct-ctp-test-'));
  tmp = join(dir, 'tmp');
  mkdirSync(tmp);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function packageFile(
  entries: Parameters<typeof tarOf>[0],
  opts: { gzip?: boolean } = {},
): Promise<string> {
  const tar = await tarOf(entries);
  const path = join(dir, 'pkg.ctp');
  writeFileSync(path, opts.gzip === false ? tar : gzipSync(tar));
  return path;
}

/** Extracts into a private temporary directory, so a leftover directory would be seen. */
function extract(path: string) {
  return extractPackage(path, { tmpDir: tmp, display: 'pkg.ctp' });
}

const good = [
  { name: './manifest.toml', body: 'name = "hello"\n' },
  { name: './attestations/', type: 'directory' as const },
  { name: './attestations/bundle.json', body: '{}\n' },
  { name: 'oci-layout/blobs/sha256/abc', body: 'blob' },
  { name: 'oci-layout/link', type: 'symlink' as const, linkname: 'blobs/sha256/abc' },
  { name: 'oci-layout/hard', type: 'link' as const, linkname: 'oci-layout/blobs/sha256/abc' },
];

describe('extractPackage', () => {
  it('extracts gzip or plain tars into a 0700 directory, names with or without ./', async () => {
    for (const gzip of [true, false]) {
      const pkg = await extract(await packageFile(good, { gzip }));
      try {
        expect(readFileSync(join(pkg.dir, 'manifest.toml'), 'utf8')).toBe('name = "hello"\n');
        expect(readFileSync(join(pkg.dir, 'attestations/bundle.json'), 'utf8')).toBe('{}\n');
        expect(readlinkSync(join(pkg.dir, 'oci-layout/link'))).toBe('blobs/sha256/abc');
        expect(readFileSync(join(pkg.dir, 'oci-layout/hard'), 'utf8')).toBe('blob');
        expect(statSync(pkg.dir).mode & 0o777).toBe(0o700);
      } finally {
        await pkg.close();
      }
      expect(readdirSync(tmp)).toEqual([]);
    }
  });

  const unsafe: [string, Parameters<typeof tarOf>[0]][] = [
    ['a ../x entry', [{ name: '../x', body: 'x' }]],
    ['a .. segment inside', [{ name: 'a/../../x', body: 'x' }]],
    ['an absolute entry', [{ name: '/etc/x', body: 'x' }]],
    ['a symlink to /etc/passwd', [{ name: 'p', type: 'symlink', linkname: '/etc/passwd' }]],
    ['a symlink leaving by ..', [{ name: 'a/p', type: 'symlink', linkname: '../../etc/passwd' }]],
    [
      'a symlink leaving through another symlink',
      [
        { name: 'd/up', type: 'symlink', linkname: '..' },
        { name: 'out', type: 'symlink', linkname: 'd/up/..' },
      ],
    ],
    ['a device node', [{ name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 }]],
    ['a FIFO', [{ name: 'fifo', type: 'fifo' }]],
    [
      'a duplicate path',
      [
        { name: 'manifest.toml', body: 'a' },
        { name: './manifest.toml', body: 'b' },
      ],
    ],
    [
      'a member written through a symlink',
      [
        { name: 'l', type: 'symlink', linkname: 'sub' },
        { name: 'l/x', body: 'x' },
      ],
    ],
    [
      'a hardlink to something that is not an earlier file',
      [{ name: 'h', type: 'link', linkname: 'later' }],
    ],
    [
      'a known member that is not a regular file',
      [
        { name: 'target', body: '{}' },
        { name: 'attestations/bundle.json', type: 'symlink', linkname: '../target' },
      ],
    ],
  ];
  for (const [what, entries] of unsafe) {
    it(`refuses ${what} (MALFORMED_BUNDLE) and removes what it extracted`, async () => {
      await expect(extract(await packageFile(entries))).rejects.toMatchObject({
        code: 'MALFORMED_BUNDLE',
      });
      expect(readdirSync(tmp)).toEqual([]);
    });
  }

  it('refuses what is not a tar, a truncated gzip and a manifest, with a hint for the latter', async () => {
    const path = join(dir, 'x.ctp');
    writeFileSync(path, 'just text\n');
    await expect(extract(path)).rejects.toMatchObject({ code: 'MALFORMED_BUNDLE' });
    const gz = gzipSync(await tarOf([{ name: 'a', body: 'x'.repeat(3000) }]));
    writeFileSync(path, gz.subarray(0, gz.length - 20));
    await expect(extract(path)).rejects.toMatchObject({
      code: 'MALFORMED_BUNDLE',
      message: 'the package pkg.ctp is damaged: unexpected end of file',
    });
    writeFileSync(path, '# hello\n[package]\nname = "hello"\n');
    await expect(extract(path)).rejects.toMatchObject({
      code: 'MALFORMED_BUNDLE',
      hint: 'pkg.ctp looks like a manifest; build it with cerro-torre build pkg.ctp',
    });
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('applies the size and count limits', async () => {
    const path = await packageFile([
      { name: 'a.json', body: 'x'.repeat(10) },
      { name: 'b', body: 'y' },
    ]);
    const limits = { maxMetadataBytes: 100, maxTotalBytes: 100, maxEntries: 100 };
    const run = (l: Partial<typeof limits>) =>
      extractPackage(path, { tmpDir: tmp, limits: { ...limits, ...l } });
    await expect(run({ maxMetadataBytes: 5 })).rejects.toMatchObject({ code: 'MALFORMED_BUNDLE' });
    await expect(run({ maxTotalBytes: 10 })).rejects.toMatchObject({ code: 'MALFORMED_BUNDLE' });
    await expect(run({ maxEntries: 1 })).rejects.toMatchObject({ code: 'MALFORMED_BUNDLE' });
    const ok = await run({});
    await ok.close();
  });
});

describe('memberParts and resolvesInside', () => {
  it('normalises names and refuses .. and absolute ones', () => {
    expect(memberParts('./a//b/./c', 'p')).toEqual(['a', 'b', 'c']);
    expect(memberParts('./', 'p')).toEqual([]);
    expect(() => memberParts('a/../b', 'p')).toThrow(
      expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
    );
  });

  it('follows the package symlinks to tell where a target lands', () => {
    const links = new Map([
      ['d/up', '..'],
      ['loop', 'loop'],
    ]);
    expect(resolvesInside('a/b', '../c', links)).toBe(true);
    expect(resolvesInside('a/b', '../../c', links)).toBe(false);
    expect(resolvesInside('x', 'd/up/sub', links)).toBe(true);
    expect(resolvesInside('x', 'd/up/..', links)).toBe(false);
    expect(resolvesInside('x', 'loop', links)).toBe(false);
  });
});
