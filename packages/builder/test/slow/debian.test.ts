// SPDX-License-Identifier: Apache-2.0
// Real Debian resolution and downloads against the mirror (network). `pnpm test:slow`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builderExitCode } from '@verified-container/shared';
import { readDeb } from '../../src/debian/deb-reader.js';
import { parseControl } from '../../src/debian/deb822.js';
import { downloadDebs } from '../../src/debian/download.js';
import { mergeDpkgStatus, parseDpkgStatus, statusStanza } from '../../src/debian/dpkg-database.js';
import { ChildProcessExec } from '../../src/debian/exec.js';
import { PathFilter } from '../../src/debian/path-filter.js';
import { resolveDebianPackages } from '../../src/debian/resolve.js';
import type { ResolveDebianResult } from '../../src/debian/resolve.js';
import { debianMirrorReady } from '../support.js';

const ready = await debianMirrorReady('apt-get', 'dpkg-deb');

const exec = new ChildProcessExec();
const env = process.env;
const PHP_SET = [
  'php8.2-cli',
  'php8.2-fpm',
  'php8.2-mysql',
  'php8.2-xml',
  'php8.2-mbstring',
  'php8.2-curl',
  'php8.2-zip',
  'php8.2-gd',
  'php8.2-intl',
  'composer',
  'wordpress',
  'mariadb-client',
  'ca-certificates',
  'curl',
  'unzip',
];

/** What must not change on the host: the dpkg status and apt's lists. */
function hostState(): string {
  const lists = readdirSync('/var/lib/apt/lists')
    .sort()
    .map((name) => {
      const s = statSync(join('/var/lib/apt/lists', name));
      return `${name} ${s.size} ${s.mtimeMs}`;
    });
  const status = createHash('sha256').update(readFileSync('/var/lib/dpkg/status')).digest('hex');
  return JSON.stringify({ status, lists });
}

function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  return fn().finally(() => {
    console.log(`${label}: ${Math.round(performance.now() - started)} ms`);
  });
}

describe.skipIf(!ready)('Debian packages against the mirror', () => {
  let root: string;
  let cacheDir: string;
  let before: string;
  let small: ResolveDebianResult;

  beforeAll(async () => {
    before = hostState();
    root = mkdtempSync(join(tmpdir(), 'ct-slow-debian-'));
    // apt drops to the _apt user for downloads; let it reach the lists directory.
    chmodSync(root, 0o755);
    cacheDir = join(root, 'cache');
    small = await timed('resolve busybox ca-certificates (with apt-get update)', () =>
      resolveDebianPackages(
        { exec, env, cacheDir },
        {
          suite: 'bookworm',
          architecture: 'amd64',
          requested: ['busybox', 'ca-certificates'],
          baseStatus: '',
        },
      ),
    );
  });

  afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('resolves busybox + ca-certificates as apt-get -s and apt-cache show say', () => {
    const names = small.packages.map((p) => p.name);
    expect(names).toContain('busybox');
    expect(names).toContain('ca-certificates');
    expect(names).toContain('libc6');
    expect(small.packages.filter((p) => p.requested).map((p) => p.name)).toEqual([
      'busybox',
      'ca-certificates',
    ]);
    expect(small.listsUpdated).toBe(true);

    // The same closure straight from apt in the private root.
    const aptEnv = small.apt.aptEnv() as NodeJS.ProcessEnv;
    const sim = execFileSync(
      'apt-get',
      [
        '-s',
        '-qq',
        '-o',
        'pkgCacheGen::Essential=none',
        '-o',
        'APT::Install-Recommends=false',
        'install',
        'busybox',
        'ca-certificates',
      ],
      { env: aptEnv, encoding: 'utf8' },
    );
    const closure = sim
      .split('\n')
      .filter((l) => l.startsWith('Inst '))
      .map((l) => {
        const [, name, version] = /^Inst (\S+) \((\S+)/.exec(l) ?? [];
        return `${name}=${version}`;
      })
      .sort();
    expect(small.packages.map((p) => `${p.name}=${p.version}`).sort()).toEqual(closure);

    const show = execFileSync('apt-cache', ['show', '--no-all-versions', ...closure], {
      env: aptEnv,
      encoding: 'utf8',
    });
    for (const p of parseControl(show)) {
      const locked = small.packages.find((x) => x.name === p.first('Package'));
      expect(locked).toMatchObject({
        version: p.first('Version'),
        architecture: p.first('Architecture'),
        sha256: p.first('SHA256'),
        size: Number(p.first('Size')),
        filename: p.first('Filename'),
      });
    }
    // ca-certificates comes from the security pocket here (environment §1).
    for (const p of small.packages) {
      expect(['bookworm', 'bookworm-updates', 'bookworm-security']).toContain(p.pocket);
    }
  });

  it('downloads and reads the .debs', async () => {
    const debs = await timed('download busybox ca-certificates', () =>
      downloadDebs(fetch, small.packages, { cacheDir, mirrors: small.apt.sources.mirrors }),
    );
    for (const d of debs) {
      const bytes = readFileSync(d.path);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(d.package.sha256);
      expect(d.path).toBe(join(cacheDir, 'debs', 'sha256', `${d.package.sha256}.deb`));
    }
    const again = await downloadDebs(fetch, small.packages, {
      cacheDir,
      mirrors: small.apt.sources.mirrors,
    });
    expect(again.every((d) => d.cached)).toBe(true);

    const busybox = debs.find((d) => d.package.name === 'busybox')!;
    const bb = await readDeb(exec, busybox.path);
    expect(bb.control.first('Version')).toBe(busybox.package.version);
    expect(bb.entries.find((e) => e.path === '/bin/busybox')).toMatchObject({
      type: 'f',
      mode: 0o755,
      uid: 0,
      gid: 0,
    });
    // Every member dpkg-deb lists is in our table (the root `./` aside).
    const listed = execFileSync('dpkg-deb', ['--fsys-tarfile', busybox.path]);
    const members = execFileSync('tar', ['-t'], { input: listed, encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(bb.listedPaths).toHaveLength(members.length);
    expect(bb.entries).toHaveLength(members.length - 1);

    const ca = debs.find((d) => d.package.name === 'ca-certificates')!;
    const cc = await readDeb(exec, ca.path, {
      filter: new PathFilter([
        { kind: 'exclude', pattern: '/usr/share/doc/*' },
        { kind: 'include', pattern: '/usr/share/doc/*/copyright' },
      ]),
    });
    expect(Object.keys(cc.scripts).sort()).toEqual(['config', 'postinst', 'postrm']);
    expect(cc.license.license).toBe('GPL-2.0-or-later');
    expect(cc.entries.some((e) => e.path === '/usr/share/doc/ca-certificates/copyright')).toBe(
      true,
    );
    expect(cc.entries.some((e) => e.path === '/usr/share/doc/ca-certificates/README.Debian')).toBe(
      false,
    );
    expect(cc.md5sumsGenerated).toBe(false);

    // A status file dpkg would accept: one stanza per package, sorted.
    const status = mergeDpkgStatus('', [
      { control: bb.control.fields, conffiles: [] },
      {
        control: cc.control.fields,
        conffiles: cc.conffiles.map((path) => ({
          path,
          md5: cc.md5ByPath.get(path) ?? 'newconffile',
        })),
      },
    ]);
    expect(parseDpkgStatus(status).map((e) => `${e.name} ${e.status}`)).toEqual([
      'busybox install ok installed',
      'ca-certificates install ok installed',
    ]);
    expect(statusStanza({ control: bb.control.fields, conffiles: [] })[0]).toEqual({
      name: 'Package',
      value: 'busybox',
    });
  });

  it('maps unknown and virtual names with the real indexes', async () => {
    const resolve = (requested: string[]) =>
      resolveDebianPackages(
        { exec, env, cacheDir },
        { suite: 'bookworm', architecture: 'amd64', requested, baseStatus: '' },
      );
    await expect(resolve(['busybx'])).rejects.toMatchObject({
      code: 'BUILD_PACKAGE_NOT_FOUND',
      details: { packages: [{ name: 'busybx', near: expect.arrayContaining(['busybox']) }] },
    });
    await expect(resolve(['mail-transport-agent'])).rejects.toMatchObject({
      code: 'BUILD_PACKAGE_VIRTUAL',
      details: { providers: expect.arrayContaining(['postfix', 'exim4-daemon-light']) },
    });
    await expect(resolve(['postfix', 'exim4-daemon-light'])).rejects.toMatchObject({
      code: 'BUILD_PACKAGE_CONFLICT',
    });
  });

  it('upgrades a base package only when needed and keeps base packages out of the closure', async () => {
    // A base that has libc6 and libgcc-s1 at the current versions already.
    const current = small.packages.filter((p) =>
      ['libc6', 'libgcc-s1', 'gcc-12-base'].includes(p.name),
    );
    const baseStatus = current
      .map(
        (p) =>
          `Package: ${p.name}\nStatus: install ok installed\nMaintainer: x\nArchitecture: ${p.architecture}\nVersion: ${p.version}\nDescription: x\n\n`,
      )
      .join('');
    const { packages } = await resolveDebianPackages(
      { exec, env, cacheDir },
      { suite: 'bookworm', architecture: 'amd64', requested: ['busybox'], baseStatus },
    );
    expect(packages.map((p) => p.name)).toEqual(['busybox']);
  });

  it('resolves and downloads the php-aegis package set', async () => {
    const resolved = await timed(`resolve php-aegis set (${PHP_SET.length} requested)`, () =>
      resolveDebianPackages(
        { exec, env, cacheDir },
        { suite: 'bookworm', architecture: 'amd64', requested: PHP_SET, baseStatus: '' },
      ),
    );
    expect(resolved.listsUpdated).toBe(false);
    const bytes = resolved.packages.reduce((n, p) => n + p.size, 0);
    console.log(
      `php-aegis closure: ${resolved.packages.length} packages, ${(bytes / 1e6).toFixed(1)} MB`,
    );
    expect(
      resolved.packages
        .filter((p) => p.requested)
        .map((p) => p.name)
        .sort(),
    ).toEqual([...PHP_SET].sort());
    const debs = await timed('download php-aegis set', () =>
      downloadDebs(fetch, resolved.packages, { cacheDir, mirrors: resolved.apt.sources.mirrors }),
    );
    expect(debs).toHaveLength(resolved.packages.length);
    const started = performance.now();
    let entries = 0;
    for (const d of debs) entries += (await readDeb(exec, d.path)).entries.length;
    console.log(
      `read ${debs.length} .debs (${entries} entries): ${Math.round(performance.now() - started)} ms`,
    );
  });

  it('fails with coded errors for a bad keyring, a tampered index and no network', async () => {
    const wrongKey = join(root, 'empty.gpg');
    execFileSync('touch', [wrongKey]);
    const attempt = (over: { keyring?: string; mirror?: string; securityMirror?: string }) =>
      resolveDebianPackages(
        { exec, env, cacheDir: join(root, `other-${Math.random().toString(16).slice(2)}`) },
        {
          suite: 'bookworm',
          architecture: 'amd64',
          requested: ['busybox'],
          baseStatus: '',
          ...over,
        },
      );
    await expect(attempt({ keyring: wrongKey })).rejects.toMatchObject({
      code: 'BUILD_REPOSITORY_UNTRUSTED',
    });

    const refused = attempt({
      mirror: 'http://127.0.0.1:9/debian',
      securityMirror: 'http://127.0.0.1:9/debian-security',
    });
    await expect(refused).rejects.toMatchObject({ code: 'BUILD_FETCH_FAILED' });
    expect(builderExitCode('BUILD_FETCH_FAILED')).toBe(3);

    // A proxy that serves the real InRelease but flips a byte of every index file:
    // /m/… is the Debian mirror, /s/… the security mirror.
    const upstreams = small.apt.sources.mirrors;
    const server = createServer((req, res) => {
      const url = req.url ?? '/';
      const base = url.startsWith('/s/') ? upstreams['debian-security'] : upstreams.debian;
      void fetch(`${base}${url.slice(2)}`).then(async (r) => {
        const body = Buffer.from(await r.arrayBuffer());
        const middle = body.length >> 1;
        if (!/Release$/.test(url) && body.length > 0) body[middle] = (body[middle] ?? 0) ^ 0xff;
        res.writeHead(r.status, { 'content-length': body.length });
        res.end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      await expect(
        attempt({
          mirror: `http://127.0.0.1:${port}/m`,
          securityMirror: `http://127.0.0.1:${port}/s`,
        }),
      ).rejects.toMatchObject({ code: 'BUILD_HASH_MISMATCH' });
    } finally {
      server.close();
    }
  });

  it('reads no host apt configuration', () => {
    const dump = execFileSync('apt-config', ['dump'], {
      env: small.apt.aptEnv(),
      encoding: 'utf8',
    });
    expect(dump).toContain('Dir::Etc::parts "/dev/null";');
    expect(dump).toContain(`Dir::State::lists "${small.apt.root}/lists/";`);
    expect(dump).not.toMatch(/Post-Invoke|Pre-Invoke|Acquire::GzipIndexes "true"|\/etc\/apt\//);
  });

  it('leaves the host dpkg status and apt lists untouched', () => {
    expect(hostState()).toBe(before);
  });
});
