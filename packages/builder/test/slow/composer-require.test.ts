// SPDX-License-Identifier: Apache-2.0
// `composer-require` from an offline path repository, composer taken from the image (Debian's
// `composer` installed with maintainer scripts) and run under runc. Needs network (the Debian
// mirror), root, runc and umoci.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noopLogger } from '@verified-container/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage } from '../../src/build/build-image.js';
import type { BuildDeps, BuildResult } from '../../src/build/build-types.js';
import { TEST_CLOCK } from '../../src/build/test-support.js';
import { COMPOSER_STAGING_DIR, RuncComposerRunner } from '../../src/sandbox/composer-runner.js';
import {
  DPKG_ESSENTIAL_PACKAGES,
  IS_ROOT,
  Timings,
  debianMirrorReady,
  hostEnv,
  runcRun,
  umociUnpack,
} from '../support.js';

const ready = IS_ROOT && (await debianMirrorReady('runc', 'umoci', 'dpkg-deb'));

/** Enough of Debian's essential set for dpkg and the maintainer scripts, plus composer. */
const PACKAGES = [...DPKG_ESSENTIAL_PACKAGES, 'composer'];

const manifest = (name: string, pkg: string) => `[package]
name = "${name}"
version = "1.0.0"

[dependencies]
packages = [${PACKAGES.map((p) => `"${p}"`).join(', ')}]
suite = "bookworm"

[[build.steps]]
action = "composer-require"
package = "${pkg}"
dir = "/app"
packagist = false
repositories = [{ type = "path", url = "pkg" }]

[runtime]
command = ["/usr/bin/php", "/app/run.php"]
`;

const PKG_COMPOSER_JSON = `{
    "name": "test/pkg",
    "version": "1.0.0",
    "autoload": { "psr-4": { "Test\\\\Pkg\\\\": "src/" } }
}
`;

describe.skipIf(!ready)('composer-require in the runc build sandbox', () => {
  let dir: string;
  const timings = new Timings();
  const deps = (): BuildDeps => ({
    env: hostEnv(),
    clock: TEST_CLOCK,
    logger: noopLogger,
    uid: 0,
    composer: new RuncComposerRunner({ workDir: join(dir, 'composer-work') }),
  });
  // One VC_ROOT for every build, so the .debs are downloaded once.
  const build = (label: string, file: string, noCache = false): Promise<BuildResult> =>
    timings.time(label, () =>
      buildImage({ manifest: file, cwd: dir, root: join(dir, 'store'), noCache }, deps()),
    );

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ct-composer-'));
    mkdirSync(join(dir, 'pkg/src'), { recursive: true });
    mkdirSync(join(dir, 'composer-work'));
    writeFileSync(join(dir, 'pkg/composer.json'), PKG_COMPOSER_JSON);
    writeFileSync(
      join(dir, 'pkg/src/Hello.php'),
      '<?php\nnamespace Test\\Pkg;\n\nfinal class Hello\n{\n    public static function greet(): string { return "hello from test/pkg"; }\n}\n',
    );
    writeFileSync(join(dir, 'app.ctp'), manifest('composer-app', 'test/pkg:1.0.0'));
    writeFileSync(join(dir, 'missing.ctp'), manifest('composer-missing', 'test/absent:^1'));
  });
  afterAll(() => {
    timings.print('composer-require build');
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs a path repository offline, reproducibly, without staging paths in the image', async () => {
    const first = await build('cold', 'app.ctp');
    const again = await build('no-cache', 'app.ctp', true);
    expect(again.image.digest).toBe(first.image.digest);
    expect(readdirSync(join(dir, 'composer-work'))).toEqual([]);

    const bundle = join(dir, 'bundle');
    umociUnpack(join(dir, 'store/images'), 'composer-app:1.0.0', bundle);
    const rootfs = join(bundle, 'rootfs');
    expect(readFileSync(join(rootfs, 'app/vendor/test/pkg/src/Hello.php'), 'utf8')).toContain(
      'hello from test/pkg',
    );
    expect(readFileSync(join(rootfs, 'app/vendor/test/pkg/composer.json'), 'utf8')).toBe(
      PKG_COMPOSER_JSON,
    );
    const composerJson = JSON.parse(readFileSync(join(rootfs, 'app/composer.json'), 'utf8')) as {
      require: Record<string, string>;
    };
    expect(composerJson).toEqual({ require: { 'test/pkg': '1.0.0' } });
    const installed = readFileSync(join(rootfs, 'app/vendor/composer/installed.json'), 'utf8');
    expect(installed).not.toContain(dir);
    expect(installed).not.toContain('composer-work');
    expect(installed).toContain(`${COMPOSER_STAGING_DIR}/step-0/repo-0`);
    const autoloadReal = readFileSync(
      join(rootfs, 'app/vendor/composer/autoload_real.php'),
      'utf8',
    );
    expect(autoloadReal).toMatch(/ComposerAutoloaderInit[0-9a-f]{32}\b/);
    // Nothing of the sandbox's scratch space reached the image.
    expect(() => readdirSync(join(rootfs, COMPOSER_STAGING_DIR))).toThrow();

    // The autoloader works in the image.
    writeFileSync(
      join(rootfs, 'app/run.php'),
      '<?php\nrequire __DIR__ . "/vendor/autoload.php";\necho \\Test\\Pkg\\Hello::greet(), "\\n";\n',
    );
    expect(runcRun(bundle, `ct-composer-${process.pid}`)).toBe('hello from test/pkg\n');
  });

  it('a package the path repository does not have → BUILD_COMPOSER_FAILED', async () => {
    const err = await build('missing', 'missing.ctp').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BUILD_COMPOSER_FAILED' });
    expect(String((err as Error).message)).toMatch(/test\/absent/);
    expect(readdirSync(join(dir, 'composer-work'))).toEqual([]);
  });
});
