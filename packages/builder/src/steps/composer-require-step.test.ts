// SPDX-License-Identifier: Apache-2.0
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VcError } from '@verified-container/shared';
import { runSteps } from './run-steps.js';
import type { ComposerRequest, ComposerRunner } from './step-context.js';
import { addFile, EPOCH, parseSteps, stepsFixture } from './test-support.js';

/** A fake sandbox: records the request, writes vendor/autoload.php and removes a file. */
class FakeComposer implements ComposerRunner {
  request: ComposerRequest | undefined;
  constructor(private readonly fail?: Error) {}
  async require(request: ComposerRequest) {
    this.request = request;
    if (this.fail !== undefined) throw this.fail;
    const autoload = await request.rootfs.content.put(Buffer.from('<?php // autoload'));
    return {
      changes: [
        {
          kind: 'put' as const,
          entry: {
            path: `${request.dir}/vendor`,
            type: 'd' as const,
            mode: 0o755,
            uid: 0,
            gid: 0,
            size: 0,
            digest: '',
            mtime: 1,
          },
        },
        {
          kind: 'put' as const,
          entry: {
            path: `${request.dir}/vendor/autoload.php`,
            type: 'f' as const,
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtime: 1,
            ...autoload,
          },
        },
        { kind: 'remove' as const, path: `${request.dir}/obsolete.txt` },
      ],
      composerJson: '{"require":{"monolog/monolog":"^3"}}',
      composerLock: '{"packages":[]}',
    };
  }
}

const STEP = `
[[build.steps]]
action = "composer-require"
package = "monolog/monolog:^3"
dir = "/var/www"`;

describe('composer-require', () => {
  it('calls the runner with the command line of 01 §3 and applies its changes', async () => {
    const composer = new FakeComposer();
    using f = stepsFixture({ composer });
    await addFile(f.rootfs, '/usr/bin/composer', '#!/usr/bin/env php', { mode: 0o755 });
    await addFile(f.rootfs, '/var/www/obsolete.txt', 'old');
    await runSteps(parseSteps(STEP), f.ctx);
    const req = composer.request!;
    expect(req).toMatchObject({
      step: 0,
      package: 'monolog/monolog:^3',
      dir: '/var/www',
      packagist: true,
      network: true,
      repositories: [],
    });
    expect(req.argv).toEqual([
      'composer',
      'require',
      'monolog/monolog:^3',
      '--no-interaction',
      '--no-progress',
      '--no-plugins',
      '--no-scripts',
      '--update-no-dev',
      '--prefer-dist',
      '--working-dir=/var/www',
    ]);
    expect(req.autoloaderSuffix).toMatch(/^[0-9a-f]{32}$/);
    expect(f.rootfs.get('/var/www/vendor/autoload.php')).toMatchObject({ type: 'f', mtime: EPOCH });
    expect(f.rootfs.lookup('/var/www/obsolete.txt')).toBeUndefined();
    expect(f.inputs.composer).toEqual([
      {
        step: 0,
        composerJson: '{"require":{"monolog/monolog":"^3"}}',
        composerLock: '{"packages":[]}',
      },
    ]);
  });

  it('path repositories come from the context (offline sandbox); an escaping one is refused', async () => {
    const composer = new FakeComposer();
    using f = stepsFixture({ composer });
    await addFile(f.rootfs, '/usr/local/bin/composer', 'c', { mode: 0o755 });
    mkdirSync(join(f.contextDir, 'packages/aegis/src'), { recursive: true });
    writeFileSync(join(f.contextDir, 'packages/aegis/composer.json'), '{}');
    writeFileSync(join(f.contextDir, 'packages/aegis/src/A.php'), '<?php');
    const steps = parseSteps(`${STEP}
packagist = false
repositories = [{ type = "path", url = "packages/aegis" }]`);
    await runSteps(steps, f.ctx);
    const req = composer.request!;
    expect(req.network).toBe(false);
    const repo = req.repositories[0];
    expect(repo?.type === 'path' ? repo.files.map((x) => [x.path, x.type]) : []).toEqual([
      ['', 'd'],
      ['composer.json', 'f'],
      ['src', 'd'],
      ['src/A.php', 'f'],
    ]);
    expect(f.inputs.contextFiles.map((c) => c.path)).toEqual([
      'packages/aegis/composer.json',
      'packages/aegis/src/A.php',
    ]);
    symlinkSync('/etc', join(f.contextDir, 'packages/aegis/etc'));
    await expect(runSteps(steps, f.ctx)).rejects.toMatchObject({ code: 'BUILD_PATH_ESCAPE' });
  });

  it('composer missing from the image → BUILD_STEP_FAILED with the hint; runner failures keep their code', async () => {
    using f = stepsFixture({ composer: new FakeComposer(new Error('exit 2')) });
    await expect(runSteps(parseSteps(STEP), f.ctx)).rejects.toMatchObject({
      code: 'BUILD_STEP_FAILED',
      hint: 'add composer to [dependencies].packages',
    });
    await addFile(f.rootfs, '/usr/bin/composer', 'c', { mode: 0o755 });
    await expect(runSteps(parseSteps(STEP), f.ctx)).rejects.toMatchObject({
      code: 'BUILD_COMPOSER_FAILED',
      message:
        /build\.steps\[0\] \(composer-require\): composer require monolog\/monolog:\^3 failed/,
    });
    using g = stepsFixture({
      composer: new FakeComposer(new VcError('BUILD_TOOL_MISSING', 'runc is not installed')),
    });
    await addFile(g.rootfs, '/usr/bin/composer', 'c', { mode: 0o755 });
    await expect(runSteps(parseSteps(STEP), g.ctx)).rejects.toMatchObject({
      code: 'BUILD_TOOL_MISSING',
    });
  });
});
