// SPDX-License-Identifier: Apache-2.0
// `cerro-torre build` with install = "configure" (maintainer scripts under runc) on scratch: a
// small essential set, so dpkg can configure itself. Needs network, root and runc.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock, noopLogger } from '@verified-container/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_APT_MIRROR } from '../../src/debian/apt-sources.js';
import { runCli } from '../../src/cli.js';
import type { BuildCommandDeps } from '../../src/commands/build.js';

const mirror = process.env['CT_APT_MIRROR'] ?? DEFAULT_APT_MIRROR;
const has = (tool: string) => spawnSync(tool, ['--version']).status === 0;
const reachable = await fetch(`${mirror}/dists/bookworm/InRelease`, {
  method: 'HEAD',
  signal: AbortSignal.timeout(5000),
}).then(
  (r) => r.ok,
  () => false,
);
const ready =
  reachable && process.getuid?.() === 0 && has('runc') && has('umoci') && has('dpkg-deb');

/** Enough of Debian's essential set for dpkg and the maintainer scripts to run. */
const PACKAGES = [
  'base-files',
  'base-passwd',
  'bash',
  'bsdutils',
  'busybox',
  'coreutils',
  'dash',
  'debconf',
  'debianutils',
  'diffutils',
  'dpkg',
  'findutils',
  'grep',
  'gzip',
  'hostname',
  'init-system-helpers',
  'libc-bin',
  'login',
  'mawk',
  'ncurses-bin',
  'perl-base',
  'sed',
  'sysvinit-utils',
  'tar',
  'util-linux',
];

const MANIFEST = `[package]
name = "hello-configure"
version = "1.0.0"

[dependencies]
packages = [${PACKAGES.map((p) => `"${p}"`).join(', ')}]
suite = "bookworm"

[[build.steps]]
action = "write-file"
path = "/etc/motd"
content = "configured\\n"

[runtime]
command = ["/bin/sh", "-c", "echo hello; cat /etc/motd"]
`;

describe.skipIf(!ready)('cerro-torre build (install = "configure")', () => {
  let dir: string;
  const timings: Record<string, number> = {};
  const deps = (): BuildCommandDeps => ({
    env: { ...process.env, VC_ROOT: join(dir, 'store'), SOURCE_DATE_EPOCH: undefined },
    cwd: dir,
    uid: 0,
    homeDir: dir,
    clock: fixedClock(new Date('2026-11-25T10:00:00Z')),
    logger: noopLogger,
    interactive: false,
    progress: () => undefined,
  });
  const build = async (label: string, ...args: string[]) => {
    const started = performance.now();
    const r = await runCli(['build', 'hello.ctp', '--json', ...args], deps());
    timings[label] = Math.round(performance.now() - started);
    expect(r.stderr ?? '').not.toContain('Error [');
    expect(r.exitCode).toBe(0);
    return JSON.parse(String(r.stdout)) as { image: { digest: string }; cached: boolean };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ct-build-configure-'));
    writeFileSync(join(dir, 'hello.ctp'), MANIFEST);
  });
  afterAll(() => {
    console.log(`configure build timings (ms): ${JSON.stringify(timings)}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs with maintainer scripts, reproducibly, and the image runs', async () => {
    const first = await build('cold');
    const again = await build('no-cache', '--no-cache');
    expect(again.image.digest).toBe(first.image.digest);
    const warm = await build('warm');
    expect(warm.cached).toBe(true);

    const bundle = join(dir, 'bundle');
    execFileSync(
      'umoci',
      ['unpack', '--image', `${join(dir, 'store/images')}:hello-configure:1.0.0`, bundle],
      { stdio: 'ignore' },
    );
    const status = readFileSync(join(bundle, 'rootfs/var/lib/dpkg/status'), 'utf8');
    expect(status).not.toMatch(/^Status: (?!install ok installed)/m);
    const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as {
      process: { terminal: boolean };
    };
    config.process.terminal = false;
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
    const out = execFileSync('runc', ['run', `ct-build-cfg-${process.pid}`], {
      cwd: bundle,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out).toBe('hello\nconfigured\n');
  });
});
