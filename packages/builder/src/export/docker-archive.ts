// SPDX-License-Identifier: Apache-2.0
// `export --format docker-archive` (01 §8): the tar `docker load` and `podman load` read.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { VcError } from '@verified-container/shared';
import { parseJson, type JsonValue } from '@verified-container/shared/json';
import type { PackageMember } from '../build/package-archive.js';
import type { BuildProgress } from '../build/progress.js';
import { layerCompression, type ImageManifest } from '../image-arg/image-manifest-reader.js';
import { openVerifiedBlob } from '../image-arg/layout-blob-reader.js';
import type { Descriptor } from '../oci/media-types.js';
import type { BlobReader } from '../store/oci-layout-store.js';
import { withProgress } from './blob-progress.js';
import { writeTarFile } from './tar-file.js';

/** The `manifest.json` and `repositories` of a docker-archive, and where its files go. */
export interface DockerArchiveLayout {
  /** `[{Config, RepoTags, Layers}]`. */
  readonly manifestJson: Uint8Array;
  /** `{<name>: {<tag>: <top layer id>}}` (the legacy file older loaders look for). */
  readonly repositories: Uint8Array;
  /** `<config hex>.json`. */
  readonly configPath: string;
  /** `<diffid hex>/layer.tar`, one per layer, bottom-up (repeated when a diffId repeats). */
  readonly layerPaths: readonly string[];
}

/**
 * The docker-archive layout of an image tagged `repoTag` (`name:tag`): the config as
 * `<config hex>.json`, each layer as `<diffid hex>/layer.tar` (the uncompressed tar, so its id is
 * its diffId), and the top layer's id in `repositories`. Pure.
 */
export function dockerArchiveLayout(input: {
  readonly repoTag: string;
  readonly configDigest: string;
  readonly diffIds: readonly string[];
}): DockerArchiveLayout {
  const configPath = `${hexOf(input.configDigest)}.json`;
  const layerPaths = input.diffIds.map((d) => `${hexOf(d)}/layer.tar`);
  const colon = input.repoTag.lastIndexOf(':');
  const name = input.repoTag.slice(0, colon);
  const tag = input.repoTag.slice(colon + 1);
  const top = input.diffIds[input.diffIds.length - 1];
  const encode = (v: unknown) => Buffer.from(`${JSON.stringify(v)}\n`);
  return {
    manifestJson: encode([{ Config: configPath, RepoTags: [input.repoTag], Layers: layerPaths }]),
    repositories: encode(top === undefined ? {} : { [name]: { [tag]: hexOf(top) } }),
    configPath,
    layerPaths,
  };
}

/** `rootfs.diff_ids` of an image config; missing or malformed → MALFORMED_BUNDLE. Pure. */
export function diffIdsOf(configBytes: Uint8Array, digest: string): string[] {
  let value: JsonValue;
  try {
    value = parseJson(configBytes, { mode: 'strict', integersOnly: true });
  } catch (cause) {
    throw new VcError('MALFORMED_BUNDLE', `config ${digest} is not valid JSON`, { cause });
  }
  const rootfs =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? value['rootfs']
      : undefined;
  const diffIds =
    typeof rootfs === 'object' && rootfs !== null && !Array.isArray(rootfs)
      ? rootfs['diff_ids']
      : undefined;
  if (
    !Array.isArray(diffIds) ||
    !diffIds.every((d): d is string => typeof d === 'string' && /^sha256:[0-9a-f]{64}$/.test(d))
  ) {
    throw new VcError('MALFORMED_BUNDLE', `config ${digest} has no valid rootfs.diff_ids`);
  }
  return diffIds;
}

export interface DockerArchiveInput {
  /** `name:tag` for `RepoTags`. */
  readonly repoTag: string;
  readonly manifest: Pick<ImageManifest, 'config' | 'layers'>;
  readonly blobs: BlobReader;
  /** An empty directory on the output's file system for the uncompressed layers. */
  readonly scratchDir: string;
  /** mtime of every member (the image's epoch). */
  readonly sourceDateEpoch: number;
  readonly progress: BuildProgress;
}

/**
 * Writes the docker-archive to `path` (atomically): each layer is decompressed once into the
 * scratch directory, its blob digest and its diffId checked while it streams
 * (MALFORMED_BUNDLE on a mismatch), then everything is archived by the §6.3 tar writer.
 */
export async function writeDockerArchive(path: string, input: DockerArchiveInput): Promise<void> {
  const { manifest, blobs } = input;
  const configBytes = await blobs.readBlob(manifest.config.digest);
  const diffIds = diffIdsOf(configBytes, manifest.config.digest);
  if (diffIds.length !== manifest.layers.length) {
    throw new VcError(
      'MALFORMED_BUNDLE',
      `config ${manifest.config.digest} lists ${diffIds.length} diff_ids for ${manifest.layers.length} layers`,
    );
  }
  const layout = dockerArchiveLayout({
    repoTag: input.repoTag,
    configDigest: manifest.config.digest,
    diffIds,
  });
  const members: PackageMember[] = [
    { path: layout.configPath, bytes: configBytes },
    { path: 'manifest.json', bytes: layout.manifestJson },
    { path: 'repositories', bytes: layout.repositories },
  ];
  const done = new Set<string>();
  for (const [i, layer] of manifest.layers.entries()) {
    const diffId = diffIds[i] as string;
    if (done.has(diffId)) continue;
    done.add(diffId);
    const file = join(input.scratchDir, hexOf(diffId));
    const size = await uncompressLayer(blobs, layer, diffId, file, input.progress);
    members.push({
      path: layout.layerPaths[i] as string,
      sha256: hexOf(diffId),
      size,
      open: () => createReadStream(file),
    });
  }
  await writeTarFile(path, members, input.sourceDateEpoch);
}

/** Decompresses one layer blob into `file`; returns the tar's size. */
async function uncompressLayer(
  blobs: BlobReader,
  layer: Descriptor,
  diffId: string,
  file: string,
  progress: BuildProgress,
): Promise<number> {
  const hash = createHash('sha256');
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.byteLength;
      done(null, chunk);
    },
  });
  const source = Readable.from(
    withProgress(
      openVerifiedBlob(blobs, layer),
      `uncompress layer ${layer.digest.slice(0, 19)}`,
      layer.size,
      progress,
    ),
  );
  const sink = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  try {
    if (layerCompression(layer) === 'gzip') {
      await pipeline(source, createGunzip(), count, sink);
    } else {
      await pipeline(source, count, sink);
    }
  } catch (err) {
    await fs.rm(file, { force: true });
    if (err instanceof VcError) throw err;
    // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR on truncation) are about the blob; others are ours.
    if (String((err as NodeJS.ErrnoException).code ?? '').startsWith('Z_')) {
      throw new VcError(
        'MALFORMED_BUNDLE',
        `layer ${layer.digest} cannot be decompressed: ${(err as Error).message}`,
        { cause: err },
      );
    }
    throw new VcError('WRITE_FAILED', `cannot write ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== diffId) {
    throw new VcError(
      'MALFORMED_BUNDLE',
      `layer ${layer.digest} uncompresses to ${actual}, but the config says diffId ${diffId}`,
    );
  }
  return size;
}

function hexOf(digest: string): string {
  return digest.slice('sha256:'.length);
}
