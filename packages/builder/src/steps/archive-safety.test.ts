// SPDX-License-Identifier: Apache-2.0
// Safety rule 3 (01 §3) with crafted archives: each is refused and the rootfs is left unchanged.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runSteps } from './run-steps.js';
import {
  addFile,
  parseSteps,
  stepsFixture,
  tarOf,
  zipOf,
  type StepsFixture,
} from './test-support.js';

type TarEntries = Parameters<typeof tarOf>[0];

/** Runs an extract of `bytes` into /opt/app; returns the error, checking nothing changed. */
async function refused(f: StepsFixture, bytes: Uint8Array, name = 'evil.tar.gz', extra = '') {
  await addFile(f.rootfs, `/tmp/${name}`, bytes);
  const before = f.rootfs.entries();
  const steps = parseSteps(`
[[build.steps]]
action = "extract"
archive = "/tmp/${name}"
dest = "/opt/app"
${extra}`);
  const err = await runSteps(steps, f.ctx).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeDefined();
  expect(f.rootfs.entries()).toEqual(before);
  return err;
}

const tgz = async (entries: TarEntries) => gzipSync(await tarOf(entries));
const ok = { name: 'fine.txt', body: 'staged before the bad entry' };

describe('extract refuses unsafe archives (BUILD_ARCHIVE_UNSAFE, naming the entry)', () => {
  it('a ../ entry', async () => {
    using f = stepsFixture();
    const err = await refused(f, await tgz([ok, { name: 'a/../../evil.sh', body: 'x' }]));
    expect(err).toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      message:
        /build\.steps\[0\] \(extract\): \/tmp\/evil\.tar\.gz: entry "a\/\.\.\/\.\.\/evil\.sh" leaves the destination/,
      details: { entry: 'a/../../evil.sh' },
    });
  });

  it('a ../ that only escapes after strip-components', async () => {
    using f = stepsFixture();
    const err = await refused(
      f,
      await tgz([{ name: 'pkg/../x', body: 'x' }]),
      'a.tgz',
      'strip-components = 1',
    );
    expect(err).toMatchObject({ code: 'BUILD_ARCHIVE_UNSAFE' });
  });

  it('an absolute entry', async () => {
    using f = stepsFixture();
    const err = await refused(
      f,
      await tgz([ok, { name: '/etc/passwd', body: 'root::0:0::/:/bin/sh' }]),
    );
    expect(err).toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      message: /"\/etc\/passwd" has an absolute name/,
    });
  });

  it('a symlink to /etc/passwd, and a file written through a symlink to /etc', async () => {
    using f = stepsFixture();
    await addFile(f.rootfs, '/etc/passwd', 'root:x:0:0::/root:/bin/sh\n');
    let err = await refused(
      f,
      await tgz([{ name: 'pw', type: 'symlink', linkname: '/etc/passwd' }]),
    );
    expect(err).toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      message: /"pw" is a symlink to the absolute path/,
    });
    err = await refused(
      f,
      await tgz([
        { name: 'etc', type: 'symlink', linkname: '../../etc' },
        { name: 'etc/passwd', body: 'owned' },
      ]),
    );
    expect(err).toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      message: /"etc\/passwd" is written through the symlink etc/,
    });
  });

  it('a file written through a harmless symlink of the same archive', async () => {
    using f = stepsFixture();
    const err = await refused(
      f,
      await tgz([
        { name: 'real/', type: 'directory' },
        { name: 'alias', type: 'symlink', linkname: 'real' },
        { name: 'alias/file', body: 'x' },
      ]),
    );
    expect(err).toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      message: /written through the symlink alias/,
    });
  });

  it('a file written through a symlink already in dest', async () => {
    using f = stepsFixture();
    f.rootfs.mkdirp('/usr/lib');
    f.rootfs.mkdirp('/opt/app');
    f.rootfs.put('/opt/app/lib', { type: 'l', target: '/usr/lib' });
    const err = await refused(f, await tgz([{ name: 'lib/libevil.so', body: 'x' }]));
    expect(err).toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      message: /written through the symlink lib/,
    });
  });

  it('a relative symlink leaving dest, also when a later entry makes it leave', async () => {
    using f = stepsFixture();
    let err = await refused(
      f,
      await tgz([{ name: 'a/up', type: 'symlink', linkname: '../../..' }]),
    );
    expect(err).toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      message: /"a\/up" is a symlink to \.\.\/\.\.\/\.\., outside/,
    });
    err = await refused(
      f,
      await tgz([
        { name: 'a', type: 'symlink', linkname: 'b/..' },
        { name: 'b', type: 'symlink', linkname: '.' },
      ]),
    );
    expect(err).toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      message: /"a" is a symlink to b\/\.\., which resolves outside/,
    });
  });

  it('hardlinks to outside dest, to an absolute path or to no earlier entry', async () => {
    using f = stepsFixture();
    await addFile(f.rootfs, '/etc/shadow', 'secret');
    for (const linkname of ['/etc/shadow', '../../etc/shadow', 'later.txt']) {
      const err = await refused(
        f,
        await tgz([
          { name: 'h', type: 'link', linkname },
          { name: 'later.txt', body: 'x' },
        ]),
      );
      expect(err).toMatchObject({ code: 'BUILD_ARCHIVE_UNSAFE', details: { entry: 'h' } });
    }
  });

  it('device nodes and FIFOs', async () => {
    using f = stepsFixture();
    for (const type of ['character-device', 'block-device', 'fifo'] as const) {
      const err = await refused(
        f,
        await tgz([ok, { name: 'dev/node', type, devmajor: 1, devminor: 3 }]),
      );
      expect(err).toMatchObject({ code: 'BUILD_ARCHIVE_UNSAFE', details: { entry: 'dev/node' } });
    }
  });

  it('a zip with ../ and a zip device entry', async () => {
    using f = stepsFixture();
    let err = await refused(
      f,
      zipOf([
        { name: 'ok.txt', body: 'x' },
        { name: '../../evil.php', body: '<?php' },
      ]),
      'p.zip',
    );
    expect(err).toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      details: { entry: '../../evil.php' },
    });
    err = await refused(f, zipOf([{ name: 'sock', mode: 0o140755 }]), 'q.zip');
    expect(err).toMatchObject({ code: 'BUILD_ARCHIVE_UNSAFE', message: /is a socket/ });
  });
});

describe('extract: limits and conflicts', () => {
  it('more entries or bytes than allowed → BUILD_ARCHIVE_LIMIT', async () => {
    using f = stepsFixture({ archiveLimits: { maxEntries: 3, maxBytes: 10 } });
    let err = await refused(f, await tgz([1, 2, 3, 4].map((i) => ({ name: `f${i}`, body: '' }))));
    expect(err).toMatchObject({ code: 'BUILD_ARCHIVE_LIMIT', message: /more than 3 entries/ });
    err = await refused(
      f,
      await tgz([
        { name: 'a', body: '123456' },
        { name: 'b', body: '12345' },
      ]),
    );
    expect(err).toMatchObject({ code: 'BUILD_ARCHIVE_LIMIT', message: /more than 10 bytes/ });
  });

  it('a file over a directory fails; a directory over a symlink replaces it', async () => {
    using f = stepsFixture();
    f.rootfs.mkdirp('/opt/app/conf/d');
    const err = await refused(f, await tgz([{ name: 'conf', body: 'x' }]));
    expect(err).toMatchObject({ code: 'BUILD_STEP_FAILED', message: /would replace a directory/ });
    f.rootfs.put('/opt/app/lib', { type: 'l', target: '/usr/lib' });
    await addFile(
      f.rootfs,
      '/tmp/ok.tgz',
      await tgz([
        { name: 'lib/', type: 'directory' },
        { name: 'lib/x', body: 'x' },
      ]),
    );
    await runSteps(
      parseSteps(`[[build.steps]]\naction = "extract"\narchive = "/tmp/ok.tgz"\ndest = "/opt/app"`),
      f.ctx,
    );
    expect(f.rootfs.get('/opt/app/lib')?.type).toBe('d');
    expect(f.rootfs.get('/opt/app/lib/x')?.type).toBe('f');
    expect(f.rootfs.lookup('/usr/lib/x')).toBeUndefined();
  });

  it('symlinks inside dest are fine, including one to dest itself', async () => {
    using f = stepsFixture();
    await addFile(
      f.rootfs,
      '/tmp/ok.tgz',
      await tgz([
        { name: 'v1/', type: 'directory' },
        { name: 'current', type: 'symlink', linkname: 'v1' },
        { name: 'self', type: 'symlink', linkname: '.' },
        { name: 'v1/deep/up', type: 'symlink', linkname: '../../current' },
      ]),
    );
    await runSteps(
      parseSteps(`[[build.steps]]\naction = "extract"\narchive = "/tmp/ok.tgz"\ndest = "/opt/app"`),
      f.ctx,
    );
    expect(f.rootfs.resolve('/opt/app/v1/deep/up')).toBe('/opt/app/v1');
  });
});
