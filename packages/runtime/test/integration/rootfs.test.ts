// SPDX-License-Identifier: Apache-2.0
// Layers of a store image unpacked into cache/layers and mounted as an overlay (05 §4.4), against
// the real kernel: whiteouts and opaque directories hide what they should, digests are checked,
// and names that would leave the layer directory are refused.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBlob, resolveImage } from '../../src/image/index.js';
import {
  HostSpecialFiles,
  copyLayers,
  isMountPoint,
  prepareContainerRootfs,
  probeRootfsMode,
  releaseContainerRootfs,
  unmount,
  unpackLayer,
} from '../../src/rootfs/index.js';
import { volatileMarker } from '../../src/rootfs/overlay-mount.js';
import {
  ContainerRecords,
  containerPaths,
  layerPath,
  newContainerId,
} from '../../src/store/index.js';
import { FIXTURE_MTIME, writeFixtureImage, type FixtureImage } from '../support/oci-fixture.js';

const isRoot = process.getuid?.() === 0;
const special = new HostSpecialFiles();

const BASE_LAYER = [
  { name: 'etc/', type: 'directory' as const },
  { name: 'etc/keep', content: 'kept\n', mode: 0o640, uid: 1000, gid: 1001 },
  { name: 'etc/gone', content: 'deleted by layer 2\n' },
  { name: 'opt/', type: 'directory' as const },
  { name: 'opt/old', content: 'hidden by the opaque dir\n' },
  { name: 'bin/', type: 'directory' as const },
  { name: 'bin/tool', content: '#!/bin/sh\n', mode: 0o4755 },
  { name: 'bin/link', type: 'symlink' as const, linkname: '../etc/keep' },
  { name: 'bin/hard', type: 'link' as const, linkname: 'bin/tool' },
];
const TOP_LAYER = [
  { name: 'etc/', type: 'directory' as const },
  { name: 'etc/.wh.gone' },
  { name: 'opt/', type: 'directory' as const },
  { name: 'opt/.wh..wh..opq' },
  { name: 'opt/new', content: 'only this\n' },
  { name: 'top.txt', content: 'layer 2\n' },
];

/** The super options of the mount at `path` (field 11 of `/proc/self/mountinfo`). */
async function mountOptionsOf(path: string): Promise<string> {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
  const line = info.split('\n').find((l) => l.split(' ')[4] === path);
  return line?.split(' - ')[1]?.split(' ')[2] ?? '';
}

describe.skipIf(!isRoot)('container rootfs from store layers', () => {
  let root: string;
  let image: FixtureImage;
  const containers: string[] = [];

  beforeAll(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'vordr-rootfs-'));
    image = await writeFixtureImage(root, 'test/two-layers:1.0', [BASE_LAYER, TOP_LAYER]);
  });

  afterAll(async () => {
    for (const id of containers) await releaseContainerRootfs(root, id).catch(() => undefined);
    await fs.rm(root, { recursive: true, force: true });
  });

  it('resolves name:tag, unpacks both layers and mounts the merged view', async () => {
    const resolved = await resolveImage(root, 'test/two-layers:1.0');
    expect(resolved.digest).toBe(image.digest);
    expect(resolved.layers.map((l) => l.diffId)).toEqual(image.layers.map((l) => l.diffId));

    const id = newContainerId();
    containers.push(id);
    await new ContainerRecords(root).write({ id, name: 'rootfs_test' });
    const prepared = await prepareContainerRootfs({
      root,
      containerId: id,
      layers: resolved.layers,
      openBlob: (digest) => openBlob(root, digest),
      special,
    });
    expect(prepared.mode).toBe('overlay');
    expect(await isMountPoint(prepared.path)).toBe(true);
    const rootfs = prepared.path;

    expect(await fs.readFile(join(rootfs, 'etc/keep'), 'utf8')).toBe('kept\n');
    await expect(fs.lstat(join(rootfs, 'etc/gone'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await fs.readdir(join(rootfs, 'opt'))).sort()).toEqual(['new']);
    expect(await fs.readFile(join(rootfs, 'top.txt'), 'utf8')).toBe('layer 2\n');

    const keep = await fs.lstat(join(rootfs, 'etc/keep'));
    expect([keep.mode & 0o7777, keep.uid, keep.gid]).toEqual([0o640, 1000, 1001]);
    expect(keep.mtime.getTime()).toBe(FIXTURE_MTIME.getTime());
    const tool = await fs.lstat(join(rootfs, 'bin/tool'));
    expect(tool.mode & 0o7777).toBe(0o4755);
    expect(tool.nlink).toBe(2);
    expect(await fs.readlink(join(rootfs, 'bin/link'))).toBe('../etc/keep');

    // The layer cache holds overlay whiteouts: a 0/0 character device and an opaque directory.
    const top = layerPath(root, image.layers[1]!.diffId);
    const whiteout = await fs.lstat(join(top, 'etc/gone'));
    expect(whiteout.isCharacterDevice() && whiteout.rdev === 0).toBe(true);
    expect(await special.listOpaqueDirs(top)).toEqual([join(top, 'opt')]);

    // Writes go to the container's upper dir, never to the shared layers.
    await fs.writeFile(join(rootfs, 'etc/keep'), 'changed\n');
    const base = layerPath(root, image.layers[0]!.diffId);
    expect(await fs.readFile(join(base, 'etc/keep'), 'utf8')).toBe('kept\n');

    await releaseContainerRootfs(root, id);
    expect(await isMountPoint(prepared.path)).toBe(false);
    await expect(fs.access(prepared.path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('mounts an --rm container volatile and mounts it again after an unmount (same upper)', async () => {
    const resolved = await resolveImage(root, 'test/two-layers:1.0');
    const id = newContainerId();
    containers.push(id);
    await new ContainerRecords(root).write({ id, name: 'rootfs_volatile' });
    const prepare = () =>
      prepareContainerRootfs({
        root,
        containerId: id,
        layers: resolved.layers,
        openBlob: (digest) => openBlob(root, digest),
        special,
        volatile: true,
      });
    const first = await prepare();
    expect(first.mode).toBe('overlay');
    expect(await mountOptionsOf(first.path)).toContain('volatile');
    await fs.writeFile(join(first.path, 'top.txt'), 'written\n');

    // The kernel refuses a second mount while the volatile marker is there; a remount (start
    // after stop) removes it first and keeps what the container wrote.
    await unmount(first.path);
    const { work } = containerPaths(root, id);
    await expect(fs.access(volatileMarker(work))).resolves.toBeUndefined();
    const again = await prepare();
    expect(again.mode).toBe('overlay');
    expect(await fs.readFile(join(again.path, 'top.txt'), 'utf8')).toBe('written\n');

    await releaseContainerRootfs(root, id);
    expect(await isMountPoint(again.path)).toBe(false);
  });

  it('copies the flattened layers when overlay is not used, with the same view', async () => {
    const dirs = image.layers.map((l) => layerPath(root, l.diffId));
    const target = join(root, 'copy-target');
    await copyLayers(dirs, target, special);
    await expect(fs.lstat(join(target, 'etc/gone'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await fs.readdir(join(target, 'opt'))).sort()).toEqual(['new']);
    expect(await fs.readFile(join(target, 'etc/keep'), 'utf8')).toBe('kept\n');
    await fs.rm(target, { recursive: true, force: true });
  });

  it('unpacks a layer once when several unpackers race', async () => {
    const storeRoot = await fs.mkdtemp(join(tmpdir(), 'vordr-rootfs-race-'));
    try {
      await writeFixtureImage(storeRoot, 'test/race:1', [BASE_LAYER]);
      const resolved = await resolveImage(storeRoot, 'test/race:1');
      const layer = resolved.layers[0]!;
      const dirs = await Promise.all(
        Array.from({ length: 4 }, () =>
          unpackLayer({
            root: storeRoot,
            layer,
            open: () => openBlob(storeRoot, layer.digest),
            special,
          }),
        ),
      );
      expect(new Set(dirs)).toEqual(new Set([layerPath(storeRoot, layer.diffId)]));
      // No temporary directory is left beside the layer.
      expect(await fs.readdir(join(storeRoot, 'cache', 'layers'))).toEqual([layer.diffId.slice(7)]);
    } finally {
      await fs.rm(storeRoot, { recursive: true, force: true });
    }
  });

  it('reports overlay support for info', async () => {
    expect(await probeRootfsMode(root)).toBe('overlay');
  });

  it('refuses a layer blob with one byte changed (MALFORMED_BUNDLE) and keeps nothing', async () => {
    const storeRoot = await fs.mkdtemp(join(tmpdir(), 'vordr-rootfs-tamper-'));
    try {
      const tampered = await writeFixtureImage(storeRoot, 'test/tampered:1', [BASE_LAYER]);
      const resolved = await resolveImage(storeRoot, 'test/tampered:1');
      const blob = await fs.readFile(tampered.layers[0]!.path);
      const at = blob.length - 10; // in the deflate data or the gzip trailer
      blob.writeUInt8(blob.readUInt8(at) ^ 0x01, at);
      await fs.writeFile(tampered.layers[0]!.path, blob);
      await expect(
        unpackLayer({
          root: storeRoot,
          layer: resolved.layers[0]!,
          open: () => openBlob(storeRoot, resolved.layers[0]!.digest),
          special,
        }),
      ).rejects.toMatchObject({ code: 'MALFORMED_BUNDLE' });
      expect(await fs.readdir(join(storeRoot, 'cache', 'layers'))).toEqual([]);
    } finally {
      await fs.rm(storeRoot, { recursive: true, force: true });
    }
  });

  it.each([
    ['a ../ member', [{ name: '../escape', content: 'x' }]],
    ['an absolute member', [{ name: '/etc/escape', content: 'x' }]],
    [
      'a member below a symlinked parent',
      [
        { name: 'out', type: 'symlink' as const, linkname: '/tmp' },
        { name: 'out/escape', content: 'x' },
      ],
    ],
    ['a hardlink out of the layer', [{ name: 'h', type: 'link' as const, linkname: '../x' }]],
  ])('refuses %s (MALFORMED_BUNDLE)', async (_what, members) => {
    const storeRoot = await fs.mkdtemp(join(tmpdir(), 'vordr-rootfs-escape-'));
    try {
      await writeFixtureImage(storeRoot, 'test/escape:1', [members]);
      const resolved = await resolveImage(storeRoot, 'test/escape:1');
      await expect(
        unpackLayer({
          root: storeRoot,
          layer: resolved.layers[0]!,
          open: () => openBlob(storeRoot, resolved.layers[0]!.digest),
          special,
        }),
      ).rejects.toMatchObject({ code: 'MALFORMED_BUNDLE' });
      expect(await fs.readdir(join(storeRoot, 'cache', 'layers'))).toEqual([]);
      await expect(fs.access('/tmp/escape')).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await fs.rm(storeRoot, { recursive: true, force: true });
    }
  });

  it('refuses device nodes (UNSUPPORTED)', async () => {
    const storeRoot = await fs.mkdtemp(join(tmpdir(), 'vordr-rootfs-dev-'));
    try {
      await writeFixtureImage(storeRoot, 'test/dev:1', [
        [{ name: 'dev/null', type: 'character-device' as const }],
      ]);
      const resolved = await resolveImage(storeRoot, 'test/dev:1');
      await expect(
        unpackLayer({
          root: storeRoot,
          layer: resolved.layers[0]!,
          open: () => openBlob(storeRoot, resolved.layers[0]!.digest),
          special,
        }),
      ).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    } finally {
      await fs.rm(storeRoot, { recursive: true, force: true });
    }
  });

  it('gives IMAGE_NOT_FOUND with the hint for an unknown tag', async () => {
    await expect(resolveImage(root, 'test/two-layers:2.0')).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
      hint: expect.stringContaining('vordr image load') as unknown,
    });
  });
});
