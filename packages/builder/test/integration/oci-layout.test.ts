// SPDX-License-Identifier: Apache-2.0
import { execFileSync, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileEntry } from '@verified-container/shared/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryContentStore } from '../../src/content/content-store.js';
import { buildImageConfig } from '../../src/oci/image-config.js';
import { buildImageManifest, toJsonBlob } from '../../src/oci/image-manifest.js';
import { applyLayer, diffLayers } from '../../src/oci/layer-diff.js';
import { CONFIG_MEDIA_TYPE, MANIFEST_MEDIA_TYPE } from '../../src/oci/media-types.js';
import type { Descriptor } from '../../src/oci/media-types.js';
import type { LayerInput } from '../../src/oci/plan-layer.js';
import { writeLayer, type PackedLayer } from '../../src/oci/tar-writer.js';
import { OciLayoutStore } from '../../src/store/oci-layout-store.js';
import { writeOciLayout } from '../../src/store/oci-layout-writer.js';

const has = (tool: string) => spawnSync(tool, ['--version']).status === 0;
const EPOCH = 1_700_000_000;
// The spec's ref name is `name:tag`; a name with '/' and the tag's ':' must both survive.
const NAME = 'cerro-torre/hello';
const TAG = '1.0';

const base: Omit<FileEntry, 'path'> = {
  type: 'd',
  mode: 0o755,
  uid: 0,
  gid: 0,
  size: 0,
  digest: '',
  mtime: EPOCH,
};
const table = (entries: FileEntry[]) => new Map(entries.map((e) => [e.path, e]));

describe.skipIf(!has('skopeo') || !has('umoci'))('OCI layout read by skopeo and umoci', () => {
  let work: string;
  let store: OciLayoutStore;
  let manifest: Descriptor;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ct-it-layout-'));
    store = new OciLayoutStore({ root: join(work, 'store') });
    // File contents come from the builder's content-addressed store through the ContentSource port.
    const content = new DirectoryContentStore(join(work, 'store', 'cache', 'build', 'content'));
    const file = async (
      path: string,
      text: string,
      extra: Partial<FileEntry> = {},
    ): Promise<FileEntry> => {
      const { digest, size } = await content.put(Buffer.from(text));
      return { ...base, path, type: 'f', mode: 0o644, size, digest, ...extra };
    };

    const lower = table([
      { ...base, path: '/etc' },
      { ...base, path: '/tmp', mode: 0o1777 },
      { ...base, path: '/usr' },
      { ...base, path: '/usr/bin' },
      { ...base, path: '/var' },
      { ...base, path: '/var/cache' },
      await file('/var/cache/old', 'stale\n'),
      await file('/etc/motd', 'built by cerro-torre\n', { uid: 1000, gid: 1000 }),
      await file('/etc/obsolete', 'remove me\n'),
      await file('/usr/bin/hello', '#!/bin/sh\necho hello\n', { mode: 0o755, inodeKey: 'i1' }),
      await file('/usr/bin/hi', '#!/bin/sh\necho hello\n', { mode: 0o755, inodeKey: 'i1' }),
      { ...base, path: '/bin', type: 'l', mode: 0o777, size: 7, linkTarget: 'usr/bin' },
    ]);
    const upper = new Map(lower);
    upper.delete('/etc/obsolete');
    upper.delete('/var/cache/old');
    upper.set('/var/cache/new', await file('/var/cache/new', 'fresh\n'));
    upper.set('/tmp/x', await file('/tmp/x', 'x\n'));
    const diff = diffLayers(lower, upper);
    expect(diff.whiteouts).toEqual(['/etc/obsolete']);
    expect(diff.opaqueDirs).toEqual(['/var/cache']);
    expect(applyLayer(lower, diff.entries, diff.whiteouts, diff.opaqueDirs)).toEqual(
      new Map([...upper].sort(([a], [b]) => (a < b ? -1 : 1))),
    );

    const pack = async (input: LayerInput, n: number): Promise<PackedLayer> => {
      const path = join(work, `layer-${n}.tar.gz`);
      const layer = await writeLayer(
        input,
        { content, sourceDateEpoch: EPOCH },
        createWriteStream(path),
      );
      await store.putBlob(readFileSync(path), { digest: layer.digest, size: layer.size });
      return layer;
    };
    const layers = [
      await pack({ entries: [...lower.values()] }, 1),
      await pack({ ...diff, tree: upper }, 2),
    ];
    const config = toJsonBlob(
      buildImageConfig({
        architecture: 'amd64',
        sourceDateEpoch: EPOCH,
        author: 'Test <test@example.org>',
        cmd: ['/usr/bin/hello'],
        labels: { 'org.opencontainers.image.title': NAME },
        layers: [
          { diffId: layers[0]!.diffId, origin: { kind: 'packages', count: 1 } },
          { diffId: layers[1]!.diffId, origin: { kind: 'steps', count: 2 } },
        ],
      }),
      CONFIG_MEDIA_TYPE,
    );
    await store.putBlob(config.bytes);
    const m = toJsonBlob(
      buildImageManifest({
        config: config.descriptor,
        layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
        sourceDateEpoch: EPOCH,
        title: NAME,
        version: TAG,
      }),
      MANIFEST_MEDIA_TYPE,
    );
    await store.putBlob(m.bytes);
    manifest = m.descriptor;
    await store.tag(`${NAME}:${TAG}`, manifest);
    await writeOciLayout(join(work, 'export'), store, [{ ref: `${NAME}:${TAG}`, manifest }]);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  for (const layout of ['store/images', 'export']) {
    it(`skopeo inspect oci:${layout}:name:tag reads the image`, () => {
      const out = execFileSync('skopeo', ['inspect', `oci:${join(work, layout)}:${NAME}:${TAG}`]);
      const info = JSON.parse(out.toString('utf8'));
      expect(info).toMatchObject({
        Digest: manifest.digest,
        Architecture: 'amd64',
        Os: 'linux',
        Created: '2023-11-14T22:13:20Z',
        Labels: { 'org.opencontainers.image.title': NAME },
      });
      expect(info.Layers).toHaveLength(2);
    });

    it(`umoci unpack ${layout}:name:tag applies both layers`, () => {
      const bundle = join(work, `bundle-${layout.replace('/', '-')}`);
      const rootless = process.getuid?.() === 0 ? [] : ['--rootless'];
      const image = `${join(work, layout)}:${NAME}:${TAG}`;
      execFileSync('umoci', ['unpack', ...rootless, '--image', image, bundle]);
      const rootfs = join(bundle, 'rootfs');
      expect(readFileSync(join(rootfs, 'etc/motd'), 'utf8')).toBe('built by cerro-torre\n');
      expect(existsSync(join(rootfs, 'etc/obsolete'))).toBe(false);
      expect(readdirSync(join(rootfs, 'var/cache'))).toEqual(['new']);
      expect(readdirSync(join(rootfs, 'etc')).some((n) => n.startsWith('.wh.'))).toBe(false);
      expect(statSync(join(rootfs, 'usr/bin/hello')).mode & 0o7777).toBe(0o755);
      expect(statSync(join(rootfs, 'usr/bin/hi')).ino).toBe(
        statSync(join(rootfs, 'usr/bin/hello')).ino,
      );
      // The second layer re-emits /tmp as a parent of /tmp/x with its real mode, not 0755.
      expect(statSync(join(rootfs, 'tmp')).mode & 0o7777).toBe(0o1777);
      expect(readlinkSync(join(rootfs, 'bin'))).toBe('usr/bin');
      if (rootless.length === 0) expect(statSync(join(rootfs, 'etc/motd')).uid).toBe(1000);
      const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
      expect(config.process.args).toEqual(['/usr/bin/hello']);
    });
  }
});
