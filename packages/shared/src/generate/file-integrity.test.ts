// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../crypto/index.js';
import type { FileEntry } from '../image/index.js';
import { canonicalBytes, canonicalize } from '../json/index.js';
import { generateFileIntegrity, treeDigest } from './file-integrity.js';

const PASSWD = '9c1e'.padEnd(64, '0');

function entry(path: string, fields: Partial<FileEntry> = {}): FileEntry {
  return { path, type: 'd', mode: 0o755, uid: 0, gid: 0, size: 0, digest: '', mtime: 0, ...fields };
}

describe('generateFileIntegrity (02 §6)', () => {
  it('writes one row per entry, sorted by path bytes, without /', () => {
    const predicate = generateFileIntegrity([
      entry('/etc/passwd', { type: 'f', mode: 0o644, size: 1021, digest: PASSWD }),
      entry('/'),
      entry('/etc'),
      entry('/etc-old'),
      entry('/usr/bin/é', { type: 'f', size: 1, digest: sha256Hex('x') }),
      entry('/usr/bin/z', { type: 'f', size: 1, digest: sha256Hex('x') }),
    ]);
    expect(predicate.algorithm).toBe('sha256');
    expect(predicate.fields).toEqual(['path', 'type', 'mode', 'uid', 'gid', 'size', 'digest']);
    expect(predicate.entries.map((row) => row[0])).toEqual([
      '/etc',
      '/etc-old',
      '/etc/passwd',
      '/usr/bin/z',
      '/usr/bin/é',
    ]);
    expect(predicate.entries[2]).toEqual(['/etc/passwd', 'f', '0644', 0, 0, 1021, PASSWD]);
    expect(predicate.entries[0]).toEqual(['/etc', 'd', '0755', 0, 0, 0, '']);
  });

  it('writes hardlinks as f, symlinks with the length and sha256 of their target', () => {
    const content = sha256Hex('#!/bin/sh\n');
    const [hardlink, link, absolute, device, fifo, setuid] = generateFileIntegrity([
      entry('/a', { type: 'f', size: 10, digest: content, inodeKey: '1' }),
      entry('/b', { type: 'l', mode: 0o777, linkTarget: 'busybox', size: 99, digest: 'stale' }),
      entry('/c', { type: 'l', mode: 0o777, linkTarget: '/usr/bin/ü' }),
      entry('/d', { type: 'c', mode: 0o666, devMajor: 1, devMinor: 3, size: 5, digest: 'x' }),
      entry('/e', { type: 'p', mode: 0o600 }),
      entry('/f', {
        type: 'f',
        mode: 0o4755,
        uid: 0,
        gid: 50,
        size: 10,
        digest: content.toUpperCase(),
      }),
    ]).entries;
    expect(hardlink).toEqual(['/a', 'f', '0755', 0, 0, 10, content]);
    expect(link).toEqual(['/b', 'l', '0777', 0, 0, 7, sha256Hex('busybox')]);
    // Byte length, not character count: ü is two bytes in UTF-8.
    expect(absolute).toEqual(['/c', 'l', '0777', 0, 0, 11, sha256Hex('/usr/bin/ü')]);
    expect(device).toEqual(['/d', 'c', '0666', 0, 0, 0, '']);
    expect(fifo).toEqual(['/e', 'p', '0600', 0, 0, 0, '']);
    expect(setuid).toEqual(['/f', 'f', '4755', 0, 50, 10, content]);
  });

  it('keeps a symlink digest given without its target', () => {
    const digest = sha256Hex('t');
    expect(generateFileIntegrity([entry('/l', { type: 'l', size: 1, digest })]).entries[0]).toEqual(
      ['/l', 'l', '0755', 0, 0, 1, digest],
    );
  });

  it('is deterministic and independent of the input order', () => {
    const entries = [
      entry('/b', { type: 'f', size: 1, digest: sha256Hex('b') }),
      entry('/a'),
      entry('/a/x', { type: 'l', linkTarget: '../b' }),
    ];
    expect(canonicalize(generateFileIntegrity(entries))).toBe(
      canonicalize(generateFileIntegrity([...entries].reverse())),
    );
  });

  it.each([
    ['a relative path', [entry('etc')]],
    ['a duplicate path', [entry('/etc'), entry('/etc')]],
    ['a file without a digest', [entry('/x', { type: 'f', size: 1 })]],
    ['a symlink without target or digest', [entry('/x', { type: 'l' })]],
  ])('refuses %s', (_what, entries) => {
    expect(() => generateFileIntegrity(entries)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('treeDigest (02 §6)', () => {
  const tree = [
    entry('/composer.json', { type: 'f', mode: 0o644, size: 2, digest: sha256Hex('{}') }),
    entry('/src'),
    entry('/src/A.php', { type: 'f', mode: 0o644, size: 5, digest: sha256Hex('<?php') }),
  ];

  it('is the sha256 of the JCS of the predicate built for the tree', () => {
    const expected = sha256Hex(canonicalBytes(generateFileIntegrity(tree)));
    expect(treeDigest(tree)).toBe(expected);
    expect(
      sha256Hex(
        '{"algorithm":"sha256","entries":[' +
          `["/composer.json","f","0644",0,0,2,"${sha256Hex('{}')}"],` +
          '["/src","d","0755",0,0,0,""],' +
          `["/src/A.php","f","0644",0,0,5,"${sha256Hex('<?php')}"]` +
          '],"fields":["path","type","mode","uid","gid","size","digest"]}',
      ),
    ).toBe(expected);
  });

  it('roots relative paths at /', () => {
    const relative = tree.map((e, i) => ({
      ...e,
      path: i === 0 ? `./${e.path.slice(1)}` : e.path.slice(1),
    }));
    expect(treeDigest(relative)).toBe(treeDigest(tree));
  });

  it('changes with content, mode and ownership', () => {
    const base = treeDigest(tree);
    const [first, ...rest] = tree;
    if (first === undefined) throw new Error('fixture');
    expect(treeDigest([{ ...first, mode: 0o600 }, ...rest])).not.toBe(base);
    expect(treeDigest([{ ...first, uid: 33 }, ...rest])).not.toBe(base);
    expect(treeDigest([{ ...first, digest: sha256Hex('[]') }, ...rest])).not.toBe(base);
    expect(treeDigest([])).toBe(
      sha256Hex(
        '{"algorithm":"sha256","entries":[],"fields":["path","type","mode","uid","gid","size","digest"]}',
      ),
    );
  });
});
