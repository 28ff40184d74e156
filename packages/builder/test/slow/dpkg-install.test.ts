// SPDX-License-Identifier: Apache-2.0
// Real Debian packages from deb.debian.org installed with installDebs under runc. Needs network,
// root, runc and the host's apt lists (`apt-get update` done once on the host). The .debs are
// fetched with `apt-get download` into a temp dir; the host's dpkg state is not touched.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noopLogger } from '@verified-container/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildProcessExec } from '../../src/debian/exec.js';
import { installDebs } from '../../src/install/dpkg-install.js';
import type { InstallDebsOptions, InstallReport } from '../../src/install/dpkg-install.js';
import { RuncSandbox } from '../../src/sandbox/runc-sandbox.js';
import { IS_ROOT, has } from '../support.js';

const EPOCH = 1_700_000_000;
const hasRunc = IS_ROOT && has('runc');
const hasApt = has('apt-get');
const timings: Record<string, number> = {};

function sh(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', cwd, maxBuffer: 256 * 1024 * 1024 });
}

/** `name=version` of what apt would install for `request` over `status` (empty: from scratch). */
function closure(request: string[], status: string): string[] {
  const out = sh('apt-get', [
    '-s',
    '-qq',
    '-o',
    `Dir::State::status=${status}`,
    '-o',
    'pkgCacheGen::Essential=none',
    '-o',
    'APT::Install-Recommends=false',
    'install',
    ...request,
  ]);
  return out
    .split('\n')
    .filter((l) => l.startsWith('Inst '))
    .map((l) => {
      const [, name, version] = /^Inst (\S+) (?:\[[^\]]*\] )?\((\S+)/.exec(l) ?? [];
      return `${name}=${version}`;
    });
}

/** Package names with `Priority: required` in the host's apt lists. */
function requiredPackages(): string[] {
  const files = sh('apt-get', ['indextargets', '--format', '$(FILENAME)', 'Identifier: Packages'])
    .split('\n')
    .filter((f) => f !== '');
  const names = new Set<string>();
  for (const f of files) {
    let pkg = '';
    for (const line of sh('/usr/lib/apt/apt-helper', ['cat-file', f]).split('\n')) {
      if (line.startsWith('Package: ')) pkg = line.slice(9).trim();
      else if (line === 'Priority: required') names.add(pkg);
    }
  }
  return [...names].sort();
}

function download(dir: string, pkgs: string[]): string[] {
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  sh('apt-get', ['download', '-qq', ...pkgs], dir);
  timings[`download ${dir.split('/').pop()}`] = Date.now() - started;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.deb'))
    .map((f) => join(dir, f));
}

const sandbox = new RuncSandbox();
const deps = { sandbox, exec: new ChildProcessExec(), logger: noopLogger };

async function install(label: string, opts: InstallDebsOptions): Promise<InstallReport> {
  const started = Date.now();
  const report = await installDebs(opts, deps);
  timings[label] = Date.now() - started;
  return report;
}

async function inSandbox(rootfs: string, script: string) {
  return sandbox.run({
    rootfs,
    argv: ['/bin/sh', '-c', script],
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C.UTF-8' },
    timeoutMs: 120_000,
  });
}

/** path → type/mode/owner/content digest/link target; mtimes clamped to the epoch (01 §6.3). */
function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      const meta = `${st.mode.toString(8)} ${st.uid}:${st.gid} ${Math.min(Math.floor(st.mtimeMs / 1000), EPOCH)}`;
      if (st.isSymbolicLink()) out.set(p.slice(root.length), `${meta} -> ${readlinkSync(p)}`);
      else if (st.isFile()) {
        const h = createHash('sha256').update(readFileSync(p)).digest('hex');
        out.set(p.slice(root.length), `${meta} ${h}`);
      } else {
        out.set(p.slice(root.length), meta);
        if (st.isDirectory()) walk(p);
      }
    }
  };
  walk(root);
  return out;
}

function differences(a: Map<string, string>, b: Map<string, string>): string[] {
  const diffs: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) diffs.push(k);
  for (const k of b.keys()) if (!a.has(k)) diffs.push(k);
  return diffs.sort();
}

/** The stanza of `name` in a status file. */
function stanza(statusText: string, name: string): string {
  return (
    statusText.split('\n\n').find((s) => s.startsWith(`Package: ${name}\n`)) ?? `<${name} missing>`
  );
}

describe.skipIf(!hasRunc || !hasApt)('installDebs with real Debian packages', () => {
  let work: string;
  let minbase: string[];
  let minbaseRoot: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ct-install-slow-'));
    writeFileSync(join(work, 'empty-status'), '');
    const set = closure([...requiredPackages(), 'apt'], join(work, 'empty-status'));
    minbase = download(join(work, 'debs-minbase'), set);
    minbaseRoot = join(work, 'minbase');
  });

  afterAll(() => {
    console.log('timings (ms):', JSON.stringify(timings, null, 2));
    rmSync(work, { recursive: true, force: true });
    expect(
      sh('runc', ['list', '-q'])
        .split('\n')
        .filter((l) => l.startsWith('ct-build-')),
    ).toEqual([]);
  });

  it('bootstraps Priority: required + apt with the set’s own dpkg; dpkg -l says ii', async () => {
    mkdirSync(minbaseRoot);
    const report = await install('bootstrap minbase', {
      rootfs: minbaseRoot,
      debs: minbase,
      mode: 'configure',
      sourceDateEpoch: EPOCH,
    });
    expect(report.route).toBe('bootstrap');
    expect(report.packages).toHaveLength(minbase.length);
    const r = await inSandbox(minbaseRoot, "dpkg-query -W -f '${db:Status-Abbrev}|${Package}\\n'");
    expect(r.exitCode).toBe(0);
    const rows = r.output.trim().split('\n');
    expect(rows).toHaveLength(minbase.length);
    expect(rows.filter((row) => !row.startsWith('ii |'))).toEqual([]);
    expect(existsSync(join(minbaseRoot, 'usr/sbin/policy-rc.d'))).toBe(false);
    expect(existsSync(join(minbaseRoot, 'debs'))).toBe(false);
    expect(existsSync(join(minbaseRoot, 'var/log/dpkg.log'))).toBe(false);
    expect(readdirSync(join(minbaseRoot, 'var/cache/apt'))).toEqual([]);
    const shadow = readFileSync(join(minbaseRoot, 'etc/shadow'), 'utf8');
    expect(shadow).toContain(`root:*:${Math.floor(EPOCH / 86400)}:`);
  });

  it('bootstraps reproducibly: a second run gives the same tree', async () => {
    const again = join(work, 'minbase-again');
    mkdirSync(again);
    await install('bootstrap minbase (again)', {
      rootfs: again,
      debs: minbase,
      mode: 'configure',
      sourceDateEpoch: EPOCH,
    });
    const diffs = differences(tree(minbaseRoot), tree(again));
    console.log('files differing between two bootstraps:', diffs);
    expect(diffs).toEqual([]);
    rmSync(again, { recursive: true, force: true });
  });

  it('installs busybox + ca-certificates over the base with its dpkg, and extract writes the same database', async () => {
    const bbca = download(
      join(work, 'debs-bbca'),
      closure(['busybox', 'ca-certificates'], join(minbaseRoot, 'var/lib/dpkg/status')),
    );
    const withDpkg = join(work, 'bbca-dpkg');
    const extracted = join(work, 'bbca-extract');
    sh('cp', ['-a', minbaseRoot, withDpkg]);
    sh('cp', ['-a', minbaseRoot, extracted]);
    const filters = {
      pathExclude: ['/usr/share/doc/*', '/usr/share/man/*'],
      pathInclude: ['/usr/share/doc/*/copyright'],
    };
    const viaDpkg = await install('busybox+ca-certificates (dpkg)', {
      rootfs: withDpkg,
      debs: bbca,
      mode: 'configure',
      sourceDateEpoch: EPOCH,
      ...filters,
    });
    expect(viaDpkg.route).toBe('dpkg');
    const viaExtract = await install('busybox+ca-certificates (extract)', {
      rootfs: extracted,
      debs: bbca,
      mode: 'extract',
      sourceDateEpoch: EPOCH,
      ...filters,
    });
    expect(viaExtract.route).toBe('extract');

    for (const root of [withDpkg, extracted]) {
      expect(existsSync(join(root, 'usr/share/doc/busybox/copyright'))).toBe(true);
      expect(existsSync(join(root, 'usr/share/doc/busybox/changelog.Debian.gz'))).toBe(false);
      expect(existsSync(join(root, 'usr/share/man/man1/busybox.1.gz'))).toBe(false);
      expect(existsSync(join(root, 'etc/dpkg/dpkg.cfg.d/zz-cerro-torre-build'))).toBe(false);
      const r = await inSandbox(root, "busybox echo ok && dpkg-query -W -f '${Status}\\n' busybox");
      expect(r.output.trim().split('\n')).toEqual(['ok', 'install ok installed']);
    }
    // Only configure ran update-ca-certificates.
    expect(existsSync(join(withDpkg, 'etc/ssl/certs/ca-certificates.crt'))).toBe(true);
    expect(existsSync(join(extracted, 'etc/ssl/certs/ca-certificates.crt'))).toBe(false);

    const statusDpkg = readFileSync(join(withDpkg, 'var/lib/dpkg/status'), 'utf8');
    const statusOurs = readFileSync(join(extracted, 'var/lib/dpkg/status'), 'utf8');
    for (const p of viaDpkg.packages) {
      expect(stanza(statusOurs, p.name)).toBe(stanza(statusDpkg, p.name));
      for (const suffix of ['list', 'md5sums', 'conffiles', 'postinst', 'templates']) {
        const key = p.name === 'libssl3' ? `${p.name}:amd64` : p.name;
        const a = join(withDpkg, `var/lib/dpkg/info/${key}.${suffix}`);
        const b = join(extracted, `var/lib/dpkg/info/${key}.${suffix}`);
        expect(existsSync(b), `${key}.${suffix}`).toBe(existsSync(a));
        if (existsSync(a))
          expect(readFileSync(b, 'utf8'), `${key}.${suffix}`).toBe(readFileSync(a, 'utf8'));
      }
    }
    rmSync(withDpkg, { recursive: true, force: true });
    rmSync(extracted, { recursive: true, force: true });
  });

  it('installs busybox + ca-certificates into an empty rootfs: extract works, configure needs /bin/sh', async () => {
    const debs = download(
      join(work, 'debs-bbca-scratch'),
      closure(['busybox', 'ca-certificates'], join(work, 'empty-status')),
    );
    const root = join(work, 'scratch-extract');
    mkdirSync(root);
    await install('busybox+ca-certificates from scratch (extract)', {
      rootfs: root,
      debs,
      mode: 'extract',
      sourceDateEpoch: EPOCH,
    });
    const listed = sh('dpkg-query', [
      `--admindir=${root}/var/lib/dpkg`,
      '-W',
      '-f',
      '${Package} ${Status}\n',
    ]);
    expect(listed.trim().split('\n').sort()).toEqual(
      debs.map((d) => `${d.split('/').pop()!.split('_')[0]} install ok installed`).sort(),
    );
    const r = await sandbox.run({
      rootfs: root,
      argv: ['/bin/busybox', 'sh', '-c', 'echo hi from busybox'],
      env: { PATH: '/usr/bin:/bin' },
      timeoutMs: 30_000,
    });
    expect(r.output).toBe('hi from busybox\n');

    const bare = join(work, 'scratch-configure');
    mkdirSync(bare);
    await expect(
      installDebs({ rootfs: bare, debs, mode: 'configure', sourceDateEpoch: EPOCH }, deps),
    ).rejects.toMatchObject({
      code: 'BUILD_PACKAGE_SCRIPT_FAILED',
      hint: expect.stringContaining('install = "extract"'),
    });
    rmSync(root, { recursive: true, force: true });
    rmSync(bare, { recursive: true, force: true });
  });

  it('installs php8.2-cli + php8.2-fpm over the base; php runs and php-fpm8.2 -t passes', async () => {
    const debs = download(
      join(work, 'debs-php'),
      closure(
        // systemd-standalone-tmpfiles satisfies `systemd | systemd-tmpfiles` without systemd.
        ['php8.2-cli', 'php8.2-fpm', 'systemd-standalone-tmpfiles'],
        join(minbaseRoot, 'var/lib/dpkg/status'),
      ),
    );
    const report = await install('php8.2-cli + php8.2-fpm (dpkg)', {
      rootfs: minbaseRoot,
      debs,
      mode: 'configure',
      sourceDateEpoch: EPOCH,
    });
    expect(report.route).toBe('dpkg');
    const php = await inSandbox(minbaseRoot, "php -r 'echo PHP_VERSION;'");
    expect(php.exitCode).toBe(0);
    expect(php.output).toMatch(/^8\.2\.\d+$/);
    const fpm = await inSandbox(minbaseRoot, 'php-fpm8.2 -t 2>&1');
    expect(fpm.exitCode).toBe(0);
    expect(fpm.output).toContain('test is successful');
    const status = await inSandbox(
      minbaseRoot,
      "dpkg-query -W -f '${db:Status-Abbrev}\\n' | sort | uniq -c",
    );
    expect(status.output.trim()).toMatch(/^\d+ ii$/);
  });
});
