// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { FileEntry } from '@verified-container/shared/image';
import { describe, expect, it } from 'vitest';
import { composerArgv } from '../steps/composer-require-step.js';
import { runSteps } from '../steps/run-steps.js';
import type { ComposerRequest, ContextTreeEntry } from '../steps/step-context.js';
import {
  addFile,
  EPOCH,
  parseSteps,
  stepsFixture,
  type StepsFixture,
} from '../steps/test-support.js';
import {
  COMPOSER_STAGING_DIR,
  RuncComposerRunner,
  composerGlobalConfig,
  subtreeChanges,
} from './composer-runner.js';
import type { Sandbox, SandboxRequest, SandboxResult } from './sandbox.js';

const isRoot = process.getuid?.() === 0;
const SUFFIX = '0123456789abcdef0123456789abcdef';

/** What the fake composer does to the rootfs directory; `staging` is the bind-mounted host dir. */
type Act = (rootfs: string, staging: string) => Promise<Partial<SandboxResult> | void>;

/** A sandbox that plays composer on the host directories it is given (no runc, no PHP). */
class FakeComposerSandbox implements Sandbox {
  readonly requests: SandboxRequest[] = [];
  globalConfig: unknown;
  constructor(private readonly act: Act) {}

  async run(request: SandboxRequest): Promise<SandboxResult> {
    this.requests.push(request);
    const staging = request.bindMounts?.find((b) => b.destination === COMPOSER_STAGING_DIR);
    if (staging === undefined) throw new Error('no staging mount');
    this.globalConfig = JSON.parse(
      await fs.readFile(join(staging.source, 'home/config.json'), 'utf8'),
    ) as unknown;
    const result = (await this.act(request.rootfs, staging.source)) ?? {};
    return {
      containerId: 'ct-build-fake',
      exitCode: 0,
      output: '',
      timedOut: false,
      durationMs: 1,
      ...result,
    };
  }
}

/** `composer require test/pkg` as composer would do it with a path repository (copied). */
const requireTestPkg: Act = async (rootfs, staging) => {
  const app = join(rootfs, 'app');
  await fs.cp(join(staging, 'step-0/repo-0'), join(app, 'vendor/test/pkg'), { recursive: true });
  await fs.mkdir(join(app, 'vendor/composer'));
  await fs.writeFile(
    join(app, 'vendor/composer/installed.json'),
    `{"dist":{"url":"${COMPOSER_STAGING_DIR}/step-0/repo-0"}}\n`,
  );
  await fs.writeFile(join(app, 'composer.json'), '{"require":{"test/pkg":"1.0.0"}}\n');
  await fs.writeFile(join(app, 'composer.lock'), '{"packages":[{"name":"test/pkg"}]}\n');
  await fs.rm(join(app, 'old'), { recursive: true });
  await fs.writeFile(join(staging, 'tmp/scratch'), 'composer temp file');
};

async function stored(f: StepsFixture, text: string) {
  return f.rootfs.content.put(Buffer.from(text));
}

async function pathRepository(f: StepsFixture): Promise<ContextTreeEntry[]> {
  return [
    { path: '', type: 'd', mode: 0o755, digest: '', size: 0 },
    { path: 'composer.json', type: 'f', mode: 0o644, ...(await stored(f, '{"name":"test/pkg"}')) },
    { path: 'src', type: 'd', mode: 0o755, digest: '', size: 0 },
    { path: 'src/Hello.php', type: 'f', mode: 0o600, ...(await stored(f, '<?php')) },
  ];
}

async function appFixture(): Promise<StepsFixture> {
  const f = stepsFixture();
  await addFile(f.rootfs, '/usr/bin/composer', '#!/usr/bin/php', { mode: 0o755 });
  await addFile(f.rootfs, '/app/composer.json', '{}', { uid: 33, gid: 33 });
  await addFile(f.rootfs, '/app/keep.txt', 'kept');
  await addFile(f.rootfs, '/app/old/a/b.txt', 'gone');
  return f;
}

async function request(f: StepsFixture, over: Partial<ComposerRequest> = {}) {
  return {
    step: 0,
    package: 'test/pkg:1.0.0',
    dir: '/app',
    argv: composerArgv('test/pkg:1.0.0', '/app'),
    repositories: [{ type: 'path' as const, url: 'pkg', files: await pathRepository(f) }],
    packagist: false,
    network: false,
    autoloaderSuffix: SUFFIX,
    rootfs: f.rootfs,
    ...over,
  } satisfies ComposerRequest;
}

async function newWorkDir(f: StepsFixture): Promise<string> {
  const dir = join(f.dir, 'work');
  await fs.mkdir(dir);
  return dir;
}

describe.skipIf(!isRoot)('RuncComposerRunner (fake sandbox)', () => {
  it('runs composer offline with the staged repository and returns the working dir changes', async () => {
    using f = await appFixture();
    const workDir = await newWorkDir(f);
    const sandbox = new FakeComposerSandbox(requireTestPkg);
    const runner = new RuncComposerRunner({ sandbox, workDir, uid: 0 });
    const req = await request(f);
    const result = await runner.require(req);

    const run = sandbox.requests[0]!;
    expect(run).toMatchObject({ argv: req.argv, cwd: '/app', network: 'none' });
    expect(run.bindMounts).toHaveLength(1);
    expect(run.bindMounts?.[0]).toMatchObject({ destination: '/tmp/vc-composer', readOnly: false });
    expect(run.env).toEqual({
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: '/tmp/vc-composer/home',
      COMPOSER_HOME: '/tmp/vc-composer/home',
      COMPOSER_CACHE_DIR: '/tmp/vc-composer/cache',
      COMPOSER_ALLOW_SUPERUSER: '1',
      COMPOSER_NO_INTERACTION: '1',
      COMPOSER_DISABLE_NETWORK: '1',
      TMPDIR: '/tmp/vc-composer/tmp',
      LC_ALL: 'C.UTF-8',
      TZ: 'UTC',
      SOURCE_DATE_EPOCH: String(EPOCH),
    });
    expect(sandbox.globalConfig).toEqual({
      config: { 'autoloader-suffix': SUFFIX },
      repositories: [
        { type: 'path', url: '/tmp/vc-composer/step-0/repo-0', options: { symlink: false } },
        { 'packagist.org': false },
      ],
    });

    const summary = result.changes.map((c) =>
      c.kind === 'remove'
        ? ['remove', c.path]
        : ['put', c.entry.path, c.entry.type, c.entry.mode.toString(8), c.entry.uid],
    );
    expect(summary).toEqual([
      ['remove', '/app/old'],
      ['put', '/app/composer.json', 'f', '644', 33],
      ['put', '/app/composer.lock', 'f', '644', 0],
      ['put', '/app/vendor', 'd', '755', 0],
      ['put', '/app/vendor/composer', 'd', '755', 0],
      ['put', '/app/vendor/composer/installed.json', 'f', '644', 0],
      ['put', '/app/vendor/test', 'd', '755', 0],
      ['put', '/app/vendor/test/pkg', 'd', '755', 0],
      ['put', '/app/vendor/test/pkg/composer.json', 'f', '644', 0],
      ['put', '/app/vendor/test/pkg/src', 'd', '755', 0],
      ['put', '/app/vendor/test/pkg/src/Hello.php', 'f', '600', 0],
    ]);
    for (const c of result.changes) {
      if (c.kind === 'put') expect(c.entry).toMatchObject({ mtime: EPOCH });
    }
    expect(result.composerJson).toBe('{"require":{"test/pkg":"1.0.0"}}\n');
    expect(result.composerLock).toBe('{"packages":[{"name":"test/pkg"}]}\n');
    expect(await fs.readdir(workDir)).toEqual([]);
  });

  it('its changes apply through the composer-require step', async () => {
    using f = await appFixture();
    const workDir = await newWorkDir(f);
    await fs.mkdir(join(f.contextDir, 'pkg/src'), { recursive: true });
    await fs.writeFile(join(f.contextDir, 'pkg/composer.json'), '{"name":"test/pkg"}');
    await fs.writeFile(join(f.contextDir, 'pkg/src/Hello.php'), '<?php');
    const sandbox = new FakeComposerSandbox(requireTestPkg);
    const composer = new RuncComposerRunner({ sandbox, workDir, uid: 0 });
    const steps = parseSteps(`
[[build.steps]]
action = "composer-require"
package = "test/pkg:1.0.0"
dir = "/app"
packagist = false
repositories = [{ type = "path", url = "pkg" }]`);
    await runSteps(steps, { ...f.ctx, composer });
    expect(f.rootfs.get('/app/vendor/test/pkg/src/Hello.php')).toMatchObject({ type: 'f' });
    expect(f.rootfs.get('/app/old')).toBeUndefined();
    expect(f.rootfs.get('/app/old/a/b.txt')).toBeUndefined();
    expect(f.rootfs.get('/app/composer.json')).toMatchObject({ uid: 33, gid: 33 });
    expect(f.rootfs.get('/tmp')).toBeUndefined();
    expect(f.inputs.composer).toHaveLength(1);
  });

  it('gives composer the host network and resolv.conf when the step needs the network', async () => {
    using f = await appFixture();
    const workDir = await newWorkDir(f);
    const resolvConf = join(f.dir, 'resolv.conf');
    await fs.writeFile(resolvConf, 'nameserver 192.0.2.53\n');
    const sandbox = new FakeComposerSandbox(requireTestPkg);
    const runner = new RuncComposerRunner({ sandbox, workDir, uid: 0, resolvConf });
    await runner.require(
      await request(f, {
        network: true,
        packagist: true,
        repositories: [
          { type: 'path', url: 'pkg', files: await pathRepository(f) },
          { type: 'composer', url: 'https://repo.example/' },
        ],
      }),
    );
    const run = sandbox.requests[0]!;
    expect(run.network).toBe('host');
    expect(run.env).not.toHaveProperty('COMPOSER_DISABLE_NETWORK');
    expect(run.bindMounts?.[1]).toEqual({
      source: resolvConf,
      destination: '/etc/resolv.conf',
      readOnly: true,
    });
    expect(sandbox.globalConfig).toMatchObject({
      repositories: [{ type: 'path' }, { type: 'composer', url: 'https://repo.example/' }],
    });
  });

  it('a failing composer → BUILD_COMPOSER_FAILED with the last 20 lines; nothing is left behind', async () => {
    using f = await appFixture();
    const workDir = await newWorkDir(f);
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');
    const sandbox = new FakeComposerSandbox(() =>
      Promise.resolve({ exitCode: 2, output: `${lines}\n` }),
    );
    const runner = new RuncComposerRunner({ sandbox, workDir, uid: 0 });
    const err = await runner.require(await request(f)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BUILD_COMPOSER_FAILED' });
    const message = (err as Error).message;
    expect(message).toContain('exit status 2');
    expect(message).toContain('line 11\n');
    expect(message).toContain('line 30');
    expect(message).not.toContain('line 10\n');
    expect(await fs.readdir(workDir)).toEqual([]);
  });

  it('a timed-out composer → BUILD_COMPOSER_FAILED', async () => {
    using f = await appFixture();
    const sandbox = new FakeComposerSandbox(() =>
      Promise.resolve({ exitCode: 137, timedOut: true, output: 'Installing\n' }),
    );
    const runner = new RuncComposerRunner({ sandbox, workDir: f.dir, uid: 0, timeoutMs: 5 });
    await expect(runner.require(await request(f))).rejects.toMatchObject({
      code: 'BUILD_COMPOSER_FAILED',
      message: expect.stringContaining('did not finish within 5 ms') as string,
    });
  });

  it('refuses a working dir replaced by a symlink, and a missing composer.lock', async () => {
    using f = await appFixture();
    const swap = new FakeComposerSandbox(async (rootfs) => {
      await fs.rm(join(rootfs, 'app'), { recursive: true });
      await fs.symlink('/usr', join(rootfs, 'app'));
    });
    await expect(
      new RuncComposerRunner({ sandbox: swap, workDir: f.dir, uid: 0 }).require(await request(f)),
    ).rejects.toMatchObject({ code: 'BUILD_COMPOSER_FAILED' });
    const noLock = new FakeComposerSandbox(() => Promise.resolve({}));
    await expect(
      new RuncComposerRunner({ sandbox: noLock, workDir: f.dir, uid: 0 }).require(await request(f)),
    ).rejects.toMatchObject({
      code: 'BUILD_COMPOSER_FAILED',
      message: expect.stringContaining('/app/composer.lock') as string,
    });
  });
});

describe('RuncComposerRunner preconditions', () => {
  it('needs root, and refuses a working dir under the staging path', async () => {
    using f = stepsFixture();
    const sandbox = new FakeComposerSandbox(requireTestPkg);
    await expect(
      new RuncComposerRunner({ sandbox, workDir: f.dir, uid: 1000 }).require(await request(f)),
    ).rejects.toMatchObject({ code: 'BUILD_TOOL_MISSING' });
    await expect(
      new RuncComposerRunner({ sandbox, workDir: f.dir, uid: 0 }).require(
        await request(f, { dir: '/tmp/vc-composer/app' }),
      ),
    ).rejects.toMatchObject({ code: 'BUILD_COMPOSER_FAILED' });
    expect(sandbox.requests).toEqual([]);
  });
});

describe('composerGlobalConfig', () => {
  it('stages path repositories by step and index, keeps packagist unless turned off', async () => {
    using f = stepsFixture();
    const req = await request(f, {
      step: 3,
      packagist: true,
      repositories: [
        { type: 'composer', url: 'https://repo.example/' },
        { type: 'path', url: 'a', files: [] },
      ],
    });
    expect(composerGlobalConfig(req)).toEqual({
      config: { 'autoloader-suffix': SUFFIX },
      repositories: [
        { type: 'composer', url: 'https://repo.example/' },
        { type: 'path', url: '/tmp/vc-composer/step-3/repo-1', options: { symlink: false } },
      ],
    });
  });
});

describe('subtreeChanges', () => {
  const base = { uid: 0, gid: 0, mtime: 1, size: 0, digest: '' };
  const dir = (path: string, over: Partial<FileEntry> = {}): FileEntry => ({
    ...base,
    path,
    type: 'd',
    mode: 0o755,
    ...over,
  });
  const file = (path: string, digest: string, over: Partial<FileEntry> = {}): FileEntry => ({
    ...base,
    path,
    type: 'f',
    mode: 0o644,
    size: 1,
    digest,
    ...over,
  });
  const link = (path: string, target: string): FileEntry => ({
    ...base,
    path,
    type: 'l',
    mode: 0o777,
    linkTarget: target,
  });

  it('ignores host owner, mtime and inode keys; reports content, mode, type and link changes', () => {
    const before = [
      dir('/w/a'),
      file('/w/a/same', 'x', { uid: 33, gid: 33 }),
      file('/w/a/mode', 'x', { uid: 33, gid: 33 }),
      file('/w/a/content', 'x', { uid: 33, gid: 33 }),
      dir('/w/t'),
      file('/w/t/child', 'x'),
      link('/w/l', 'one'),
      file('/w/f2l', 'x', { uid: 33 }),
    ];
    const after = [
      dir('/w/a', { mtime: 99, uid: 1000 }),
      file('/w/a/same', 'x', { inodeKey: 'host:1:2', mtime: 99 }),
      file('/w/a/mode', 'x', { mode: 0o755 }),
      file('/w/a/content', 'y'),
      file('/w/t', 'x'),
      link('/w/l', 'two'),
      link('/w/f2l', 'x'),
      file('/w/new', 'z', { inodeKey: 'host:1:3', uid: 1000 }),
    ];
    const changes = subtreeChanges(before, after, 7);
    expect(changes).toEqual([
      { kind: 'remove', path: '/w/t/child' },
      { kind: 'put', entry: file('/w/a/content', 'y', { uid: 33, gid: 33, mtime: 7 }) },
      { kind: 'put', entry: file('/w/a/mode', 'x', { uid: 33, gid: 33, mode: 0o755, mtime: 7 }) },
      { kind: 'put', entry: { ...link('/w/f2l', 'x'), mtime: 7 } },
      { kind: 'put', entry: { ...link('/w/l', 'two'), mtime: 7 } },
      { kind: 'put', entry: file('/w/new', 'z', { mtime: 7 }) },
      { kind: 'put', entry: file('/w/t', 'x', { mtime: 7 }) },
    ]);
  });

  it('removes only the topmost vanished entry of a tree', () => {
    const before = [dir('/w/x'), dir('/w/x y'), dir('/w/x/a'), file('/w/x/a/b', 'q')];
    expect(subtreeChanges(before, [dir('/w/x y')], 7)).toEqual([{ kind: 'remove', path: '/w/x' }]);
  });
});
