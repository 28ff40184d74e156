// SPDX-License-Identifier: Apache-2.0
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveAptSources } from './apt-sources.js';
import { editDistance, nearNames } from './near-names.js';
import { PackageUniverse } from './package-universe.js';
import { PrivateApt } from './private-apt.js';
import { aptFailure, parseAptSimulation, resolvePackages } from './resolve.js';
import { ScriptedExec } from './scripted-exec.js';
import type { ExecCall, ScriptedReply } from './scripted-exec.js';

const sha = (c: string) => c.repeat(64);

function stanza(fields: Record<string, string>): string {
  return `${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n`;
}

const MAIN = [
  stanza({
    Package: 'busybox',
    Source: 'busybox (1:1.35.0-4)',
    Version: '1:1.35.0-4+b3',
    'Installed-Size': '1',
    Architecture: 'amd64',
    Filename: 'pool/main/b/busybox/busybox_1.35.0-4+b3_amd64.deb',
    Size: '452120',
    SHA256: sha('a'),
  }),
  stanza({
    Package: 'libc6',
    Source: 'glibc',
    Version: '2.36-9+deb12u14',
    Architecture: 'amd64',
    'Multi-Arch': 'same',
    Filename: 'pool/main/g/glibc/libc6_2.36-9+deb12u14_amd64.deb',
    Size: '2759320',
    SHA256: sha('b'),
  }),
  stanza({
    Package: 'ca-certificates',
    Version: '20250419~deb12u2',
    Architecture: 'all',
    Filename: 'pool/main/c/ca-certificates/ca-certificates_20250419~deb12u2_all.deb',
    Size: '160948',
    SHA256: sha('c'),
  }),
  stanza({
    Package: 'ca-certificates',
    Version: '20230311',
    Architecture: 'all',
    Filename: 'pool/main/c/ca-certificates/ca-certificates_20230311_all.deb',
    Size: '150000',
    SHA256: sha('d'),
  }),
  stanza({
    Package: 'mawk',
    Version: '1.3.4',
    Architecture: 'amd64',
    Provides: 'awk',
    Filename: 'pool/main/m/mawk/mawk.deb',
    Size: '1',
    SHA256: sha('e'),
  }),
  stanza({
    Package: 'gawk',
    Version: '1:5.2.1-2',
    Architecture: 'amd64',
    Provides: 'awk, gawk-doc (= 1)',
    Filename: 'pool/main/g/gawk/gawk.deb',
    Size: '1',
    SHA256: sha('f'),
  }),
  stanza({
    Package: 'libgcc-s1',
    Source: 'gcc-12',
    Version: '12.2.0-14+deb12u1',
    Architecture: 'amd64',
    Provides: 'libgcc1 (= 1:12.2.0-14+deb12u1)',
    Filename: 'pool/main/g/gcc-12/libgcc-s1.deb',
    Size: '1',
    SHA256: sha('1'),
  }),
  stanza({
    Package: 'php8.2-cli',
    Source: 'php8.2',
    Version: '8.2.32-1~deb12u1',
    Architecture: 'amd64',
    Filename: 'pool/main/p/php8.2/php8.2-cli.deb',
    Size: '1',
    SHA256: sha('2'),
  }),
  stanza({
    Package: 'openssl',
    Version: '3.0.22-1~deb12u2',
    Architecture: 'amd64',
    Filename: 'pool/main/o/openssl/openssl.deb',
    Size: '1',
    SHA256: sha('3'),
  }),
].join('\n');

const SECURITY = [
  stanza({
    Package: 'ca-certificates',
    Version: '20250419~deb12u2',
    Architecture: 'all',
    Filename: 'pool/updates/main/c/ca-certificates/ca-certificates_20250419~deb12u2_all.deb',
    Size: '160948',
    SHA256: sha('c'),
  }),
  stanza({
    Package: 'libssl3',
    Source: 'openssl',
    Version: '3.0.22-1~deb12u2',
    Architecture: 'amd64',
    Filename: 'pool/updates/main/o/openssl/libssl3.deb',
    Size: '7',
    SHA256: sha('4'),
  }),
].join('\n');

const INST_BUSYBOX = [
  'Reading package lists...',
  'Building dependency tree...',
  'The following NEW packages will be installed:',
  '  busybox ca-certificates libc6 libssl3',
  'Inst libc6 [2.36-9+deb12u4] (2.36-9+deb12u14 Debian:12.15/oldstable [amd64])',
  'Inst libssl3 (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64]) []',
  'Inst ca-certificates (20250419~deb12u2 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [all])',
  'Inst busybox (1:1.35.0-4+b3 Debian:12.15/oldstable [amd64])',
  'Conf libc6 (2.36-9+deb12u14 Debian:12.15/oldstable [amd64])',
  'Conf busybox (1:1.35.0-4+b3 Debian:12.15/oldstable [amd64])',
  '',
].join('\n');

let dir: string;
let apt: PrivateApt;
let exec: ScriptedExec;
let simulate: (call: ExecCall) => ScriptedReply | Promise<ScriptedReply>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ct-resolve-'));
  const lists = join(dir, 'lists');
  await writeFile(join(dir, 'main'), MAIN);
  await writeFile(join(dir, 'updates'), '');
  await writeFile(join(dir, 'security'), SECURITY);
  const target = (file: string, pocket: string) =>
    `Filename: ${join(dir, file)}\nRelease: ${pocket}\nComponent: main\nArchitecture: amd64\nTrusted: yes\n`;
  simulate = () => ({ stdout: INST_BUSYBOX });
  exec = new ScriptedExec(async (call) => {
    if (call.args[0] === 'indextargets') {
      return {
        stdout: [
          target('main', 'bookworm'),
          target('updates', 'bookworm-updates'),
          target('security', 'bookworm-security'),
          // apt lists binary-all too; it is absent on disk (No-Support-for-Architecture-all).
          `Filename: ${join(lists, 'absent')}\nRelease: bookworm\nComponent: main\nArchitecture: all\nTrusted: yes\n`,
        ].join('\n'),
      };
    }
    if (call.args[0] === '-s') return simulate(call);
    return { code: 100, stderr: 'unexpected' };
  });
  const sources = resolveAptSources({ suite: 'bookworm', architecture: 'amd64' }, {});
  apt = await PrivateApt.open({ cacheDir: dir, sources, exec, env: {} });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseAptSimulation', () => {
  it('reads Inst lines: name, version, architecture, upgrade and releases', () => {
    const sim = parseAptSimulation(`${INST_BUSYBOX}Remv exim4-daemon-light [4.96-15]\n`);
    expect(sim.installs).toEqual([
      {
        name: 'libc6',
        version: '2.36-9+deb12u14',
        architecture: 'amd64',
        replaces: '2.36-9+deb12u4',
        releases: ['Debian:12.15/oldstable'],
      },
      {
        name: 'libssl3',
        version: '3.0.22-1~deb12u2',
        architecture: 'amd64',
        releases: ['Debian-Security:12/oldstable-security'],
      },
      {
        name: 'ca-certificates',
        version: '20250419~deb12u2',
        architecture: 'all',
        releases: ['Debian:12.15/oldstable', 'Debian-Security:12/oldstable-security'],
      },
      {
        name: 'busybox',
        version: '1:1.35.0-4+b3',
        architecture: 'amd64',
        releases: ['Debian:12.15/oldstable'],
      },
    ]);
    expect(sim.removals).toEqual(['exim4-daemon-light']);
  });
});

describe('resolvePackages', () => {
  it('runs apt-get -s as 01 §5.1 says and joins the indexes', async () => {
    let status = '';
    simulate = async (call) => {
      const arg = call.args.find((a) => a.startsWith('Dir::State::status='))!;
      status = await readFile(arg.slice('Dir::State::status='.length), 'utf8');
      return { stdout: INST_BUSYBOX };
    };
    const base =
      'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\nArchitecture: amd64\n\n';
    const packages = await resolvePackages(apt, {
      requested: ['busybox', 'ca-certificates'],
      baseStatus: base,
    });
    const call = exec.calls.find((c) => c.args[0] === '-s')!;
    expect(call.cmd).toBe('apt-get');
    expect(call.args).toEqual([
      '-s',
      'install',
      '--no-install-recommends',
      '-o',
      expect.stringMatching(/^Dir::State::status=.*\/status$/),
      '-o',
      'pkgCacheGen::Essential=none',
      '-o',
      'APT::Install-Recommends=false',
      'busybox',
      'ca-certificates',
    ]);
    expect(call.opts.env?.['APT_CONFIG']).toBe(apt.paths.config);
    expect(status).toBe(base);
    expect(packages).toEqual([
      {
        name: 'busybox',
        version: '1:1.35.0-4+b3',
        architecture: 'amd64',
        sha256: sha('a'),
        size: 452120,
        source: 'busybox',
        sourceVersion: '1:1.35.0-4',
        pocket: 'bookworm',
        filename: 'pool/main/b/busybox/busybox_1.35.0-4+b3_amd64.deb',
        requested: true,
      },
      {
        // In both the suite and its security pocket: the suite's copy is recorded.
        name: 'ca-certificates',
        version: '20250419~deb12u2',
        architecture: 'all',
        sha256: sha('c'),
        size: 160948,
        source: 'ca-certificates',
        sourceVersion: '20250419~deb12u2',
        pocket: 'bookworm',
        filename: 'pool/main/c/ca-certificates/ca-certificates_20250419~deb12u2_all.deb',
        requested: true,
      },
      expect.objectContaining({
        name: 'libc6',
        source: 'glibc',
        sourceVersion: '2.36-9+deb12u14',
        pocket: 'bookworm',
        requested: false,
      }),
      expect.objectContaining({
        name: 'libssl3',
        source: 'openssl',
        pocket: 'bookworm-security',
        filename: 'pool/updates/main/o/openssl/libssl3.deb',
        requested: false,
      }),
    ]);
  });

  it('resolves nothing for an empty request', async () => {
    expect(await resolvePackages(apt, { requested: [], baseStatus: '' })).toEqual([]);
    expect(exec.calls).toHaveLength(0);
  });

  it('unknown name → BUILD_PACKAGE_NOT_FOUND with near names, before apt sees it', async () => {
    await expect(
      resolvePackages(apt, { requested: ['busybx', 'php8.2-cl'], baseStatus: '' }),
    ).rejects.toMatchObject({
      code: 'BUILD_PACKAGE_NOT_FOUND',
      message:
        'unknown Debian packages: busybx (did you mean busybox?); php8.2-cl (did you mean php8.2-cli?)',
      details: {
        packages: [
          { name: 'busybx', near: ['busybox'] },
          { name: 'php8.2-cl', near: ['php8.2-cli'] },
        ],
      },
    });
    // apt would have read `php8.2-cl` as a regular expression.
    expect(exec.calls.some((c) => c.args[0] === '-s')).toBe(false);
  });

  it('unknown pinned version → BUILD_PACKAGE_NOT_FOUND listing the versions', async () => {
    await expect(
      resolvePackages(apt, { requested: ['ca-certificates=1.0'], baseStatus: '' }),
    ).rejects.toMatchObject({
      code: 'BUILD_PACKAGE_NOT_FOUND',
      details: {
        package: 'ca-certificates',
        version: '1.0',
        available: ['20250419~deb12u2', '20230311'],
      },
    });
  });

  it('virtual name with several providers → BUILD_PACKAGE_VIRTUAL listing them', async () => {
    await expect(
      resolvePackages(apt, { requested: ['awk'], baseStatus: '' }),
    ).rejects.toMatchObject({
      code: 'BUILD_PACKAGE_VIRTUAL',
      details: { package: 'awk', providers: ['gawk', 'mawk'] },
    });
  });

  it('virtual name with one provider marks the provider requested', async () => {
    simulate = () => ({
      stdout: 'Inst libgcc-s1 (12.2.0-14+deb12u1 Debian:12.15/oldstable [amd64])\n',
    });
    const [pkg] = await resolvePackages(apt, { requested: ['libgcc1'], baseStatus: '' });
    expect(pkg).toMatchObject({ name: 'libgcc-s1', requested: true, source: 'gcc-12' });
  });

  it('unsatisfiable → BUILD_PACKAGE_CONFLICT with apt reason lines', async () => {
    simulate = () => ({
      code: 100,
      stdout: [
        'Some packages could not be installed. This may mean that you have',
        'requested an impossible situation.',
        'The following information may help to resolve the situation:',
        '',
        'The following packages have unmet dependencies:',
        ' exim4-config : Conflicts: postfix but 3.7.11-0+deb12u1 is to be installed',
        ' postfix : Conflicts: mail-transport-agent',
        '',
      ].join('\n'),
      stderr: 'E: Unable to correct problems, you have held broken packages.\n',
    });
    await expect(
      resolvePackages(apt, { requested: ['busybox', 'openssl'], baseStatus: '' }),
    ).rejects.toMatchObject({
      code: 'BUILD_PACKAGE_CONFLICT',
      details: {
        reasons: [
          'exim4-config : Conflicts: postfix but 3.7.11-0+deb12u1 is to be installed',
          'postfix : Conflicts: mail-transport-agent',
        ],
        apt: ['Unable to correct problems, you have held broken packages.'],
      },
    });
  });

  it('refuses a closure that removes base packages', async () => {
    simulate = () => ({ stdout: `${INST_BUSYBOX}Remv mawk [1.3.4]\n` });
    await expect(
      resolvePackages(apt, { requested: ['busybox'], baseStatus: '' }),
    ).rejects.toMatchObject({
      code: 'BUILD_PACKAGE_CONFLICT',
      details: { removals: ['mawk'] },
    });
  });

  it('rejects malformed requests', async () => {
    await expect(resolvePackages(apt, { requested: ['-o'], baseStatus: '' })).rejects.toMatchObject(
      {
        code: 'MANIFEST_VALUE',
      },
    );
  });
});

describe('aptFailure', () => {
  const universe = new PackageUniverse([{ pocket: 'bookworm', text: MAIN }], ['bookworm']);

  it('maps apt messages when they get that far', () => {
    expect(aptFailure('E: Unable to locate package busybx', universe)).toMatchObject({
      code: 'BUILD_PACKAGE_NOT_FOUND',
      details: { packages: [{ name: 'busybx', near: ['busybox'] }] },
    });
    expect(
      aptFailure(
        "Package awk is a virtual package provided by:\n  original-awk 2022\n  mawk 1.3.4\n  gawk 1:5.2.1-2\n\nE: Package 'awk' has no installation candidate\n",
      ),
    ).toMatchObject({
      code: 'BUILD_PACKAGE_VIRTUAL',
      details: { providers: ['gawk', 'mawk', 'original-awk'] },
    });
    expect(aptFailure("E: Version '1.0' for 'busybox' was not found")).toMatchObject({
      code: 'BUILD_PACKAGE_NOT_FOUND',
      details: { package: 'busybox', version: '1.0' },
    });
    expect(aptFailure('E: Unable to satisfy dependencies')).toMatchObject({
      code: 'BUILD_PACKAGE_CONFLICT',
    });
  });
});

describe('near names', () => {
  it('uses optimal-string-alignment distance', () => {
    expect(editDistance('busybox', 'busybox')).toBe(0);
    expect(editDistance('bsuybox', 'busybox')).toBe(1);
    expect(editDistance('curl', 'curls')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests at most 3, nearest first, none that are far', () => {
    const names = ['php8.2-cli', 'php8.2-cgi', 'php8.1-cli', 'php-cli', 'python3', 'perl'];
    expect(nearNames('php8.2-cl', names)).toEqual(['php8.2-cli', 'php8.1-cli', 'php8.2-cgi']);
    expect(nearNames('zzzzzzzz', names)).toEqual([]);
  });
});
