// SPDX-License-Identifier: Apache-2.0
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSteps } from './run-steps.js';
import { addFile, parseSteps, stepsFixture } from './test-support.js';

const copy = (src: string, dest: string, extra = '') =>
  parseSteps(`[[build.steps]]\naction = "copy"\nsrc = "${src}"\ndest = "${dest}"\n${extra}`);

function contextTree(dir: string) {
  mkdirSync(join(dir, 'app/bin'), { recursive: true });
  writeFileSync(join(dir, 'app/index.php'), '<?php echo 1;', { mode: 0o600 });
  writeFileSync(join(dir, 'app/bin/run'), '#!/bin/sh', { mode: 0o744 });
  writeFileSync(join(dir, 'config.ini'), 'x=1', { mode: 0o640 });
}

describe('copy from the context', () => {
  it('copies a tree: files 0755 if any x bit else 0644, directories 0755, owner 0:0', async () => {
    using f = stepsFixture();
    contextTree(f.contextDir);
    await runSteps(copy('app', '/var/www/'), f.ctx);
    expect(f.rootfs.get('/var/www/app')).toMatchObject({ type: 'd', mode: 0o755, uid: 0 });
    expect(f.rootfs.get('/var/www/app/index.php')).toMatchObject({ type: 'f', mode: 0o644 });
    expect(f.rootfs.get('/var/www/app/bin/run')).toMatchObject({ type: 'f', mode: 0o755 });
    expect(await f.rootfs.readText('/var/www/app/index.php')).toBe('<?php echo 1;');
    expect(f.inputs.contextFiles.map((c) => [c.path, c.mode, c.size])).toEqual([
      ['app/bin/run', 0o755, 9],
      ['app/index.php', 0o644, 13],
    ]);
  });

  it('a file to a new path takes that name; into an existing directory keeps its basename', async () => {
    using f = stepsFixture();
    contextTree(f.contextDir);
    f.rootfs.mkdirp('/etc/php');
    await runSteps(copy('config.ini', '/etc/app.ini', 'mode = "0600"'), f.ctx);
    await runSteps(copy('config.ini', '/etc/php'), f.ctx);
    await runSteps(copy('app', '/srv/site'), f.ctx);
    expect(f.rootfs.get('/etc/app.ini')).toMatchObject({ type: 'f', mode: 0o600 });
    expect(f.rootfs.get('/etc/php/config.ini')).toMatchObject({ type: 'f', mode: 0o644 });
    expect(f.rootfs.get('/srv/site/index.php')?.type).toBe('f');
    expect(f.rootfs.get('/srv/site/app')).toBeUndefined();
  });

  it('follows context symlinks that stay inside; one leading outside → BUILD_PATH_ESCAPE', async () => {
    using f = stepsFixture();
    contextTree(f.contextDir);
    symlinkSync('app/index.php', join(f.contextDir, 'inside.php'));
    await runSteps(copy('inside.php', '/x.php'), f.ctx);
    expect(await f.rootfs.readText('/x.php')).toBe('<?php echo 1;');
    writeFileSync(join(f.dir, 'secret'), 'host secret');
    symlinkSync('../secret', join(f.contextDir, 'rel-escape'));
    symlinkSync(join(f.dir, 'secret'), join(f.contextDir, 'app/abs-escape'));
    await expect(runSteps(copy('rel-escape', '/y'), f.ctx)).rejects.toMatchObject({
      code: 'BUILD_PATH_ESCAPE',
      message: /build\.steps\[0\] \(copy\): build context path rel-escape/,
    });
    // Inside a tree too, before anything is written.
    const before = f.rootfs.size;
    await expect(runSteps(copy('app', '/z/'), f.ctx)).rejects.toMatchObject({
      code: 'BUILD_PATH_ESCAPE',
    });
    expect(f.rootfs.size).toBe(before);
  });

  it('an absolute symlink back into the context is fine; a missing source fails', async () => {
    using f = stepsFixture();
    contextTree(f.contextDir);
    symlinkSync(join(f.contextDir, 'config.ini'), join(f.contextDir, 'abs-inside'));
    await runSteps(copy('abs-inside', '/c.ini'), f.ctx);
    expect(await f.rootfs.readText('/c.ini')).toBe('x=1');
    await expect(runSteps(copy('nope', '/n'), f.ctx)).rejects.toMatchObject({
      code: 'BUILD_STEP_FAILED',
      message: /no such file/,
    });
  });
});

describe('copy inside the rootfs', () => {
  it('keeps modes, copies symlinks as symlinks, sets owner 0:0, dest/ receives the basename', async () => {
    using f = stepsFixture();
    await addFile(f.rootfs, '/opt/tool/bin/tool', 'bin', { mode: 0o4750, uid: 33 });
    f.rootfs.put('/opt/tool/current', { type: 'l', target: 'bin' });
    await runSteps(copy('/opt/tool', '/usr/local/'), f.ctx);
    expect(f.rootfs.get('/usr/local/tool/bin/tool')).toMatchObject({
      mode: 0o4750,
      uid: 0,
      gid: 0,
    });
    expect(f.rootfs.get('/usr/local/tool/current')).toMatchObject({ type: 'l', linkTarget: 'bin' });
    // The source is untouched.
    expect(f.rootfs.get('/opt/tool/bin/tool')?.uid).toBe(33);
  });

  it('follows a symlink as the source and keeps the name given', async () => {
    using f = stepsFixture();
    await addFile(f.rootfs, '/usr/bin/php8.2', 'php', { mode: 0o755 });
    f.rootfs.put('/usr/bin/php', { type: 'l', target: 'php8.2' });
    f.rootfs.mkdirp('/app');
    await runSteps(copy('/usr/bin/php', '/app'), f.ctx);
    expect(f.rootfs.get('/app/php')).toMatchObject({ type: 'f', mode: 0o755 });
  });

  it('refuses to put a file where a directory is', async () => {
    using f = stepsFixture();
    await addFile(f.rootfs, '/a/x', 'file');
    f.rootfs.mkdirp('/b/x/inner');
    await expect(runSteps(copy('/a/x', '/b/'), f.ctx)).rejects.toMatchObject({
      code: 'BUILD_STEP_FAILED',
      message: /is a directory/,
    });
  });
});
