// SPDX-License-Identifier: Apache-2.0
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noopLogger, type Logger } from '@verified-container/shared';
import type { ManifestStep } from '@verified-container/shared/manifest';
import { ContextDir } from './context-dir.js';
import { runSteps } from './run-steps.js';
import { MapFetcher, parseSteps, stepsFixture } from './test-support.js';

function recordingLogger(lines: unknown[]): Logger {
  const logger: Logger = {
    ...noopLogger,
    debug: (obj: unknown, msg?: string) => void lines.push([obj, msg]),
    child: () => logger,
  };
  return logger;
}

describe('runSteps', () => {
  it('runs in order, logs each step at debug, stops at the first failure', async () => {
    const lines: unknown[] = [];
    using f = stepsFixture({ logger: recordingLogger(lines), manifestFile: 'site.ctp' });
    const steps = parseSteps(`
[[build.steps]]
action = "write-file"
path = "/a"
content = "1"
[[build.steps]]
action = "symlink"
target = "/a"
link = "/a"
[[build.steps]]
action = "write-file"
path = "/never"
content = "2"`);
    const err = await runSteps(steps, f.ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'BUILD_STEP_FAILED',
      message: 'site.ctp: build.steps[1] (symlink): /a already exists',
      hint: 'set force = true to replace it',
      details: { step: 1, action: 'symlink' },
    });
    expect(f.rootfs.lookup('/never')).toBeUndefined();
    expect(lines).toEqual([
      [{ step: 0, action: 'write-file' }, 'build step'],
      [{ step: 1, action: 'symlink' }, 'build step'],
    ]);
  });

  it('refuses a fetch with neither a hash nor a following verify-hash', async () => {
    using f = stepsFixture({ fetcher: new MapFetcher({ 'https://x.org/a': 'a' }) });
    const fetch: ManifestStep = {
      action: 'fetch',
      url: 'https://x.org/a',
      dest: '/a',
      mode: '0644',
    };
    await expect(runSteps([fetch], f.ctx)).rejects.toMatchObject({
      code: 'MANIFEST_FETCH_UNVERIFIED',
      message: /build\.steps\[0\] \(fetch\)/,
    });
    expect(f.rootfs.size).toBe(0);
  });

  it('needs the rootfs mtime to be the build epoch', async () => {
    using f = stepsFixture();
    await expect(runSteps([], { ...f.ctx, sourceDateEpoch: 0 })).rejects.toMatchObject({
      code: 'INTERNAL',
    });
  });
});

describe('ContextDir (safety rule 2)', () => {
  it('resolves inside the context; ".." or a symlink leaving it → BUILD_PATH_ESCAPE', async () => {
    using f = stepsFixture();
    mkdirSync(join(f.contextDir, 'a/b'), { recursive: true });
    writeFileSync(join(f.contextDir, 'a/b/file'), 'x');
    symlinkSync('../..', join(f.contextDir, 'a/b/top'));
    symlinkSync('../../..', join(f.contextDir, 'a/b/out'));
    const ctx = new ContextDir(f.contextDir);
    expect(await ctx.resolve('a/b/top/a/b/file')).toMatchObject({
      type: 'f',
      size: 1,
      path: 'a/b/top/a/b/file',
    });
    await expect(ctx.resolve('a/b/out/etc/passwd')).rejects.toMatchObject({
      code: 'BUILD_PATH_ESCAPE',
    });
    await expect(ctx.resolve('a/b/file/x')).rejects.toMatchObject({ code: 'BUILD_STEP_FAILED' });
  });

  it('walks a tree, following inner symlinks, and stops on a loop', async () => {
    using f = stepsFixture();
    mkdirSync(join(f.contextDir, 'site/css'), { recursive: true });
    writeFileSync(join(f.contextDir, 'site/css/a.css'), 'a');
    symlinkSync('css', join(f.contextDir, 'site/styles'));
    const ctx = new ContextDir(f.contextDir);
    expect((await ctx.walk('site')).map((i) => `${i.path}:${i.type}`)).toEqual([
      'site:d',
      'site/css:d',
      'site/css/a.css:f',
      'site/styles:d',
      'site/styles/a.css:f',
    ]);
    symlinkSync('..', join(f.contextDir, 'site/css/parent'));
    await expect(ctx.walk('site')).rejects.toMatchObject({
      code: 'BUILD_STEP_FAILED',
      message: /symlink loop/,
    });
  });
});
