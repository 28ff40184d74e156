// SPDX-License-Identifier: Apache-2.0
// The writes `image load` and `image rm` make to the store's image layout, byte for byte what
// cerro-torre's commit writes (00 §4, §4.1): index.json as JCS with tagged descriptors sorted by
// ref name, blobs renamed in after their digest is checked, bundle directories swapped whole.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { VcError } from '@verified-container/shared';
import { canonicalBytes } from '@verified-container/shared/json';
import {
  INDEX_MEDIA_TYPE,
  OCI_LAYOUT_JSON,
  refNameOf,
  type Descriptor,
  type OciIndex,
} from '@verified-container/shared/oci';
import { writeFileAtomic } from '../store/atomic-file.js';
import { vordrPaths } from '../store/vordr-paths.js';

/** `bundles/sha256-<hex>` of an image digest. */
export function bundleDirOf(root: string, imageDigest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(imageDigest);
  if (match === null) throw new VcError('INTERNAL', `not a sha256 digest: ${imageDigest}`);
  return join(vordrPaths(root).bundles, `sha256-${match[1]!}`);
}

/** `store.json` (00 §4): created when missing; an unknown version → STATE_CORRUPT. */
export async function ensureStoreFile(root: string): Promise<void> {
  const path = join(root, 'store.json');
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new VcError('READ_FAILED', `cannot read ${path}`, { cause });
    }
    await fs.mkdir(root, { recursive: true, mode: 0o755 });
    await writeFileAtomic(path, `${JSON.stringify({ version: 1 })}\n`);
    return;
  }
  let version: unknown;
  try {
    version = (JSON.parse(text) as { version?: unknown }).version;
  } catch (cause) {
    throw new VcError('STATE_CORRUPT', `${path} is not valid JSON`, { cause });
  }
  if (version !== 1) {
    throw new VcError(
      'STATE_CORRUPT',
      `${path}: unknown store version ${JSON.stringify(version)}`,
      {
        hint: 'use a newer vordr, or another VC_ROOT',
      },
    );
  }
}

/**
 * Replaces `images/index.json` atomically with JCS bytes (untagged descriptors first, tagged ones
 * sorted by ref name) and writes `images/oci-layout` when missing.
 */
export async function writeStoreIndex(root: string, index: OciIndex): Promise<void> {
  const dir = vordrPaths(root).images;
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  try {
    await fs.access(join(dir, 'oci-layout'));
  } catch {
    await writeFileAtomic(join(dir, 'oci-layout'), canonicalBytes(OCI_LAYOUT_JSON));
  }
  const untagged = index.manifests.filter((d) => refNameOf(d) === undefined);
  const tagged = index.manifests
    .filter((d) => refNameOf(d) !== undefined)
    .sort((a, b) => (refNameOf(a)! < refNameOf(b)! ? -1 : 1));
  const body = {
    schemaVersion: 2,
    mediaType: INDEX_MEDIA_TYPE,
    manifests: [...untagged, ...tagged],
    ...(index.annotations !== undefined ? { annotations: index.annotations } : {}),
  };
  await writeFileAtomic(join(dir, 'index.json'), canonicalBytes(body));
}

/**
 * Copies the file `from` into the store as the blob `d` (00 §4.1): written under a temporary
 * name, fsync'd, its sha256 and size checked, renamed to `blobs/sha256/<hex>`. A blob already
 * stored with that size is kept. A mismatch → MALFORMED_BUNDLE and nothing is kept.
 */
export async function storeBlobFile(root: string, from: string, d: Descriptor): Promise<void> {
  const match = /^sha256:([0-9a-f]{64})$/.exec(d.digest);
  if (match === null) throw new VcError('MALFORMED_BUNDLE', `not a sha256 digest: ${d.digest}`);
  const images = vordrPaths(root).images;
  const dir = join(images, 'blobs', 'sha256');
  const final = join(dir, match[1]!);
  const existing = await fs.stat(final).catch(() => null);
  if (existing?.isFile() === true && existing.size === d.size) return;
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  const tmp = join(images, `.tmp-${randomBytes(8).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      createReadStream(from),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(tmp, { flags: 'wx', mode: 0o644 }),
    );
    await syncPath(tmp);
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== d.digest || size !== d.size) {
      throw new VcError('MALFORMED_BUNDLE', `blob ${d.digest} has the digest ${actual}`);
    }
    await fs.rename(tmp, final);
    await syncPath(dir);
  } catch (cause) {
    await fs.rm(tmp, { force: true });
    if (cause instanceof VcError) throw cause;
    throw new VcError('WRITE_FAILED', `cannot store blob ${d.digest}`, { cause });
  }
}

/** A file of a bundle directory: its path relative to it, and where its bytes are now. */
export interface BundleSourceFile {
  readonly path: string;
  readonly from: string;
}

/**
 * Replaces `bundles/sha256-<hex>/` with `files` (directories 0755, files 0644), staged beside it
 * and renamed into place, so readers see the old or the new bundle. The caller holds `images`.
 */
export async function replaceBundleDir(
  root: string,
  imageDigest: string,
  files: readonly BundleSourceFile[],
): Promise<void> {
  const bundles = vordrPaths(root).bundles;
  const target = bundleDirOf(root, imageDigest);
  await fs.mkdir(bundles, { recursive: true, mode: 0o755 });
  const staged = join(bundles, `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    for (const f of files) {
      const path = join(staged, ...f.path.split('/'));
      await fs.mkdir(dirname(path), { recursive: true, mode: 0o755 });
      await fs.copyFile(f.from, path);
      await fs.chmod(path, 0o644);
    }
    await fs.mkdir(staged, { recursive: true, mode: 0o755 });
    await fs.chmod(staged, 0o755);
    const old = join(bundles, `.old-${randomBytes(6).toString('hex')}`);
    const had = await fs
      .rename(target, old)
      .then(() => true)
      .catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return false;
        throw err;
      });
    await fs.rename(staged, target);
    if (had) await fs.rm(old, { recursive: true, force: true });
  } catch (cause) {
    await fs.rm(staged, { recursive: true, force: true });
    throw new VcError('WRITE_FAILED', `cannot write the bundle directory ${target}`, { cause });
  }
}

async function syncPath(path: string): Promise<void> {
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
