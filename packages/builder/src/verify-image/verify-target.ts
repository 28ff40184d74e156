// SPDX-License-Identifier: Apache-2.0
// What `cerro-torre verify <target>` verifies (04 §1): a store image, a `.ctp` package or an
// `oci:<dir>[:ref]` layout, read into the values the pure algorithm takes (steps 1 and 5 here).
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { VcError, isVcError, type Problem } from '@verified-container/shared';
import type { ImageEvidence } from '@verified-container/shared/verify';
import { bundleDirOf } from '../build/commit.js';
import { sourceMembers } from '../build/out-files.js';
import { extractPackage, type ExtractedPackage } from '../image-arg/ctp-package.js';
import {
  BUNDLE_PATH,
  PACKAGE_MANIFEST_PATH,
  directoryBundle,
  type ImageBundle,
} from '../image-arg/image-bundle.js';
import { parseImageArgument, type ImageArgument } from '../image-arg/image-argument.js';
import { LayoutBlobReader } from '../image-arg/layout-blob-reader.js';
import { parseLayoutIndex, selectLayoutImage } from '../image-arg/layout-index.js';
import { openImage, pathKindOf } from '../image-arg/open-image.js';
import type { Descriptor } from '../oci/media-types.js';
import { refNameOf } from '../store/oci-index.js';
import { OciLayoutStore } from '../store/oci-layout-store.js';
import { checkImageBlobs, type LayoutCheck } from './layout-check.js';
import { readPackageMetadata, type PackageMetadata } from './package-metadata.js';

/** A verification target, read; `close` removes an extracted package. */
export interface VerifyTarget extends AsyncDisposable {
  readonly argument: ImageArgument;
  /** `name:tag` for the header line: the store tag, `name:version`, the layout ref, else the text. */
  readonly ref: string;
  /** The bundle bytes; undefined when the image has none (step 2). */
  readonly bundleBytes: Uint8Array | undefined;
  /** Steps 1 and 5 as values for the pure algorithm. */
  readonly evidence: ImageEvidence;
  /** The layout's config digest and diff_ids, for `--rebuild` (04 §7). */
  readonly layout: LayoutCheck | undefined;
  /** The bundle files (manifest.toml, attestations/, source/); undefined without any. */
  readonly files: ImageBundle | undefined;
  /** `source/<n>.ctp` and its bytes, when the package or store bundle has one. */
  readonly manifest: { readonly path: string; readonly bytes: Uint8Array } | undefined;
  close(): Promise<void>;
}

export interface OpenTargetOptions {
  readonly cwd: string;
  /** `$VC_ROOT`. */
  readonly root: string;
  /** Where a package is extracted (default: the OS temporary directory). */
  readonly tmpDir?: string;
}

/**
 * Reads a target: a `.ctp` is extracted (its read problems are step 1's), the layout's index,
 * manifest, config and layer blobs are checked (step 5's problems), and the bundle, the package
 * metadata and the source manifest are read. A store image that is not there is IMAGE_NOT_FOUND
 * (a setup error, no decision).
 */
export async function openVerifyTarget(
  text: string,
  opts: OpenTargetOptions,
): Promise<VerifyTarget> {
  const argument = parseImageArgument(text, await pathKindOf(resolve(opts.cwd, text)));
  switch (argument.kind) {
    case 'store':
      return openStoreTarget(argument, opts);
    case 'package':
      return openPackageTarget(argument, opts);
    case 'layout':
      return openLayoutTarget(argument, opts);
  }
}

async function openStoreTarget(
  argument: ImageArgument & { kind: 'store' },
  opts: OpenTargetOptions,
): Promise<VerifyTarget> {
  const store = new OciLayoutStore({ root: opts.root });
  const descriptor = await store.resolve(argument.text);
  const layout = await checkImageBlobs(store, descriptor, 'the image store');
  const dir = bundleDirOf(opts.root, descriptor.digest);
  const files = (await pathKindOf(dir)) === 'directory' ? await directoryBundle(dir) : undefined;
  return target({
    argument,
    ref: refNameOf(descriptor) ?? argument.text,
    layout,
    files,
    layoutProblems: layout.problems,
  });
}

async function openPackageTarget(
  argument: ImageArgument & { kind: 'package' },
  opts: OpenTargetOptions,
): Promise<VerifyTarget> {
  let pkg: ExtractedPackage;
  try {
    pkg = await extractPackage(resolve(opts.cwd, argument.path), {
      display: argument.path,
      ...(opts.tmpDir !== undefined ? { tmpDir: opts.tmpDir } : {}),
    });
  } catch (err) {
    if (!isVcError(err) || err.code !== 'MALFORMED_BUNDLE') throw err;
    // Step 1 failed: nothing else can be read.
    return target({
      argument,
      ref: argument.text,
      layout: undefined,
      files: undefined,
      packageProblems: [{ code: 'MALFORMED_BUNDLE', path: '$', message: err.message }],
    });
  }
  try {
    const files = await directoryBundle(pkg.dir, ['oci-layout']);
    const metadata = await readMetadata(files);
    const where = `${argument.path}: oci-layout`;
    const ref =
      metadata?.name !== undefined && metadata.version !== undefined
        ? `${metadata.name}:${metadata.version}`
        : undefined;
    const layoutProblems: Problem[] = [];
    let layout: LayoutCheck | undefined;
    if (metadata === undefined) {
      layoutProblems.push(
        malformed(`the package ${argument.path} has no ${PACKAGE_MANIFEST_PATH}`),
      );
    }
    const layoutDir = join(pkg.dir, 'oci-layout');
    if ((await pathKindOf(layoutDir)) !== 'directory') {
      layoutProblems.push(malformed(`the package ${argument.path} has no oci-layout/`));
    } else {
      try {
        const descriptor = await selectPackageImage(layoutDir, ref, where);
        layout = await checkImageBlobs(new LayoutBlobReader(layoutDir), descriptor, where);
        layoutProblems.push(...layout.problems);
      } catch (err) {
        if (!isVcError(err)) throw err;
        layoutProblems.push(malformed(err.message));
      }
    }
    return target({
      argument,
      ref: ref ?? argument.text,
      layout,
      files,
      layoutProblems,
      ...(metadata?.imageDigest !== undefined ? { packageImageDigest: metadata.imageDigest } : {}),
      metadata,
      close: () => pkg.close(),
    });
  } catch (err) {
    await pkg.close();
    throw err;
  }
}

async function openLayoutTarget(
  argument: ImageArgument & { kind: 'layout' },
  opts: OpenTargetOptions,
): Promise<VerifyTarget> {
  let image: Awaited<ReturnType<typeof openImage>>;
  try {
    image = await openImage(argument.text, { cwd: opts.cwd, root: opts.root });
  } catch (err) {
    if (!isVcError(err) || err.code !== 'MALFORMED_BUNDLE') throw err;
    // Without a readable index there is no bundle artifact either: step 2 decides.
    return target({
      argument,
      ref: argument.text,
      layout: undefined,
      files: undefined,
      layoutProblems: [malformed(err.message)],
    });
  }
  try {
    const layout = await checkImageBlobs(image.blobs, image.descriptor, argument.dir);
    return target({
      argument,
      ref: image.ref ?? argument.text,
      layout,
      files: image.bundle,
      layoutProblems: layout.problems,
      close: () => image.close(),
    });
  } catch (err) {
    await image.close();
    throw err;
  }
}

/** The package's image: the descriptor whose ref.name is `name:version`, else the only one. */
async function selectPackageImage(
  dir: string,
  ref: string | undefined,
  where: string,
): Promise<Descriptor> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(join(dir, 'index.json')));
  } catch (cause) {
    throw new VcError('MALFORMED_BUNDLE', `${where} has no readable index.json`, { cause });
  }
  const entries = parseLayoutIndex(bytes, where);
  const named =
    ref !== undefined ? entries.find((e) => refNameOf(e.descriptor) === ref) : undefined;
  return named?.descriptor ?? selectLayoutImage(entries, undefined, where);
}

async function readMetadata(files: ImageBundle): Promise<PackageMetadata | undefined> {
  if (!files.paths.includes(PACKAGE_MANIFEST_PATH)) return undefined;
  return readPackageMetadata(await files.read(PACKAGE_MANIFEST_PATH));
}

async function target(fields: {
  argument: ImageArgument;
  ref: string;
  layout: LayoutCheck | undefined;
  files: ImageBundle | undefined;
  packageProblems?: Problem[];
  layoutProblems?: Problem[];
  packageImageDigest?: string;
  metadata?: PackageMetadata | undefined;
  close?: () => Promise<void>;
}): Promise<VerifyTarget> {
  const { files, layout } = fields;
  const metadata = fields.metadata ?? (files !== undefined ? await readMetadata(files) : undefined);
  const packageImageDigest = fields.packageImageDigest ?? metadata?.imageDigest;
  const bundleBytes =
    files !== undefined && files.paths.includes(BUNDLE_PATH)
      ? await files.read(BUNDLE_PATH)
      : undefined;
  const evidence: ImageEvidence = {
    ...(fields.packageProblems !== undefined ? { packageProblems: fields.packageProblems } : {}),
    ...(fields.layoutProblems !== undefined ? { layoutProblems: fields.layoutProblems } : {}),
    ...(layout?.digest !== undefined ? { layoutDigest: layout.digest } : {}),
    ...(packageImageDigest !== undefined ? { packageImageDigest } : {}),
  };
  const manifest = files !== undefined ? await readSourceManifest(files, metadata) : undefined;
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= fields.close?.() ?? Promise.resolve());
  return {
    argument: fields.argument,
    ref: fields.ref,
    bundleBytes,
    evidence,
    layout,
    files,
    manifest,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** `source/<n>.ctp` of the package's name, else the only `source/*.ctp`. */
async function readSourceManifest(
  files: ImageBundle,
  metadata: PackageMetadata | undefined,
): Promise<{ path: string; bytes: Uint8Array } | undefined> {
  const named = metadata?.name !== undefined ? sourceMembers(metadata.name).manifest : undefined;
  const candidates = files.paths.filter((p) => /^source\/[^/]+\.ctp$/.test(p));
  const path =
    named !== undefined && candidates.includes(named)
      ? named
      : candidates.length === 1
        ? candidates[0]
        : undefined;
  return path !== undefined ? { path, bytes: await files.read(path) } : undefined;
}

function malformed(message: string): Problem {
  return { code: 'MALFORMED_BUNDLE', path: '$', message };
}
