// SPDX-License-Identifier: Apache-2.0
// `cerro-torre build` with install = "configure" (maintainer scripts under runc) on scratch: a
// small essential set, so dpkg can configure itself. Needs network, root and runc.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DPKG_ESSENTIAL_PACKAGES,
  IS_ROOT,
  Timings,
  debianMirrorReady,
  hostBuildDeps,
  runcRun,
  timedBuild,
  umociUnpack,
} from '../support.js';

const ready = IS_ROOT && (await debianMirrorReady('runc', 'umoci', 'dpkg-deb'));

/** Enough of Debian's essential set for dpkg and the maintainer scripts to run, and a shell. */
const PACKAGES = [
  ...DPKG_ESSENTIAL_PACKAGES,
  'busybox',
  'hostname',
  'login',
  'ncurses-bin',
  'sysvinit-utils',
].sort();

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
  const timings = new Timings();
  const build = async (label: string, ...args: string[]) => {
    const r = await timedBuild<{ image: { digest: string }; cached: boolean }>(
      timings,
      label,
      hostBuildDeps(dir),
      'hello.ctp',
      ...args,
    );
    expect(r.stderr ?? '').not.toContain('Error [');
    expect(r.exitCode).toBe(0);
    return r.doc!;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ct-build-configure-'));
    writeFileSync(join(dir, 'hello.ctp'), MANIFEST);
  });
  afterAll(() => {
    timings.print('configure build');
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs with maintainer scripts, reproducibly, and the image runs', async () => {
    const first = await build('cold');
    const again = await build('no-cache', '--no-cache');
    expect(again.image.digest).toBe(first.image.digest);
    const warm = await build('warm');
    expect(warm.cached).toBe(true);

    const bundle = join(dir, 'bundle');
    umociUnpack(join(dir, 'store/images'), 'hello-configure:1.0.0', bundle);
    const status = readFileSync(join(bundle, 'rootfs/var/lib/dpkg/status'), 'utf8');
    expect(status).not.toMatch(/^Status: (?!install ok installed)/m);
    expect(runcRun(bundle, `ct-build-cfg-${process.pid}`)).toBe('hello\nconfigured\n');
  });
});
