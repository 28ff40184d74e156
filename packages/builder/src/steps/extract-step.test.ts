// SPDX-License-Identifier: Apache-2.0
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ChildProcessStreamExec, type StreamExec } from './exec.js';
import { runSteps } from './run-steps.js';
import {
  addFile,
  parseSteps,
  stepsFixture,
  tarOf,
  xzOf,
  zipOf,
  type StepsFixture,
} from './test-support.js';

async function extract(f: StepsFixture, bytes: Uint8Array, name: string, extra = '') {
  await addFile(f.rootfs, `/tmp/${name}`, bytes);
  const steps = parseSteps(`
[[build.steps]]
action = "extract"
archive = "/tmp/${name}"
dest = "/opt/app"
${extra}`);
  await runSteps(steps, f.ctx);
}

const hasXz = xzOf(Buffer.from('probe')) !== undefined;

describe('extract: formats', () => {
  it('tar.gz by name: strip-components, owner 0:0, mode & 07777, links, remove-archive', async () => {
    using f = stepsFixture();
    const tar = await tarOf([
      { name: 'wordpress/', type: 'directory', mode: 0o700, uid: 1000 },
      { name: 'wordpress/data/', type: 'directory', mode: 0o750, uid: 1000 },
      { name: 'wordpress/index.php', body: '<?php', mode: 0o100644, uid: 1000, gid: 1000 },
      { name: 'wordpress/bin/wp', body: '#!/bin/sh', mode: 0o4755 },
      { name: 'wordpress/current', type: 'symlink', linkname: 'index.php' },
      { name: 'wordpress/index-copy.php', type: 'link', linkname: 'wordpress/index.php' },
      { name: 'top-level-file', body: 'stripped away' },
    ]);
    await extract(f, gzipSync(tar), 'wp.tar.gz', 'strip-components = 1\nremove-archive = true');
    const { rootfs } = f;
    // `wordpress/` itself becomes the destination, which keeps its mode.
    expect(rootfs.get('/opt/app')).toMatchObject({ type: 'd', mode: 0o755, uid: 0, gid: 0 });
    expect(rootfs.get('/opt/app/data')).toMatchObject({ type: 'd', mode: 0o750, uid: 0, gid: 0 });
    expect(rootfs.get('/opt/app/index.php')).toMatchObject({
      type: 'f',
      mode: 0o644,
      uid: 0,
      gid: 0,
    });
    expect(rootfs.get('/opt/app/bin/wp')).toMatchObject({ mode: 0o4755 });
    expect(rootfs.get('/opt/app/bin')).toMatchObject({ type: 'd', mode: 0o755 });
    expect(rootfs.get('/opt/app/current')).toMatchObject({ type: 'l', linkTarget: 'index.php' });
    const copy = rootfs.get('/opt/app/index-copy.php');
    expect(copy?.digest).toBe(rootfs.get('/opt/app/index.php')?.digest);
    expect(copy?.inodeKey).toBeDefined();
    expect(copy?.inodeKey).toBe(rootfs.get('/opt/app/index.php')?.inodeKey);
    expect(await rootfs.readText('/opt/app/index.php')).toBe('<?php');
    expect(rootfs.lookup('/tmp/wp.tar.gz')).toBeUndefined();
    expect(rootfs.lookup('/opt/top-level-file')).toBeUndefined();
  });

  it('plain tar and gzip by magic; merges into an existing directory', async () => {
    using f = stepsFixture();
    await addFile(f.rootfs, '/opt/app/keep.txt', 'kept');
    const tar = await tarOf([{ name: './a.txt', body: 'A' }]);
    await extract(f, tar, 'blob1');
    await extract(f, gzipSync(await tarOf([{ name: 'b.txt', body: 'B' }])), 'blob2');
    expect(await f.rootfs.readText('/opt/app/a.txt')).toBe('A');
    expect(await f.rootfs.readText('/opt/app/b.txt')).toBe('B');
    expect(await f.rootfs.readText('/opt/app/keep.txt')).toBe('kept');
    expect(f.rootfs.lookup('/tmp/blob1')?.type).toBe('f');
  });

  it.skipIf(!hasXz)('tar.xz through the host xz', async () => {
    using f = stepsFixture();
    const xz = xzOf(await tarOf([{ name: 'x/y.txt', body: 'xz!' }]));
    await extract(f, xz!, 'a.tar.xz');
    expect(await f.rootfs.readText('/opt/app/x/y.txt')).toBe('xz!');
  });

  it('tar.xz without xz on the host → BUILD_TOOL_MISSING with the apt hint', async () => {
    const real = new ChildProcessStreamExec();
    const exec: StreamExec = {
      pipe: (argv, input, opts) => real.pipe(['ct-no-such-xz', ...argv.slice(1)], input, opts),
    };
    using f = stepsFixture({ exec });
    await expect(extract(f, Buffer.from('not really xz'), 'a.tar.xz')).rejects.toMatchObject({
      code: 'BUILD_TOOL_MISSING',
      message: /ct-no-such-xz is not installed/,
      hint: 'apt-get install xz-utils',
    });
    expect(f.rootfs.lookup('/opt/app')).toBeUndefined();
  });

  it('zip: stored and deflated members, unix modes, directories and symlinks, by magic', async () => {
    using f = stepsFixture();
    const zip = zipOf([
      { name: 'plugin/', mode: 0o40750 },
      { name: 'plugin/main.php', body: '<?php // main', mode: 0o100640 },
      { name: 'plugin/big.txt', body: 'z'.repeat(5000), deflate: true },
      { name: 'plugin/link', body: 'main.php', mode: 0o120777 },
      { name: 'plugin/dos.txt', body: 'dos', mode: 0 },
    ]);
    await extract(f, zip, 'plugin.download', 'strip-components = 1');
    const { rootfs } = f;
    expect(rootfs.get('/opt/app/main.php')).toMatchObject({ type: 'f', mode: 0o640 });
    expect(await rootfs.readText('/opt/app/big.txt')).toBe('z'.repeat(5000));
    expect(rootfs.get('/opt/app/link')).toMatchObject({ type: 'l', linkTarget: 'main.php' });
    expect(rootfs.get('/opt/app/dos.txt')).toMatchObject({ type: 'f', mode: 0o644 });
  });

  it('an unknown format fails with a hint', async () => {
    using f = stepsFixture();
    await expect(extract(f, Buffer.from('just text'), 'notes')).rejects.toMatchObject({
      code: 'BUILD_STEP_FAILED',
      message: /unknown archive format/,
    });
  });
});

describe('extract: damaged zips', () => {
  it('encrypted → BUILD_ARCHIVE_UNSAFE; a member inflating past its size or with a bad CRC fails', async () => {
    using f = stepsFixture();
    await expect(
      extract(f, zipOf([{ name: 'a', body: 'x', flags: 1 }]), 'e.zip'),
    ).rejects.toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      message: /encrypted member a is not supported/,
    });
    const bomb = zipOf([
      { name: 'bomb', body: '0'.repeat(100_000), deflate: true, declaredSize: 10 },
    ]);
    await expect(extract(f, bomb, 'b.zip')).rejects.toMatchObject({
      code: 'BUILD_STEP_FAILED',
      message: /larger than declared/,
    });
    const zip = zipOf([{ name: 'a', body: 'hello' }]);
    // The first body byte, after the 30-byte local header and the 1-byte name.
    zip.writeUInt8(zip.readUInt8(31) ^ 0xff, 31);
    await expect(extract(f, zip, 'c.zip')).rejects.toMatchObject({ message: /CRC-32/ });
    expect(f.rootfs.lookup('/opt/app')).toBeUndefined();
  });

  it('zip64 is not supported; a truncated tar.gz fails; the rootfs is unchanged', async () => {
    using f = stepsFixture();
    const zip = zipOf([{ name: 'a', body: 'x' }]);
    zip.writeUInt16LE(0xffff, zip.length - 22 + 8);
    zip.writeUInt16LE(0xffff, zip.length - 22 + 10);
    await expect(extract(f, zip, 'z.zip')).rejects.toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      message: /zip64 is not supported/,
    });
    const tgz = gzipSync(await tarOf([{ name: 'big', body: 'x'.repeat(4096) }]));
    await expect(extract(f, tgz.subarray(0, tgz.length - 30), 't.tar.gz')).rejects.toMatchObject({
      code: 'BUILD_STEP_FAILED',
      message: /cannot read \/tmp\/t\.tar\.gz as tar\.gz/,
    });
    expect(f.rootfs.lookup('/opt/app')).toBeUndefined();
  });
});
