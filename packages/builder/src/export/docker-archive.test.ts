// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { diffIdsOf, dockerArchiveLayout } from './docker-archive.js';

const hex = (c: string) => c.repeat(64);
const json = (bytes: Uint8Array): ReturnType<typeof JSON.parse> =>
  JSON.parse(Buffer.from(bytes).toString('utf8'));

describe('dockerArchiveLayout', () => {
  it('writes manifest.json as [{Config, RepoTags, Layers}] with <diffid>/layer.tar paths', () => {
    const layout = dockerArchiveLayout({
      repoTag: 'example/hello:1.0.0',
      configDigest: `sha256:${hex('c')}`,
      diffIds: [`sha256:${hex('1')}`, `sha256:${hex('2')}`],
    });
    expect(layout.configPath).toBe(`${hex('c')}.json`);
    expect(layout.layerPaths).toEqual([`${hex('1')}/layer.tar`, `${hex('2')}/layer.tar`]);
    const text = Buffer.from(layout.manifestJson).toString('utf8');
    // Key order as docker save writes it.
    expect(text).toBe(
      `[{"Config":"${hex('c')}.json","RepoTags":["example/hello:1.0.0"],"Layers":["${hex('1')}/layer.tar","${hex('2')}/layer.tar"]}]\n`,
    );
  });

  it('points repositories at the top layer, by name and tag', () => {
    const layout = dockerArchiveLayout({
      repoTag: 'localhost:5000/hello:latest',
      configDigest: `sha256:${hex('c')}`,
      diffIds: [`sha256:${hex('1')}`, `sha256:${hex('2')}`],
    });
    expect(json(layout.repositories)).toEqual({
      'localhost:5000/hello': { latest: hex('2') },
    });
  });

  it('repeats a layer path when a diffId repeats, and has no repositories entry without layers', () => {
    const twice = dockerArchiveLayout({
      repoTag: 'a:1',
      configDigest: `sha256:${hex('c')}`,
      diffIds: [`sha256:${hex('1')}`, `sha256:${hex('1')}`],
    });
    expect(twice.layerPaths).toEqual([`${hex('1')}/layer.tar`, `${hex('1')}/layer.tar`]);
    const empty = dockerArchiveLayout({
      repoTag: 'a:1',
      configDigest: `sha256:${hex('c')}`,
      diffIds: [],
    });
    expect(json(empty.manifestJson)).toEqual([
      { Config: `${hex('c')}.json`, RepoTags: ['a:1'], Layers: [] },
    ]);
    expect(json(empty.repositories)).toEqual({});
  });
});

describe('diffIdsOf', () => {
  it('reads rootfs.diff_ids', () => {
    const config = Buffer.from(
      JSON.stringify({ rootfs: { type: 'layers', diff_ids: [`sha256:${hex('1')}`] } }),
    );
    expect(diffIdsOf(config, 'c')).toEqual([`sha256:${hex('1')}`]);
  });

  it('is MALFORMED_BUNDLE without valid diff_ids', () => {
    for (const text of ['nope', '{}', '{"rootfs":{"diff_ids":["md5:x"]}}']) {
      expect(() => diffIdsOf(Buffer.from(text), 'c')).toThrow(
        expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
      );
    }
  });
});
