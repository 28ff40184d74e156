// SPDX-License-Identifier: Apache-2.0
// Resolving an image argument (01 §8) to one uniform view: manifest, blobs, bundle files.
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { VcError } from '@verified-container/shared';
import { bundleDirOf } from '../build/commit.js';
import type { Descriptor } from '../oci/media-types.js';
import { refNameOf } from '../store/oci-index.js';
import { OciLayoutStore, type BlobReader } from '../store/oci-layout-store.js';
import { bundleLayerOf, parseArtifactManifest } from './bundle-artifact.js';
import { extractPackage, type ExtractOptions } from './ctp-package.js';
import { BUNDLE_PATH, directoryBundle, memoryBundle, type ImageBundle } from './image-bundle.js';
import { parseImageArgument, type ImageArgument, type PathKind } from './image-argument.js';
import { annotatedRef, readImageManifest, type ImageManifest } from './image-manifest-reader.js';
import { LayoutBlobReader, openVerifiedBlob } from './layout-blob-reader.js';
import { parseLayoutIndex, selectLayoutImage, type LayoutIndexEntry } from './layout-index.js';

/** An image named on the command line, whatever its form; `close` releases what it holds. */
export interface ResolvedImage extends AsyncDisposable {
  readonly argument: ImageArgument;
  /**
   * `name:tag` of the image: the store tag, the layout's `ref.name`, else `title:version` from
   * the manifest annotations; undefined when none of them exists.
   */
  readonly ref: string | undefined;
  /** The image manifest's descriptor (digest = image digest). */
  readonly descriptor: Descriptor;
  readonly manifest: ImageManifest;
  /** Config and layer blobs (and the manifest's). */
  readonly blobs: BlobReader;
  /**
   * The bundle files: the store's `bundles/sha256-<hex>/`, a package's members other than
   * `oci-layout/`, or `attestations/bundle.json` from a layout's bundle artifact. Undefined when
   * the image has none.
   */
  readonly bundle: ImageBundle | undefined;
  close(): Promise<void>;
}

export interface OpenImageOptions {
  /** Relative paths are resolved against it. */
  readonly cwd: string;
  /** `$VC_ROOT`. */
  readonly root: string;
  /** Where a package is extracted (default: the OS temporary directory). */
  readonly tmpDir?: string;
  readonly packageLimits?: ExtractOptions['limits'];
}

/**
 * Resolves `name[:tag]`/`name@sha256:<hex>` in the store, a `.ctp` package (extracted into a
 * 0700 temporary directory until `close`), or `oci:<dir>[:<ref>]`. Not found → IMAGE_NOT_FOUND
 * (exit 1); unreadable or unsafe content → MALFORMED_BUNDLE.
 */
export async function openImage(text: string, opts: OpenImageOptions): Promise<ResolvedImage> {
  const argument = parseImageArgument(text, await pathKindOf(resolve(opts.cwd, text)));
  switch (argument.kind) {
    case 'store':
      return openStoreImage(argument, opts);
    case 'package':
      return openPackageImage(argument, opts);
    case 'layout':
      return openLayoutImage(argument, resolve(opts.cwd, argument.dir), {});
  }
}

async function openStoreImage(
  argument: ImageArgument & { kind: 'store' },
  opts: OpenImageOptions,
): Promise<ResolvedImage> {
  const store = new OciLayoutStore({ root: opts.root });
  const descriptor = await store.resolve(argument.text);
  const manifest = await readManifest(store, descriptor);
  const bundleDir = bundleDirOf(opts.root, descriptor.digest);
  const bundle =
    (await pathKindOf(bundleDir)) === 'directory' ? await readDir(bundleDir) : undefined;
  return resolved({
    argument,
    ref: refNameOf(descriptor) ?? annotatedRef(manifest),
    descriptor,
    manifest,
    blobs: store,
    bundle,
  });
}

async function openPackageImage(
  argument: ImageArgument & { kind: 'package' },
  opts: OpenImageOptions,
): Promise<ResolvedImage> {
  const pkg = await extractPackage(resolve(opts.cwd, argument.path), {
    display: argument.path,
    ...(opts.tmpDir !== undefined ? { tmpDir: opts.tmpDir } : {}),
    ...(opts.packageLimits !== undefined ? { limits: opts.packageLimits } : {}),
  });
  try {
    const layoutDir = join(pkg.dir, 'oci-layout');
    if ((await pathKindOf(layoutDir)) !== 'directory') {
      throw new VcError('MALFORMED_BUNDLE', `the package ${argument.path} has no oci-layout/`);
    }
    const image = await openLayoutImage(argument, layoutDir, {
      where: `${argument.path}: oci-layout`,
      bundle: await readDir(pkg.dir, ['oci-layout']),
      close: () => pkg.close(),
    });
    return image;
  } catch (err) {
    await pkg.close();
    throw err;
  }
}

async function openLayoutImage(
  argument: ImageArgument,
  dir: string,
  extra: { where?: string; bundle?: ImageBundle; close?: () => Promise<void> },
): Promise<ResolvedImage> {
  const where = extra.where ?? dir;
  if ((await pathKindOf(dir)) !== 'directory') {
    throw new VcError('IMAGE_NOT_FOUND', `there is no OCI image layout at ${dir}`, {
      hint: 'oci:<dir> names a directory holding oci-layout, index.json and blobs/',
    });
  }
  const entries = parseLayoutIndex(await readIndexFile(dir, where), where);
  const ref = argument.kind === 'layout' ? argument.ref : undefined;
  const descriptor = selectLayoutImage(entries, ref, where);
  const blobs = new LayoutBlobReader(dir);
  const manifest = await readManifest(blobs, descriptor);
  return resolved({
    argument,
    ref: ref ?? refNameOf(descriptor) ?? annotatedRef(manifest),
    descriptor,
    manifest,
    blobs,
    bundle: extra.bundle ?? (await bundleFromArtifacts(blobs, entries, descriptor)),
    ...(extra.close !== undefined ? { close: extra.close } : {}),
  });
}

/** `attestations/bundle.json` from the index's bundle artifact whose subject is the image. */
async function bundleFromArtifacts(
  blobs: LayoutBlobReader,
  entries: readonly LayoutIndexEntry[],
  image: Descriptor,
): Promise<ImageBundle | undefined> {
  for (const entry of entries) {
    if (entry.artifactType === undefined) continue;
    const d = entry.descriptor;
    const artifact = parseArtifactManifest(await blobs.readBlob(d.digest), `manifest ${d.digest}`);
    const layer = bundleLayerOf(artifact, image.digest);
    if (layer === undefined) continue;
    const chunks: Uint8Array[] = [];
    for await (const chunk of openVerifiedBlob(blobs, layer)) chunks.push(chunk);
    return memoryBundle([{ path: BUNDLE_PATH, bytes: Buffer.concat(chunks) }]);
  }
  return undefined;
}

async function readManifest(blobs: BlobReader, descriptor: Descriptor): Promise<ImageManifest> {
  const manifest = await readImageManifest(blobs, descriptor);
  if (manifest.bytes.byteLength !== descriptor.size) {
    throw new VcError(
      'MALFORMED_BUNDLE',
      `manifest ${descriptor.digest} has ${manifest.bytes.byteLength} bytes, its descriptor says ${descriptor.size}`,
    );
  }
  return manifest;
}

async function readIndexFile(dir: string, where: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(join(dir, 'index.json')));
  } catch (cause) {
    throw new VcError('MALFORMED_BUNDLE', `${where} has no readable index.json`, {
      cause,
      hint: `${where} must be an OCI image layout (oci-layout, index.json, blobs/)`,
    });
  }
}

async function readDir(dir: string, skip: readonly string[] = []): Promise<ImageBundle> {
  try {
    return await directoryBundle(dir, skip);
  } catch (cause) {
    throw new VcError('READ_FAILED', `cannot read the bundle directory ${dir}`, { cause });
  }
}

function resolved(
  fields: Omit<ResolvedImage, 'close' | typeof Symbol.asyncDispose> & {
    close?: () => Promise<void>;
  },
): ResolvedImage {
  const { close: release, ...rest } = fields;
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= release?.() ?? Promise.resolve());
  return { ...rest, close, [Symbol.asyncDispose]: close };
}

/** What is at `path`, following symlinks. */
export async function pathKindOf(path: string): Promise<PathKind> {
  try {
    const stat = await fs.stat(path);
    return stat.isDirectory() ? 'directory' : 'file';
  } catch {
    return 'none';
  }
}
