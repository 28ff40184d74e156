// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { addFile, EPOCH, stepsFixture } from './test-support.js';

describe('RootFs path resolution (safety rule 1)', () => {
  it('follows symlinks on the way, absolute targets restarting at the rootfs root', async () => {
    using f = stepsFixture();
    const { rootfs } = f;
    rootfs.mkdirp('/usr/lib');
    rootfs.put('/lib', { type: 'l', target: 'usr/lib' });
    rootfs.put('/abs', { type: 'l', target: '/usr' });
    await addFile(rootfs, '/lib/libc.so', 'libc');
    expect(rootfs.get('/usr/lib/libc.so')?.type).toBe('f');
    expect(rootfs.resolve('/abs/lib/libc.so')).toBe('/usr/lib/libc.so');
    expect(rootfs.resolve('/lib', { followFinal: false })).toBe('/lib');
    expect(rootfs.lookup('/lib', { follow: false })?.type).toBe('l');
    expect(rootfs.lookup('/lib')?.type).toBe('d');
  });

  it('keeps an absolute symlink to / and ".." at the root inside the rootfs', () => {
    using f = stepsFixture();
    const { rootfs } = f;
    rootfs.mkdirp('/a/b');
    rootfs.put('/a/root', { type: 'l', target: '/' });
    rootfs.put('/a/b/up', { type: 'l', target: '../../../../../..' });
    rootfs.put('/a/b/passwd', { type: 'l', target: '../../../../etc/passwd' });
    expect(rootfs.resolve('/a/root/etc/passwd')).toBe('/etc/passwd');
    expect(rootfs.resolve('/a/b/up')).toBe('/');
    expect(rootfs.resolve('/a/b/up/etc/shadow')).toBe('/etc/shadow');
    expect(rootfs.resolve('/a/b/passwd')).toBe('/etc/passwd');
  });

  it('gives up after 40 symlinks (ELOOP) and refuses a file used as a directory', async () => {
    using f = stepsFixture();
    const { rootfs } = f;
    rootfs.put('/loop', { type: 'l', target: '/loop' });
    // 41 links in a row: following 40 is allowed, 41 is not.
    for (let i = 0; i <= 40; i++) rootfs.put(`/c${i}`, { type: 'l', target: `/c${i + 1}` });
    rootfs.mkdirp('/c41');
    expect(() => rootfs.resolve('/loop/x')).toThrow(/too many levels of symlinks/);
    expect(() => rootfs.resolve('/c0')).toThrow(
      expect.objectContaining({ code: 'BUILD_STEP_FAILED' }),
    );
    expect(rootfs.resolve('/c1')).toBe('/c41');
    await addFile(rootfs, '/file', 'x');
    expect(() => rootfs.resolve('/file/x')).toThrow(/is not a directory/);
  });
});

describe('RootFs table', () => {
  it('creates missing parents 0755 0:0 with the build epoch as mtime', async () => {
    using f = stepsFixture();
    const { rootfs } = f;
    await addFile(rootfs, '/opt/app/bin/run', '#!/bin/sh\n', { mode: 0o755 });
    expect(rootfs.get('/opt')).toMatchObject({
      type: 'd',
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtime: EPOCH,
    });
    expect(rootfs.get('/opt/app/bin/run')).toMatchObject({ type: 'f', mode: 0o755, size: 10 });
    expect(rootfs.children('/opt/app').map((e) => e.path)).toEqual(['/opt/app/bin']);
    expect(rootfs.walk('/opt').map((e) => e.path)).toEqual([
      '/opt',
      '/opt/app',
      '/opt/app/bin',
      '/opt/app/bin/run',
    ]);
    expect(await rootfs.readText('/opt/app/bin/run')).toBe('#!/bin/sh\n');
  });

  it('refuses to replace a directory with a file, and removes whole subtrees', async () => {
    using f = stepsFixture();
    const { rootfs } = f;
    await addFile(rootfs, '/d/x', 'x');
    await expect(addFile(rootfs, '/d', 'y')).rejects.toMatchObject({ code: 'BUILD_STEP_FAILED' });
    rootfs.remove('/d');
    expect(rootfs.size).toBe(0);
  });

  it('changes metadata of every hardlink of an inode', async () => {
    using f = stepsFixture();
    const { rootfs } = f;
    const content = await rootfs.content.put(Buffer.from('shared'));
    rootfs.put('/a', { type: 'f', mode: 0o644, content, inodeKey: 'i1' });
    rootfs.put('/b', { type: 'f', mode: 0o644, content, inodeKey: 'i1' });
    rootfs.update('/a', { mode: 0o600, uid: 33 });
    expect(rootfs.get('/b')).toMatchObject({ mode: 0o600, uid: 33 });
    // Replacing one path makes a new inode; the other keeps the old one.
    rootfs.put('/a', { type: 'f', mode: 0o644, content });
    rootfs.update('/a', { mode: 0o640 });
    expect(rootfs.get('/b')?.mode).toBe(0o600);
  });

  it('stores symlink targets verbatim with their sha256 and length', () => {
    using f = stepsFixture();
    const link = f.rootfs.put('/l', { type: 'l', target: '/etc/passwd' });
    expect(link).toMatchObject({
      type: 'l',
      mode: 0o777,
      size: 11,
      linkTarget: '/etc/passwd',
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});
