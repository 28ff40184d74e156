// SPDX-License-Identifier: Apache-2.0
// installDebs with small .debs built by the host's dpkg-deb and a fake sandbox (no runc).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { noopLogger } from '@verified-container/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChildProcessExec } from '../debian/exec.js';
import type { Sandbox, SandboxRequest, SandboxResult } from '../sandbox/sandbox.js';
import { installDebs, maintainerScriptEnv } from './dpkg-install.js';

const canRun = process.getuid?.() === 0 && spawnSync('dpkg-deb', ['--version']).status === 0;
const EPOCH = 1_700_000_000;

interface DebSpec {
  name: string;
  version?: string;
  depends?: string;
  essential?: boolean;
  files?: Record<string, string>;
  links?: Record<string, string>;
  conffiles?: string[];
  scripts?: Record<string, string>;
}

function buildDeb(dir: string, spec: DebSpec): string {
  const root = mkdtempSync(join(dir, 'build-'));
  mkdirSync(join(root, 'DEBIAN'));
  const control = [
    `Package: ${spec.name}`,
    `Version: ${spec.version ?? '1.0'}`,
    'Architecture: all',
    'Maintainer: Test <test@example.org>',
    ...(spec.essential === true ? ['Essential: yes'] : []),
    ...(spec.depends !== undefined ? [`Depends: ${spec.depends}`] : []),
    `Description: test package ${spec.name}`,
    '',
  ].join('\n');
  writeFileSync(join(root, 'DEBIAN/control'), control);
  for (const [path, content] of Object.entries(spec.files ?? {})) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  for (const [path, target] of Object.entries(spec.links ?? {})) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    symlinkSync(target, join(root, path));
  }
  if (spec.conffiles !== undefined) {
    writeFileSync(join(root, 'DEBIAN/conffiles'), spec.conffiles.map((c) => `${c}\n`).join(''));
  }
  for (const [script, body] of Object.entries(spec.scripts ?? {})) {
    writeFileSync(join(root, 'DEBIAN', script), body, { mode: 0o755 });
  }
  const out = join(dir, `${spec.name}_${spec.version ?? '1.0'}_all.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, out], {
    stdio: 'ignore',
  });
  rmSync(root, { recursive: true, force: true });
  return out;
}

/** A sandbox that records requests and answers with `respond`. */
class FakeSandbox implements Sandbox {
  readonly requests: SandboxRequest[] = [];
  constructor(
    private readonly respond: (req: SandboxRequest) => Partial<SandboxResult> | void = () => {},
  ) {}

  run(request: SandboxRequest): Promise<SandboxResult> {
    this.requests.push(request);
    const r = this.respond(request) ?? {};
    return Promise.resolve({
      containerId: 'ct-build-fake',
      exitCode: 0,
      output: '',
      timedOut: false,
      durationMs: 1,
      ...r,
    });
  }
}

describe.skipIf(!canRun)('installDebs', () => {
  let dir: string;
  let rootfs: string;
  let debs: string[];
  const exec = new ChildProcessExec();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ct-install-unit-'));
    rootfs = join(dir, 'rootfs');
    mkdirSync(rootfs);
    debs = [
      buildDeb(dir, {
        name: 'app',
        depends: 'libfoo (>= 1.0)',
        files: {
          'usr/bin/app': '#!/bin/sh\necho app\n',
          'etc/app.conf': 'setting=1\n',
          'usr/share/doc/app/copyright': 'Copyright\n',
          'usr/share/doc/app/changelog.gz': 'log',
        },
        conffiles: ['/etc/app.conf'],
        scripts: { postinst: '#!/bin/sh\nset -e\necho configured app\n' },
      }),
      buildDeb(dir, {
        name: 'libfoo',
        files: { 'usr/lib/libfoo.so.1': 'ELF' },
        links: { 'usr/lib/libfoo.so': 'libfoo.so.1' },
        scripts: { preinst: '#!/bin/sh\nexit 0\n' },
      }),
    ];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('extract: unpacks in dependency order, applies path rules, writes dpkg’s database', async () => {
    const sandbox = new FakeSandbox();
    const report = await installDebs(
      {
        rootfs,
        debs,
        mode: 'extract',
        sourceDateEpoch: EPOCH,
        pathExclude: ['/usr/share/doc/*'],
        pathInclude: ['/usr/share/doc/*/copyright'],
      },
      { sandbox, exec, logger: noopLogger },
    );
    expect(report.route).toBe('extract');
    expect(report.packages.map((p) => p.name)).toEqual(['libfoo', 'app']);
    expect(sandbox.requests).toEqual([]);
    expect(readFileSync(join(rootfs, 'usr/bin/app'), 'utf8')).toBe('#!/bin/sh\necho app\n');
    expect(readlinkSync(join(rootfs, 'usr/lib/libfoo.so'))).toBe('libfoo.so.1');
    expect(existsSync(join(rootfs, 'usr/share/doc/app/copyright'))).toBe(true);
    expect(existsSync(join(rootfs, 'usr/share/doc/app/changelog.gz'))).toBe(false);
    const status = readFileSync(join(rootfs, 'var/lib/dpkg/status'), 'utf8');
    expect(status).toMatch(/^Package: app\nStatus: install ok installed\n/);
    expect(status).toContain('Conffiles:\n /etc/app.conf ');
    expect(status).toContain('\n\nPackage: libfoo\nStatus: install ok installed\n');
    const list = readFileSync(join(rootfs, 'var/lib/dpkg/info/app.list'), 'utf8').split('\n');
    expect(list[0]).toBe('/.');
    // dpkg lists filtered members too.
    expect(list).toContain('/usr/share/doc/app/changelog.gz');
    expect(readFileSync(join(rootfs, 'var/lib/dpkg/info/app.postinst'), 'utf8')).toContain(
      'configured app',
    );
    expect(lstatSync(join(rootfs, 'var/lib/dpkg/info/app.postinst')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(rootfs, 'var/lib/dpkg/info/format'), 'utf8')).toBe('1\n');
  });

  it('extract: keeps a merged-/usr symlink the rootfs already has', async () => {
    mkdirSync(join(rootfs, 'usr/bin'), { recursive: true });
    symlinkSync('usr/bin', join(rootfs, 'bin'));
    const deb = buildDeb(dir, { name: 'tool', files: { 'bin/tool': 'x' } });
    await installDebs(
      { rootfs, debs: [deb], mode: 'extract', sourceDateEpoch: EPOCH },
      { sandbox: new FakeSandbox(), exec, logger: noopLogger },
    );
    expect(lstatSync(join(rootfs, 'bin')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(rootfs, 'usr/bin/tool'), 'utf8')).toBe('x');
  });

  it('configure without dpkg and without /bin/sh: BUILD_PACKAGE_SCRIPT_FAILED with a hint', async () => {
    await expect(
      installDebs(
        { rootfs, debs, mode: 'configure', sourceDateEpoch: EPOCH },
        { sandbox: new FakeSandbox(), exec, logger: noopLogger },
      ),
    ).rejects.toMatchObject({
      code: 'BUILD_PACKAGE_SCRIPT_FAILED',
      hint: expect.stringContaining('install = "extract"'),
      details: { package: 'libfoo', script: 'preinst' },
    });
  });

  it('configure without dpkg: runs preinst then postinst per package in the sandbox', async () => {
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    writeFileSync(join(rootfs, 'bin/sh'), '');
    mkdirSync(join(rootfs, 'usr/sbin'), { recursive: true });
    const seenPolicy: boolean[] = [];
    const sandbox = new FakeSandbox(() => {
      seenPolicy.push(existsSync(join(rootfs, 'usr/sbin/policy-rc.d')));
    });
    const report = await installDebs(
      { rootfs, debs, mode: 'configure', sourceDateEpoch: EPOCH },
      { sandbox, exec, logger: noopLogger },
    );
    expect(report.route).toBe('scripts');
    expect(sandbox.requests.map((r) => r.argv)).toEqual([
      ['/var/lib/dpkg/info/libfoo.preinst', 'install'],
      ['/var/lib/dpkg/info/app.postinst', 'configure', ''],
    ]);
    const env = sandbox.requests[1]?.env ?? {};
    expect(env).toMatchObject({
      ...maintainerScriptEnv(EPOCH),
      DPKG_MAINTSCRIPT_PACKAGE: 'app',
      DPKG_MAINTSCRIPT_NAME: 'postinst',
    });
    expect(sandbox.requests.every((r) => r.network === 'none')).toBe(true);
    expect(seenPolicy).toEqual([true, true]);
    expect(existsSync(join(rootfs, 'usr/sbin/policy-rc.d'))).toBe(false);
  });

  it('configure with the rootfs’s dpkg: unpack in order, configure -a, then clean up', async () => {
    mkdirSync(join(rootfs, 'usr/bin'), { recursive: true });
    mkdirSync(join(rootfs, 'usr/sbin'), { recursive: true });
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    writeFileSync(join(rootfs, 'usr/bin/dpkg'), '');
    writeFileSync(join(rootfs, 'bin/sh'), '');
    mkdirSync(join(rootfs, 'var/lib/dpkg'), { recursive: true });
    writeFileSync(join(rootfs, 'var/lib/dpkg/status'), '');
    const during: { cfg: string; policy: string; debs: string[] }[] = [];
    const sandbox = new FakeSandbox((req) => {
      const bind = req.bindMounts?.[0];
      during.push({
        cfg: readFileSync(join(rootfs, 'etc/dpkg/dpkg.cfg.d/zz-cerro-torre-build'), 'utf8'),
        policy: readFileSync(join(rootfs, 'usr/sbin/policy-rc.d'), 'utf8'),
        debs: bind === undefined ? [] : readdirSync(bind.source),
      });
      if (req.argv.includes('--configure')) {
        // What dpkg would leave: both packages installed.
        writeFileSync(
          join(rootfs, 'var/lib/dpkg/status'),
          'Package: app\nStatus: install ok installed\nVersion: 1.0\nArchitecture: all\n\n' +
            'Package: libfoo\nStatus: install ok installed\nVersion: 1.0\nArchitecture: all\n',
        );
      }
    });
    const report = await installDebs(
      {
        rootfs,
        debs,
        mode: 'configure',
        sourceDateEpoch: EPOCH,
        pathExclude: ['/usr/share/doc/*'],
      },
      { sandbox, exec, logger: noopLogger },
    );
    expect(report.route).toBe('dpkg');
    const [unpack, configure] = sandbox.requests;
    expect(unpack?.argv).toEqual([
      'dpkg',
      '--force-unsafe-io',
      '--force-confdef',
      '--force-confold',
      '--force-depends',
      '--unpack',
      '/debs/0001-libfoo_1.0_all.deb',
      '/debs/0002-app_1.0_all.deb',
    ]);
    expect(unpack?.bindMounts?.[0]).toMatchObject({ destination: '/debs', readOnly: true });
    expect(configure?.argv.slice(-2)).toEqual(['--configure', '-a']);
    expect(unpack?.env).toEqual(maintainerScriptEnv(EPOCH));
    expect(during[0]).toEqual({
      cfg: 'path-exclude=/usr/share/doc/*\n',
      policy: '#!/bin/sh\nexit 101\n',
      debs: ['0001-libfoo_1.0_all.deb', '0002-app_1.0_all.deb'],
    });
    expect(existsSync(join(rootfs, 'etc/dpkg/dpkg.cfg.d/zz-cerro-torre-build'))).toBe(false);
    expect(existsSync(join(rootfs, 'usr/sbin/policy-rc.d'))).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith('ct-debs-'))).toEqual([]);
  });

  it('configure with the rootfs’s dpkg: a failing postinst names package and script', async () => {
    mkdirSync(join(rootfs, 'usr/bin'), { recursive: true });
    mkdirSync(join(rootfs, 'usr/sbin'), { recursive: true });
    writeFileSync(join(rootfs, 'usr/bin/dpkg'), '');
    symlinkSync('usr/bin', join(rootfs, 'bin'));
    writeFileSync(join(rootfs, 'usr/bin/sh'), '');
    mkdirSync(join(rootfs, 'var/lib/dpkg'), { recursive: true });
    writeFileSync(join(rootfs, 'var/lib/dpkg/status'), '');
    writeFileSync(join(rootfs, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const sandbox = new FakeSandbox((req) =>
      req.argv.includes('--configure')
        ? {
            exitCode: 1,
            output: [
              'Setting up app (1.0) ...',
              ...lines,
              'dpkg: error processing package app (--configure):',
              ' installed app package post-installation script subprocess returned error exit status 7',
              'Errors were encountered while processing:',
              ' app',
              '',
            ].join('\n'),
          }
        : undefined,
    );
    const err = await installDebs(
      { rootfs, debs, mode: 'configure', sourceDateEpoch: EPOCH, workDir: dir },
      { sandbox, exec, logger: noopLogger },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'BUILD_PACKAGE_SCRIPT_FAILED',
      details: { package: 'app', script: 'postinst' },
    });
    const output = (err as { details: { output: string } }).details.output.split('\n');
    expect(output).toHaveLength(20);
    expect(output[output.length - 1]).toContain('exit status 7');
    // The base's own policy-rc.d is back; nothing of ours is left.
    expect(readFileSync(join(rootfs, 'usr/sbin/policy-rc.d'), 'utf8')).toBe('#!/bin/sh\nexit 0\n');
    expect(readdirSync(dir).filter((n) => n.startsWith('ct-debs-'))).toEqual([]);
  });
});
