// SPDX-License-Identifier: Apache-2.0
// Tiny OCI images written straight into a store's layout ($VC_ROOT/images), as cerro-torre lays
// them out: blobs/sha256/<hex>, index.json with org.opencontainers.image.ref.name = name:tag.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack as tarPack, type Header } from 'tar-stream';

/** One tar member of a fixture layer. */
export interface FixtureMember {
  readonly name: string;
  readonly type?: Header['type'];
  readonly content?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly linkname?: string;
  readonly mtime?: Date;
  readonly pax?: Record<string, string>;
}

export interface FixtureLayer {
  readonly digest: string;
  readonly diffId: string;
  readonly size: number;
  /** The blob file in the layout. */
  readonly path: string;
}

export interface FixtureImage {
  readonly digest: string;
  readonly layers: readonly FixtureLayer[];
}

export const FIXTURE_MTIME = new Date('2024-01-02T03:04:05Z');

/** An uncompressed tar of `members`. */
export async function tarOf(members: readonly FixtureMember[]): Promise<Uint8Array> {
  const pack = tarPack();
  const chunks: Buffer[] = [];
  pack.on('data', (c) => {
    chunks.push(c as Buffer);
  });
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const m of members) {
    const type = m.type ?? 'file';
    const header = {
      name: m.name,
      type,
      mode: m.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: m.uid ?? 0,
      gid: m.gid ?? 0,
      mtime: m.mtime ?? FIXTURE_MTIME,
      ...(m.linkname !== undefined ? { linkname: m.linkname } : {}),
      ...(m.pax !== undefined ? { pax: m.pax } : {}),
    } as Header;
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, m.content ?? '', cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function putBlob(images: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  const dir = join(images, 'blobs', 'sha256');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(join(dir, digest.slice(7)), bytes);
  return digest;
}

/**
 * Writes an image of gzip'd layers (bottom-up) into `<root>/images` and tags it `ref`
 * (`name:tag`); an existing index.json keeps its other tags.
 */
export async function writeFixtureImage(
  root: string,
  ref: string,
  layers: readonly (readonly FixtureMember[])[],
): Promise<FixtureImage> {
  const images = join(root, 'images');
  await fs.mkdir(images, { recursive: true });
  await fs.writeFile(join(images, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const written: FixtureLayer[] = [];
  for (const members of layers) {
    const tar = await tarOf(members);
    const blob = gzipSync(tar);
    const digest = await putBlob(images, blob);
    written.push({
      digest,
      diffId: sha256(tar),
      size: blob.length,
      path: join(images, 'blobs', 'sha256', digest.slice(7)),
    });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: written.map((l) => l.diffId) },
    }),
  );
  const configDigest = await putBlob(images, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: written.map((l) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: l.digest,
        size: l.size,
      })),
      annotations: { 'org.opencontainers.image.created': '2024-01-02T03:04:05Z' },
    }),
  );
  const digest = await putBlob(images, manifest);
  const indexPath = join(images, 'index.json');
  const old = await fs
    .readFile(indexPath, 'utf8')
    .then((t) => JSON.parse(t) as { manifests: { annotations?: Record<string, string> }[] })
    .catch(() => ({ manifests: [] }));
  const others = old.manifests.filter(
    (d) => d.annotations?.['org.opencontainers.image.ref.name'] !== ref,
  );
  await fs.writeFile(
    indexPath,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        ...others,
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': ref },
        },
      ],
    }),
  );
  return { digest, layers: written };
}
