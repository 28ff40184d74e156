// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pack } from 'tar-stream';
import type { Header } from 'tar-stream';
import type { LockedPackage } from '@verified-container/shared/image';
import { parseConffiles, readDeb, toInstalledPackage } from './deb-reader.js';
import type { ContentSink } from './deb-reader.js';
import { PathFilter } from './path-filter.js';
import { ScriptedExec } from './scripted-exec.js';

type Member = Partial<Header> & { name: string; content?: string };

async function tarOf(members: readonly Member[]): Promise<Uint8Array> {
  const p = pack();
  const chunks: Uint8Array[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Uint8Array);
  })();
  for (const m of members) {
    const { content, ...header } = m;
    await new Promise<void>((resolve, reject) => {
      p.entry(
        { mtime: new Date(1_700_000_000_000), uid: 0, gid: 0, ...header },
        content ?? '',
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const COPYRIGHT = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

Files: *
Copyright: 2024 Someone
License: GPL-2+ or Artistic

License: Artistic
 The Artistic License.
`;

const control = (extra = '') =>
  `Package: demo\nVersion: 1:2.0-1\nArchitecture: amd64\nMaintainer: Jane Doe <jane@example.org>\nPre-Depends: libc6 (>= 2.36)\nDepends: base-files,\n debianutils (>= 5)\nProvides: demo-tool\nSource: demo-src (2.0-1)\nDescription: demo\n A demo.\n${extra}`;

function controlTar(opts: { md5sums?: string; conffiles?: string } = {}) {
  return tarOf([
    { name: './', type: 'directory', mode: 0o755 },
    { name: './control', content: control(), mode: 0o644 },
    ...(opts.md5sums !== undefined
      ? [{ name: './md5sums', content: opts.md5sums, mode: 0o644 }]
      : []),
    {
      name: './conffiles',
      content: opts.conffiles ?? '/etc/demo.conf\nremove-on-upgrade /etc/old.conf\n',
      mode: 0o644,
    },
    { name: './postinst', content: '#!/bin/sh\nset -e\n', mode: 0o755 },
    { name: './triggers', content: 'activate-noawait ldconfig\n', mode: 0o644 },
  ]);
}

function dataTar(extra: Member[] = []) {
  return tarOf([
    { name: './', type: 'directory', mode: 0o755 },
    { name: './etc/', type: 'directory', mode: 0o755 },
    { name: './etc/demo.conf', content: 'key=value\n', mode: 0o644 },
    { name: './usr/', type: 'directory', mode: 0o755 },
    { name: './usr/bin/', type: 'directory', mode: 0o755 },
    { name: './usr/bin/demo', content: '#!/bin/sh\necho demo\n', mode: 0o104755, uid: 0, gid: 50 },
    { name: './usr/bin/demo-hard', type: 'link', linkname: './usr/bin/demo', mode: 0o755 },
    { name: './usr/bin/demo-alias', type: 'symlink', linkname: 'demo', mode: 0o777 },
    { name: './usr/share/', type: 'directory', mode: 0o755 },
    { name: './usr/share/doc/', type: 'directory', mode: 0o755 },
    { name: './usr/share/doc/demo/', type: 'directory', mode: 0o755 },
    { name: './usr/share/doc/demo/copyright', content: COPYRIGHT, mode: 0o644 },
    { name: './usr/share/doc/demo/README', content: 'read me\n', mode: 0o644 },
    { name: './usr/share/doc/demo-tool', type: 'symlink', linkname: 'demo', mode: 0o777 },
    ...extra,
  ]);
}

function execFor(ctrl: Promise<Uint8Array>, data: Promise<Uint8Array>) {
  return new ScriptedExec(async (call) => {
    expect(call.cmd).toBe('dpkg-deb');
    if (call.args[0] === '--ctrl-tarfile') return { stdout: await ctrl };
    if (call.args[0] === '--fsys-tarfile') return { stdout: await data };
    return { code: 2, stderr: 'dpkg-deb: error: unknown option' };
  });
}

class MemorySink implements ContentSink {
  readonly stored = new Map<string, string>();
  async put(data: AsyncIterable<Uint8Array>) {
    const parts: Uint8Array[] = [];
    for await (const c of data) parts.push(c);
    const bytes = Buffer.concat(parts);
    const digest = createHash('sha256').update(bytes).digest('hex');
    this.stored.set(digest, bytes.toString('utf8'));
    return { digest, size: bytes.byteLength };
  }
}

describe('readDeb', () => {
  it('reads the file table, control data, scripts and licence', async () => {
    const sink = new MemorySink();
    const exec = execFor(controlTar({ md5sums: 'shipped  usr/bin/demo\n' }), dataTar());
    const deb = await readDeb(exec, '/cache/demo.deb', { sink });
    expect(exec.calls.map((c) => c.args)).toEqual([
      ['--ctrl-tarfile', '/cache/demo.deb'],
      ['--fsys-tarfile', '/cache/demo.deb'],
    ]);
    expect(deb.control.first('Package')).toBe('demo');
    expect(deb.scripts).toEqual({ postinst: '#!/bin/sh\nset -e\n' });
    expect([...deb.controlFiles.keys()].sort()).toEqual([
      'conffiles',
      'md5sums',
      'postinst',
      'triggers',
    ]);
    expect(deb.controlFiles.get('postinst')?.mode).toBe(0o755);
    expect(deb.conffiles).toEqual(['/etc/demo.conf']);
    expect(deb.md5sums).toBe('shipped  usr/bin/demo\n');
    expect(deb.md5sumsGenerated).toBe(false);
    expect(deb.license).toEqual({
      license: 'GPL-2.0-or-later OR LicenseRef-Artistic',
      extractedLicenses: [{ id: 'LicenseRef-Artistic', text: 'The Artistic License.' }],
    });
    expect(deb.listedPaths).toEqual([
      '/.',
      '/etc',
      '/etc/demo.conf',
      '/usr',
      '/usr/bin',
      '/usr/bin/demo',
      '/usr/bin/demo-hard',
      '/usr/bin/demo-alias',
      '/usr/share',
      '/usr/share/doc',
      '/usr/share/doc/demo',
      '/usr/share/doc/demo/copyright',
      '/usr/share/doc/demo/README',
      '/usr/share/doc/demo-tool',
    ]);
    const byPath = new Map(deb.entries.map((e) => [e.path, e]));
    const script = '#!/bin/sh\necho demo\n';
    expect(byPath.get('/usr/bin/demo')).toEqual({
      path: '/usr/bin/demo',
      type: 'f',
      mode: 0o4755,
      uid: 0,
      gid: 50,
      size: script.length,
      digest: sha(script),
      mtime: 1_700_000_000,
      inodeKey: 'deb:demo_1:2.0-1_amd64:/usr/bin/demo',
    });
    expect(byPath.get('/usr/bin/demo-hard')).toMatchObject({
      type: 'f',
      digest: sha(script),
      size: script.length,
      inodeKey: 'deb:demo_1:2.0-1_amd64:/usr/bin/demo',
    });
    expect(byPath.get('/usr/bin/demo-alias')).toEqual({
      path: '/usr/bin/demo-alias',
      type: 'l',
      mode: 0o777,
      uid: 0,
      gid: 0,
      size: 4,
      digest: sha('demo'),
      linkTarget: 'demo',
      mtime: 1_700_000_000,
    });
    expect(byPath.get('/usr')).toMatchObject({ type: 'd', mode: 0o755, size: 0, digest: '' });
    expect(byPath.has('/')).toBe(false);
    expect(sink.stored.get(sha(script))).toBe(script);
    expect(deb.md5ByPath.get('/usr/bin/demo-hard')).toBe(md5(script));
  });

  it('applies path filters: excluded files are listed but not unpacked or stored', async () => {
    const sink = new MemorySink();
    const filter = new PathFilter([
      { kind: 'exclude', pattern: '/usr/share/doc/*' },
      { kind: 'include', pattern: '/usr/share/doc/*/copyright' },
    ]);
    const deb = await readDeb(execFor(controlTar(), dataTar()), '/d.deb', { sink, filter });
    const paths = deb.entries.map((e) => e.path);
    expect(paths).toContain('/usr/share/doc/demo');
    expect(paths).toContain('/usr/share/doc/demo/copyright');
    expect(paths).toContain('/usr/share/doc/demo-tool');
    expect(paths).not.toContain('/usr/share/doc/demo/README');
    expect(deb.skippedPaths).toEqual(['/usr/share/doc/demo/README']);
    expect(deb.listedPaths).toContain('/usr/share/doc/demo/README');
    expect([...sink.stored.values()]).not.toContain('read me\n');
    // Without md5sums in the package, they are generated from what was unpacked, like dpkg.
    expect(deb.md5sumsGenerated).toBe(true);
    expect(deb.md5sums).toBe(
      [
        `${md5('key=value\n')}  etc/demo.conf`,
        `${md5('#!/bin/sh\necho demo\n')}  usr/bin/demo`,
        `${md5('#!/bin/sh\necho demo\n')}  usr/bin/demo-hard`,
        `${md5(COPYRIGHT)}  usr/share/doc/demo/copyright`,
        '',
      ].join('\n'),
    );
  });

  it('reads the licence even when the copyright file is excluded', async () => {
    const filter = new PathFilter([{ kind: 'exclude', pattern: '/usr/share/doc/*' }]);
    const deb = await readDeb(execFor(controlTar(), dataTar()), '/d.deb', { filter });
    expect(deb.entries.some((e) => e.path.startsWith('/usr/share/doc/'))).toBe(false);
    expect(deb.license.license).toBe('GPL-2.0-or-later OR LicenseRef-Artistic');
  });

  it('names the package whose doc directory a symlinked one points to', async () => {
    const data = tarOf([
      { name: './', type: 'directory' },
      { name: './usr/share/doc/', type: 'directory' },
      { name: './usr/share/doc/demo', type: 'symlink', linkname: 'demo-common' },
    ]);
    const deb = await readDeb(execFor(controlTar(), data), '/d.deb');
    expect(deb.copyright).toBeUndefined();
    expect(deb.copyrightPackage).toBe('demo-common');
    expect(deb.license.license).toBe('NOASSERTION');
  });

  it('refuses members that escape, hardlinks to nothing and broken archives', async () => {
    const escape = tarOf([{ name: './../etc/passwd', content: 'x' }]);
    await expect(readDeb(execFor(controlTar(), escape), '/d.deb')).rejects.toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
    });
    const dangling = tarOf([{ name: './usr/bin/x', type: 'link', linkname: './usr/bin/missing' }]);
    await expect(readDeb(execFor(controlTar(), dangling), '/d.deb')).rejects.toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      message: /hardlink/,
    });
    const failing = new ScriptedExec(() => ({
      code: 2,
      stderr: "dpkg-deb: error: '/d.deb' is not a Debian format archive\n",
    }));
    await expect(readDeb(failing, '/d.deb')).rejects.toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      message: /not a Debian format archive/,
    });
  });

  it('gives the SBOM view of the package', async () => {
    const deb = await readDeb(execFor(controlTar(), dataTar()), '/d.deb');
    const locked: LockedPackage = {
      name: 'demo',
      version: '1:2.0-1',
      architecture: 'amd64',
      sha256: 'a'.repeat(64),
      size: 1,
      source: 'demo-src',
      sourceVersion: '2.0-1',
      pocket: 'bookworm',
      filename: 'pool/main/d/demo/demo.deb',
      requested: true,
    };
    expect(
      toInstalledPackage(locked, deb, 'http://deb.debian.org/debian/pool/main/d/demo/demo.deb'),
    ).toEqual({
      ...locked,
      maintainer: 'Jane Doe <jane@example.org>',
      depends: 'base-files, debianutils (>= 5)',
      preDepends: 'libc6 (>= 2.36)',
      provides: 'demo-tool',
      license: 'GPL-2.0-or-later OR LicenseRef-Artistic',
      extractedLicenses: [{ id: 'LicenseRef-Artistic', text: 'The Artistic License.' }],
      downloadLocation: 'http://deb.debian.org/debian/pool/main/d/demo/demo.deb',
    });
  });
});

describe('parseConffiles', () => {
  it('drops remove-on-upgrade entries and blank lines', () => {
    expect(parseConffiles('/etc/a\n\nremove-on-upgrade /etc/b\n/etc/c\n')).toEqual([
      '/etc/a',
      '/etc/c',
    ]);
  });
});
