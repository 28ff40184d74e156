// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseControl } from './deb822.js';
import {
  dpkgInfoFiles,
  dpkgPackageKey,
  installedEntries,
  mergeDpkgStatus,
  normalizeDependencies,
  parseDpkgStatus,
  statusStanza,
} from './dpkg-database.js';

const bashControl = `Package: bash
Version: 5.2.15-2+b8
Architecture: amd64
Essential: yes
Maintainer: Matthias Klose <doko@debian.org>
Installed-Size: 7164
Pre-Depends: libc6 (>= 2.36), libtinfo6 (>= 6)
Depends: base-files (>= 2.1.12),  debianutils (>= 5.6-0.1)
Recommends: bash-completion (>= 20060301-0)
Suggests: bash-doc
Conflicts: bash-completion (<< 20060301-0)
Replaces: bash-completion (<< 20060301-0), bash-doc (<= 2.05-1)
Section: shells
Priority: required
Multi-Arch: foreign
Homepage: http://tiswww.case.edu/php/chet/bash/bashtop.html
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.
 .
 More text.
Source: bash (5.2.15-2)
`;

// What dpkg 1.21 wrote to /var/lib/dpkg/status for that package (Debian 12 host).
const bashStatus = `Package: bash
Essential: yes
Status: install ok installed
Priority: required
Section: shells
Installed-Size: 7164
Maintainer: Matthias Klose <doko@debian.org>
Architecture: amd64
Multi-Arch: foreign
Source: bash (5.2.15-2)
Version: 5.2.15-2+b8
Replaces: bash-completion (<< 20060301-0), bash-doc (<= 2.05-1)
Depends: base-files (>= 2.1.12), debianutils (>= 5.6-0.1)
Pre-Depends: libc6 (>= 2.36), libtinfo6 (>= 6)
Recommends: bash-completion (>= 20060301-0)
Suggests: bash-doc
Conflicts: bash-completion (<< 20060301-0)
Conffiles:
 /etc/bash.bashrc 89269e1298235f1b12b4c16e4065ad0d
 /etc/skel/.bashrc ee35a240758f374832e809ae0ea4883a
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.
 .
 More text.
Homepage: http://tiswww.case.edu/php/chet/bash/bashtop.html

`;

const bashInput = {
  control: parseControl(bashControl)[0]!.fields,
  conffiles: [
    { path: '/etc/bash.bashrc', md5: '89269e1298235f1b12b4c16e4065ad0d' },
    { path: '/etc/skel/.bashrc', md5: 'ee35a240758f374832e809ae0ea4883a' },
  ],
};

describe('status stanzas', () => {
  it('writes fields in dpkg order with Status and Conffiles, like dpkg does', () => {
    expect(mergeDpkgStatus('', [bashInput])).toBe(bashStatus);
  });

  it('leaves out Essential: no, Multi-Arch: no and index-only fields', () => {
    const control = parseControl(
      'Package: a\nVersion: 1\nArchitecture: all\nEssential: no\nMulti-Arch: no\nFilename: pool/a.deb\nSize: 3\nMaintainer: m\nDescription: d\n',
    )[0]!.fields;
    expect(statusStanza({ control, conffiles: [] }).map((f) => f.name)).toEqual([
      'Package',
      'Status',
      'Maintainer',
      'Architecture',
      'Version',
      'Description',
    ]);
  });

  it('normalises dependency fields as dpkg prints them', () => {
    expect(normalizeDependencies('a (>=1.0) ,b|c ( << 2 ),\n d:any')).toBe(
      'a (>= 1.0), b | c (<< 2), d:any',
    );
  });

  it('merges with a base: keeps base stanzas, replaces upgrades, sorts by name', () => {
    const base = `Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nVersion: 1\n\nPackage: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.0\n\n`;
    const merged = mergeDpkgStatus(base, [bashInput]);
    const entries = parseDpkgStatus(merged);
    expect(entries.map((e) => `${e.name} ${e.version}`)).toEqual(['bash 5.2.15-2+b8', 'zlib1g 1']);
    // The base stanza is kept byte for byte.
    expect(
      merged.endsWith(
        'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nVersion: 1\n\n',
      ),
    ).toBe(true);
    expect(mergeDpkgStatus(merged, [])).toBe(merged);
  });

  it('parses a status file for the SBOM', () => {
    const [bash] = parseDpkgStatus(bashStatus);
    expect(bash).toMatchObject({
      name: 'bash',
      version: '5.2.15-2+b8',
      architecture: 'amd64',
      status: 'install ok installed',
      source: 'bash',
      sourceVersion: '5.2.15-2',
      essential: true,
      preDepends: 'libc6 (>= 2.36), libtinfo6 (>= 6)',
      conffiles: [
        { path: '/etc/bash.bashrc', md5: '89269e1298235f1b12b4c16e4065ad0d', flags: [] },
        { path: '/etc/skel/.bashrc', md5: 'ee35a240758f374832e809ae0ea4883a', flags: [] },
      ],
    });
    const removed = parseDpkgStatus('Package: x\nStatus: deinstall ok config-files\nVersion: 1\n');
    expect(installedEntries([...removed, bash!]).map((e) => e.name)).toEqual(['bash']);
    expect(() => parseDpkgStatus(' broken')).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT' }),
    );
  });
});

describe('info files', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const dec = (b: Uint8Array) => new TextDecoder().decode(b);

  it('names them <pkg>.<x>, or <pkg>:<arch>.<x> for Multi-Arch: same', () => {
    expect(dpkgPackageKey('libc6', 'amd64', 'same')).toBe('libc6:amd64');
    expect(dpkgPackageKey('bash', 'amd64', 'foreign')).toBe('bash');
    const files = dpkgInfoFiles({
      name: 'libc6',
      architecture: 'amd64',
      multiArch: 'same',
      listedPaths: ['/.', '/etc', '/etc/ld.so.conf.d', '/usr/lib/x86_64-linux-gnu/libc.so.6'],
      md5sums: 'aa  usr/lib/x86_64-linux-gnu/libc.so.6\n',
      controlFiles: new Map([
        ['postinst', { content: enc('#!/bin/sh\n'), mode: 0o755 }],
        ['conffiles', { content: enc('/etc/ld.so.conf.d/x.conf\n'), mode: 0o644 }],
        ['triggers', { content: enc('activate-noawait ldconfig\n'), mode: 0o644 }],
      ]),
    });
    expect(files.map((f) => [f.path, f.mode.toString(8)])).toEqual([
      ['/var/lib/dpkg/info/libc6:amd64.conffiles', '644'],
      ['/var/lib/dpkg/info/libc6:amd64.list', '644'],
      ['/var/lib/dpkg/info/libc6:amd64.md5sums', '644'],
      ['/var/lib/dpkg/info/libc6:amd64.postinst', '755'],
      ['/var/lib/dpkg/info/libc6:amd64.triggers', '644'],
    ]);
    expect(dec(files[1]!.content)).toBe(
      '/.\n/etc\n/etc/ld.so.conf.d\n/usr/lib/x86_64-linux-gnu/libc.so.6\n',
    );
  });
});
