// SPDX-License-Identifier: Apache-2.0
// Commit of a build (01 §6.1): blobs into the store, then tags and the bundle directory under the
// `images` lock, then the --out files. Nothing before this touches the store or --out.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { VcError } from '@verified-container/shared';
import { canonicalBytes } from '@verified-container/shared/json';
import { ensureDirectory, writeFileAtomic } from '../io/files.js';
import { INDEX_MEDIA_TYPE, REF_NAME_ANNOTATION, type Descriptor } from '../oci/media-types.js';
import { withLock } from '../store/locks.js';
import { readIndex, refNameOf, writeIndex, OCI_LAYOUT_JSON } from '../store/oci-index.js';
import type { OciLayoutStore } from '../store/oci-layout-store.js';
import type { PackedLayer } from '../oci/tar-writer.js';
import type { OutFiles } from './out-files.js';
import { writePackageArchive, writeStreamAtomic, type PackageMember } from './package-archive.js';
import type { WorkDir } from './work-dir.js';

/** `bundles/sha256-<hex>` of an image digest. */
export function bundleDirOf(root: string, imageDigest: string): string {
  return join(root, 'bundles', `sha256-${imageDigest.replace(/^sha256:/, '')}`);
}

/** `store.json` (00 §4): created when missing; an unknown major → STATE_CORRUPT. */
export async function ensureStoreFile(root: string): Promise<void> {
  const path = join(root, 'store.json');
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new VcError('READ_FAILED', `cannot read ${path}`, { cause: err });
    }
    await ensureDirectory(root);
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
        hint: 'use a newer cerro-torre, or another VC_ROOT',
      },
    );
  }
}

/**
 * Moves packed layers from the work directory into the store's blobs (a rename: they were hashed
 * as they were written) and stores the JSON blobs. Blobs already stored are kept.
 */
export async function commitBlobs(
  store: OciLayoutStore,
  work: WorkDir,
  layers: readonly Pick<PackedLayer, 'digest' | 'size'>[],
  jsonBlobs: readonly { bytes: Uint8Array; descriptor: Descriptor }[],
): Promise<void> {
  await ensureDirectory(join(store.dir, 'blobs', 'sha256'));
  for (const layer of layers) {
    if (await store.hasBlob(layer.digest)) continue;
    const from = work.blobPath(layer.digest);
    try {
      await fs.rename(from, store.blobPath(layer.digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await store.putBlob(createReadStream(from), layer);
    }
  }
  for (const blob of jsonBlobs) await store.putBlob(blob.bytes, blob.descriptor);
}

/** A file of a bundle directory, relative to it. */
export interface BundleFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/**
 * Under the `images` lock: replaces `bundles/sha256-<hex>/` with `files` (when given; a cached
 * build keeps the stored bundle) and points every ref of `refs` at the manifest. index.json and the
 * bundle directory are each replaced atomically.
 */
export async function commitTagsAndBundle(
  root: string,
  store: OciLayoutStore,
  work: WorkDir,
  manifest: Descriptor,
  refs: readonly string[],
  files: readonly BundleFile[] | undefined,
): Promise<string> {
  const bundleDir = bundleDirOf(root, manifest.digest);
  let staged: string | undefined;
  if (files !== undefined) {
    staged = join(work.path, 'bundle');
    for (const f of files) {
      const path = join(staged, ...f.path.split('/'));
      await ensureDirectory(join(path, '..'));
      await fs.writeFile(path, f.bytes, { mode: 0o644 });
    }
  }
  await ensureDirectory(join(root, 'bundles'));
  await withLock(root, 'images', async () => {
    if (staged !== undefined) {
      const old = join(root, 'bundles', `.old-${randomBytes(6).toString('hex')}`);
      const had = await fs
        .rename(bundleDir, old)
        .then(() => true)
        .catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return false;
          throw err;
        });
      await fs.rename(staged, bundleDir);
      if (had) await fs.rm(old, { recursive: true, force: true });
    }
    const index = await readIndex(store.dir);
    const names = new Set(refs);
    const kept = index.manifests.filter((d) => !names.has(refNameOf(d) ?? ''));
    const tagged = refs.map((ref) => ({
      mediaType: manifest.mediaType,
      digest: manifest.digest,
      size: manifest.size,
      annotations: { [REF_NAME_ANNOTATION]: ref },
    }));
    await writeIndex(store.dir, { ...index, manifests: [...kept, ...tagged] });
  });
  return bundleDir;
}

/** Every file of a bundle directory, sorted by path. */
export async function readBundleDir(dir: string): Promise<BundleFile[]> {
  const out: BundleFile[] = [];
  const walk = async (d: string) => {
    for (const ent of await fs.readdir(d, { withFileTypes: true })) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) await walk(p);
      else if (ent.isFile()) {
        out.push({ path: relative(dir, p).split(sep).join('/'), bytes: await fs.readFile(p) });
      }
    }
  };
  try {
    await walk(dir);
  } catch (cause) {
    throw new VcError('STATE_CORRUPT', `cannot read the bundle directory ${dir}`, {
      cause,
      hint: 'rebuild with --no-cache',
    });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Writes the `.ctp` through a cache keyed by its members and epoch: the same members give the same
 * bytes, so an unchanged build copies the packed file instead of compressing the layers again.
 */
async function writeCachedPackage(
  path: string,
  members: readonly PackageMember[],
  sourceDateEpoch: number,
  cacheDir: string,
): Promise<void> {
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        sourceDateEpoch,
        members: members.map((m) =>
          'bytes' in m
            ? [m.path, createHash('sha256').update(m.bytes).digest('hex')]
            : [m.path, m.sha256, m.size],
        ),
      }),
    )
    .digest('hex');
  const cached = join(cacheDir, `${key}.ctp`);
  if (!(await fileExists(cached))) {
    await ensureDirectory(cacheDir);
    await writePackageArchive(cached, members, sourceDateEpoch);
  }
  await writeStreamAtomic(path, (sink) => pipeline(createReadStream(cached), sink));
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The --out files (01 §9) from what the store holds: the `.ctp` (the bundle directory plus an
 * `oci-layout/` with exactly this image), and copies of the bundle, SBOM and provenance, each
 * written atomically.
 */
export async function writeOutFiles(input: {
  readonly store: OciLayoutStore;
  readonly bundleDir: string;
  readonly manifest: Descriptor;
  /** Config and layer descriptors of the image. */
  readonly blobs: readonly Descriptor[];
  /** `name:version`. */
  readonly ref: string;
  readonly out: OutFiles;
  readonly sourceDateEpoch: number;
  /** Where packed `.ctp` files are kept by content (`$VC_ROOT/cache/build/ctp`). */
  readonly cacheDir: string;
}): Promise<void> {
  const files = await readBundleDir(input.bundleDir);
  const byPath = new Map(files.map((f) => [f.path, f.bytes]));
  const index = canonicalBytes({
    schemaVersion: 2,
    mediaType: INDEX_MEDIA_TYPE,
    manifests: [
      {
        mediaType: input.manifest.mediaType,
        digest: input.manifest.digest,
        size: input.manifest.size,
        annotations: { [REF_NAME_ANNOTATION]: input.ref },
      },
    ],
  });
  const seen = new Set<string>();
  const blobMembers: PackageMember[] = [];
  for (const d of [input.manifest, ...input.blobs]) {
    if (seen.has(d.digest)) continue;
    seen.add(d.digest);
    blobMembers.push({
      path: `oci-layout/blobs/sha256/${d.digest.slice('sha256:'.length)}`,
      sha256: d.digest.slice('sha256:'.length),
      size: d.size,
      open: () => input.store.openBlob(d.digest),
    });
  }
  const members: PackageMember[] = [
    ...files.map((f) => ({ path: f.path, bytes: f.bytes })),
    { path: 'oci-layout/oci-layout', bytes: canonicalBytes(OCI_LAYOUT_JSON) },
    { path: 'oci-layout/index.json', bytes: index },
    ...blobMembers,
  ];
  await ensureDirectory(join(input.out.package, '..'));
  await writeCachedPackage(input.out.package, members, input.sourceDateEpoch, input.cacheDir);
  const copy = async (member: string, to: string) => {
    const bytes = byPath.get(member);
    if (bytes === undefined) {
      throw new VcError('STATE_CORRUPT', `${input.bundleDir} has no ${member}`, {
        hint: 'rebuild with --no-cache',
      });
    }
    await writeFileAtomic(to, bytes);
  };
  await copy('attestations/bundle.json', input.out.bundle);
  await copy('attestations/sbom.spdx.json', input.out.sbom);
  await copy('attestations/provenance.json', input.out.provenance);
}
