// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { VcError } from '../errors.js';
import { PackageMemberTable, type PackageEntry } from './ctp-package.js';

const file = (name: string, size = 1): PackageEntry => ({ name, type: 'file', size });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!(err instanceof VcError)) return 'not a VcError';
    const code: string = String(err.code);
    return code;
  }
}

describe('PackageMemberTable (02 §3)', () => {
  it('plans unlisted parents once and skips the root entry', () => {
    const t = new PackageMemberTable('x.ctp');
    expect(t.add({ name: './', type: 'directory', size: 0 })).toEqual({ kind: 'skip' });
    expect(t.add(file('./oci-layout/blobs/sha256/ab'))).toEqual({
      kind: 'file',
      path: 'oci-layout/blobs/sha256/ab',
      mkdirs: ['oci-layout', 'oci-layout/blobs', 'oci-layout/blobs/sha256'],
    });
    // A directory entry after its implicit creation is not made again.
    expect(t.add({ name: 'oci-layout/', type: 'directory', size: 0 })).toEqual({
      kind: 'directory',
      path: 'oci-layout',
      mkdirs: [],
      create: false,
    });
    t.add(file('manifest.toml'));
    t.finish();
    expect(t.files()).toEqual(['oci-layout/blobs/sha256/ab', 'manifest.toml']);
  });

  it.each([
    ['a `..` segment', [file('a/../../etc/passwd')]],
    ['an absolute name', [file('/etc/passwd')]],
    ['a device', [{ name: 'dev', type: 'character-device', size: 0 }]],
    ['a FIFO', [{ name: 'p', type: 'fifo', size: 0 }]],
    ['a duplicate', [file('a'), file('./a')]],
    ['an absolute symlink', [{ name: 'l', type: 'symlink', size: 0, linkName: '/etc' }]],
    [
      'a write through a symlink',
      [{ name: 'l', type: 'symlink', size: 0, linkName: 'd' }, file('l/x')],
    ],
    ['a hardlink to a later file', [{ name: 'h', type: 'hardlink', size: 0, linkName: 'a' }]],
  ] as [string, PackageEntry[]][])('refuses %s with MALFORMED_BUNDLE', (_what, entries) => {
    const t = new PackageMemberTable('x.ctp');
    expect(codeOf(() => entries.forEach((e) => t.add(e)))).toBe('MALFORMED_BUNDLE');
  });

  it('refuses, at the end, a symlink leaving the package, a known member not a file, nothing', () => {
    const leaving = new PackageMemberTable('x.ctp');
    leaving.add({ name: 'a/l', type: 'symlink', size: 0, linkName: '../../x' });
    expect(codeOf(() => leaving.finish())).toBe('MALFORMED_BUNDLE');
    const notFile = new PackageMemberTable('x.ctp');
    notFile.add({ name: 'manifest.toml/', type: 'directory', size: 0 });
    expect(codeOf(() => notFile.finish())).toBe('MALFORMED_BUNDLE');
    expect(codeOf(() => new PackageMemberTable('x.ctp').finish())).toBe('MALFORMED_BUNDLE');
  });

  it('applies the size and count limits', () => {
    const limits = { maxMetadataBytes: 10, maxTotalBytes: 100, maxEntries: 2 };
    expect(codeOf(() => new PackageMemberTable('x', limits).add(file('a.json', 11)))).toBe(
      'MALFORMED_BUNDLE',
    );
    const total = new PackageMemberTable('x', limits);
    total.add(file('a', 60));
    expect(codeOf(() => total.add(file('b', 60)))).toBe('MALFORMED_BUNDLE');
    const count = new PackageMemberTable('x', limits);
    count.add(file('a'));
    count.add(file('b'));
    expect(codeOf(() => count.add(file('c')))).toBe('MALFORMED_BUNDLE');
  });
});
