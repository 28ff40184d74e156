// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runSteps } from './run-steps.js';
import { addFile, EPOCH, parseSteps, stepsFixture } from './test-support.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const sha512 = (s: string) => createHash('sha512').update(s).digest('hex');

describe('mkdir', () => {
  it('creates the directory with its mode and missing parents 0755 0:0', async () => {
    using f = stepsFixture();
    await runSteps(
      parseSteps(`[[build.steps]]\naction = "mkdir"\npath = "/var/www/html"\nmode = "0750"`),
      f.ctx,
    );
    expect(f.rootfs.get('/var')).toMatchObject({ type: 'd', mode: 0o755, uid: 0, gid: 0 });
    expect(f.rootfs.get('/var/www/html')).toMatchObject({ type: 'd', mode: 0o750, mtime: EPOCH });
  });

  it('gives an existing directory the mode, refuses an existing file', async () => {
    using f = stepsFixture();
    f.rootfs.mkdirp('/srv');
    f.rootfs.update('/srv', { mode: 0o700, uid: 5 });
    await runSteps(parseSteps(`[[build.steps]]\naction = "mkdir"\npath = "/srv"`), f.ctx);
    expect(f.rootfs.get('/srv')).toMatchObject({ mode: 0o755, uid: 5 });
    await addFile(f.rootfs, '/etc/motd', 'hi');
    await expect(
      runSteps(parseSteps(`[[build.steps]]\naction = "mkdir"\npath = "/etc/motd"`), f.ctx),
    ).rejects.toMatchObject({ code: 'BUILD_STEP_FAILED', message: /build\.steps\[0\] \(mkdir\)/ });
  });
});

describe('write-file', () => {
  it('writes exact bytes (text or base64) with the mode, replacing a file', async () => {
    using f = stepsFixture();
    await addFile(f.rootfs, '/etc/app.conf', 'old', { mode: 0o600, uid: 7 });
    const steps = parseSteps(`
[[build.steps]]
action = "write-file"
path = "/etc/app.conf"
content = "a = 1"
mode = "0640"
[[build.steps]]
action = "write-file"
path = "/bin/blob"
content-base64 = "AAEC/w=="
`);
    await runSteps(steps, f.ctx);
    expect(await f.rootfs.readText('/etc/app.conf')).toBe('a = 1');
    expect(f.rootfs.get('/etc/app.conf')).toMatchObject({
      mode: 0o640,
      uid: 0,
      size: 5,
      digest: sha256('a = 1'),
    });
    const blob = f.rootfs.get('/bin/blob');
    expect(blob).toMatchObject({ mode: 0o644, size: 4 });
    expect([...(await f.rootfs.content.read(blob!.digest))]).toEqual([0, 1, 2, 255]);
  });

  it('refuses a directory and writes through a symlink inside the rootfs', async () => {
    using f = stepsFixture();
    f.rootfs.mkdirp('/etc/conf.d');
    await expect(
      runSteps(
        parseSteps(`[[build.steps]]\naction = "write-file"\npath = "/etc/conf.d"\ncontent = "x"`),
        f.ctx,
      ),
    ).rejects.toMatchObject({ code: 'BUILD_STEP_FAILED', message: /is a directory/ });
    f.rootfs.put('/etc/escape', { type: 'l', target: '../../../../../../tmp/owned' });
    await runSteps(
      parseSteps(`[[build.steps]]\naction = "write-file"\npath = "/etc/escape"\ncontent = "x"`),
      f.ctx,
    );
    expect(f.rootfs.get('/tmp/owned')?.type).toBe('f');
  });
});

describe('symlink', () => {
  it('stores the target verbatim; an existing link needs force, which also replaces a directory tree', async () => {
    using f = stepsFixture();
    const make = (force: boolean, link = '/usr/bin/php') =>
      runSteps(
        parseSteps(
          `[[build.steps]]\naction = "symlink"\ntarget = "/usr/bin/php8.2"\nlink = "${link}"\nforce = ${force}`,
        ),
        f.ctx,
      );
    await make(false);
    expect(f.rootfs.get('/usr/bin/php')).toMatchObject({
      type: 'l',
      linkTarget: '/usr/bin/php8.2',
    });
    await expect(make(false)).rejects.toMatchObject({
      code: 'BUILD_STEP_FAILED',
      message: /already exists/,
    });
    await make(true);
    f.rootfs.mkdirp('/opt/dir/sub');
    await expect(make(false, '/opt/dir')).rejects.toMatchObject({ message: /already exists/ });
    await make(true, '/opt/dir');
    expect(f.rootfs.get('/opt/dir')).toMatchObject({ type: 'l', linkTarget: '/usr/bin/php8.2' });
    expect(f.rootfs.get('/opt/dir/sub')).toBeUndefined();
  });
});

describe('chmod', () => {
  it('recursive: mode on directories, file-mode on files, symlinks skipped', async () => {
    using f = stepsFixture();
    await addFile(f.rootfs, '/app/a.php', 'a', { mode: 0o666 });
    await addFile(f.rootfs, '/app/sub/b.php', 'b', { mode: 0o777 });
    f.rootfs.put('/app/link', { type: 'l', target: '/etc' });
    f.rootfs.mkdirp('/etc');
    await runSteps(
      parseSteps(
        `[[build.steps]]\naction = "chmod"\npath = "/app"\nmode = "0750"\nfile-mode = "0640"\nrecursive = true`,
      ),
      f.ctx,
    );
    expect(f.rootfs.get('/app')?.mode).toBe(0o750);
    expect(f.rootfs.get('/app/sub')?.mode).toBe(0o750);
    expect(f.rootfs.get('/app/a.php')?.mode).toBe(0o640);
    expect(f.rootfs.get('/app/sub/b.php')?.mode).toBe(0o640);
    expect(f.rootfs.get('/app/link')?.mode).toBe(0o777);
    expect(f.rootfs.get('/etc')?.mode).toBe(0o755);
  });

  it('without file-mode uses mode for files too; not recursive touches one entry', async () => {
    using f = stepsFixture();
    await addFile(f.rootfs, '/d/x', 'x');
    await runSteps(
      parseSteps(`[[build.steps]]\naction = "chmod"\npath = "/d"\nmode = "700"\nrecursive = true`),
      f.ctx,
    );
    expect(f.rootfs.get('/d/x')?.mode).toBe(0o700);
    await runSteps(
      parseSteps(`[[build.steps]]\naction = "chmod"\npath = "/d"\nmode = "4755"`),
      f.ctx,
    );
    expect(f.rootfs.get('/d')?.mode).toBe(0o4755);
    expect(f.rootfs.get('/d/x')?.mode).toBe(0o700);
  });
});

describe('chown', () => {
  it('looks names up in the rootfs files at that step, never follows symlinks', async () => {
    using f = stepsFixture();
    await addFile(
      f.rootfs,
      '/etc/passwd',
      'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n',
    );
    await addFile(f.rootfs, '/etc/group', 'root:x:0:\nwww-data:x:33:\n');
    await addFile(f.rootfs, '/var/www/index.php', '<?php');
    await addFile(f.rootfs, '/etc/secret', 's');
    f.rootfs.put('/var/www/link', { type: 'l', target: '/etc/secret' });
    await runSteps(
      parseSteps(
        `[[build.steps]]\naction = "chown"\npath = "/var/www"\nuser = "www-data"\ngroup = "www-data"\nrecursive = true`,
      ),
      f.ctx,
    );
    for (const p of ['/var/www', '/var/www/index.php', '/var/www/link']) {
      expect(f.rootfs.get(p)).toMatchObject({ uid: 33, gid: 33 });
    }
    expect(f.rootfs.get('/etc/secret')).toMatchObject({ uid: 0, gid: 0 });
    await runSteps(
      parseSteps(`[[build.steps]]\naction = "chown"\npath = "/var/www/link"\nuser = 1000`),
      f.ctx,
    );
    expect(f.rootfs.get('/var/www/link')).toMatchObject({ uid: 1000, gid: 33 });
    expect(f.rootfs.get('/etc/secret')?.uid).toBe(0);
  });

  it('an unknown user or group → BUILD_USER_UNKNOWN; a user added by an earlier step is known', async () => {
    using f = stepsFixture();
    await addFile(f.rootfs, '/srv/x', 'x');
    await expect(
      runSteps(
        parseSteps(`[[build.steps]]\naction = "chown"\npath = "/srv/x"\nuser = "app"`),
        f.ctx,
      ),
    ).rejects.toMatchObject({
      code: 'BUILD_USER_UNKNOWN',
      message: /user "app" not in \/etc\/passwd/,
    });
    await expect(
      runSteps(
        parseSteps(`[[build.steps]]\naction = "chown"\npath = "/srv/x"\ngroup = "staff"`),
        f.ctx,
      ),
    ).rejects.toMatchObject({ code: 'BUILD_USER_UNKNOWN' });
    await runSteps(
      parseSteps(`
[[build.steps]]
action = "user"
name = "app"
[[build.steps]]
action = "chown"
path = "/srv/x"
user = "app"
group = "app"`),
      f.ctx,
    );
    expect(f.rootfs.get('/srv/x')).toMatchObject({ uid: 1000, gid: 1000 });
  });
});

describe('verify-hash', () => {
  it('checks sha256 and sha512 of a rootfs file; mismatch → BUILD_HASH_MISMATCH with both digests', async () => {
    using f = stepsFixture({ manifestFile: 'app.ctp' });
    await addFile(f.rootfs, '/tmp/wordpress.tar.gz', 'payload');
    await runSteps(
      parseSteps(
        `[[build.steps]]\naction = "verify-hash"\nfile = "/tmp/wordpress.tar.gz"\nhash = "sha512:${sha512('payload').toUpperCase()}"`,
      ),
      f.ctx,
    );
    const wrong = 'a'.repeat(64);
    const steps = parseSteps(`
[[build.steps]]
action = "mkdir"
path = "/tmp"
[[build.steps]]
action = "verify-hash"
file = "/tmp/wordpress.tar.gz"
hash = "sha256:${wrong}"`);
    const err = await runSteps(steps, f.ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'BUILD_HASH_MISMATCH',
      message: `app.ctp: build.steps[1] (verify-hash): sha256 mismatch for /tmp/wordpress.tar.gz: expected ${wrong}, got ${sha256('payload')}`,
      details: { step: 1, action: 'verify-hash', expected: `sha256:${wrong}` },
    });
  });

  it('a missing file fails the step', async () => {
    using f = stepsFixture();
    await expect(
      runSteps(
        parseSteps(
          `[[build.steps]]\naction = "verify-hash"\nfile = "/nope"\nhash = "sha256:${'0'.repeat(64)}"`,
        ),
        f.ctx,
      ),
    ).rejects.toMatchObject({ code: 'BUILD_STEP_FAILED' });
  });
});
