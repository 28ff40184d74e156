// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { PACKAGE_LAYOUT_DIR, PACKAGE_MANIFEST_PATH } from '@verified-container/shared/image';
import {
  REF_NAME_ANNOTATION,
  parseTaggedName,
  refName,
  refNameOf,
} from '@verified-container/shared/oci';
import { readPackageMetadata } from '@verified-container/shared/verify';
import { readStoreIndex } from '../image/store-image.js';
import { withLock } from '../store/locks.js';
import { extractCtpToTemp, type TemporaryCtp } from './extract-ctp.js';
import { readLayoutImages, layoutBlobPath, type LayoutImage } from './layout-images.js';
import {
  ensureStoreFile,
  replaceBundleDir,
  storeBlobFile,
  writeStoreIndex,
  type BundleSourceFile,
} from './store-writes.js';
import { readHead, tarFormatOf } from './tar-file.js';

/** What `image load` read its image from. */
export type LoadSourceKind = 'package' | 'layout' | 'archive';

export interface LoadImageOptions {
  /** `$VC_ROOT`. */
  readonly root: string;
  /** A `.ctp`, an OCI layout directory or an OCI archive (a tar of a layout). */
  readonly source: string;
  /** `--tag`: further `name:tag` references for the (single) image. */
  readonly tags?: readonly string[];
  /** Where the package is extracted (default: the OS temporary directory). */
  readonly tmpDir?: string;
  /** Recorded in the `images` lock. */
  readonly tool?: string;
}

/** One image loaded. */
export interface LoadedImage {
  readonly digest: string;
  /** Every `name:tag` now pointing at it. */
  readonly refs: readonly string[];
  /** Whether its bundle directory was written (packages only). */
  readonly bundle: boolean;
}

export interface LoadResult {
  readonly kind: LoadSourceKind;
  readonly images: readonly LoadedImage[];
}

/**
 * `vordr image load` (05 §10.1): reads a `.ctp` package (02 §3), an OCI layout directory or an
 * OCI archive, checks every rule and every blob first, then under the `images` lock stores the
 * blobs, the bundle directory (`bundles/sha256-<hex>/` = the package's members but `oci-layout/`)
 * and the references (`name:version` from the layout, plus `tags`). Anything wrong with the input
 * → MALFORMED_BUNDLE and nothing is written. Loading does not verify.
 */
export async function loadImage(opts: LoadImageOptions): Promise<LoadResult> {
  const tags = (opts.tags ?? []).map((t) => {
    const { name, tag } = parseTaggedName(t);
    return refName(name, tag);
  });
  const stat = await fs.stat(opts.source).catch((cause: unknown) => {
    throw new VcError('READ_FAILED', `cannot read ${opts.source}`, { cause });
  });
  if (stat.isDirectory()) {
    const images = await readLayoutImages(opts.source, opts.source);
    const plan = planRefs(images, tags, opts.source);
    return { kind: 'layout', images: await commit(opts, opts.source, plan, []) };
  }
  if (tarFormatOf(await readHead(opts.source)) === undefined) {
    throw new VcError(
      'MALFORMED_BUNDLE',
      `${opts.source} is neither a .ctp package, an OCI archive nor an OCI layout directory`,
    );
  }
  let extracted: TemporaryCtp | undefined;
  try {
    extracted = await extractCtpToTemp(opts.source, {
      ...(opts.tmpDir !== undefined ? { parent: opts.tmpDir } : {}),
    });
    const isPackage = await isDirectory(join(extracted.dir, PACKAGE_LAYOUT_DIR));
    if (!isPackage && opts.source.endsWith('.ctp')) {
      throw new VcError('MALFORMED_BUNDLE', `the package ${opts.source} has no oci-layout/`);
    }
    if (!isPackage) {
      const images = await readLayoutImages(extracted.dir, opts.source);
      const plan = planRefs(images, tags, opts.source);
      return { kind: 'archive', images: await commit(opts, extracted.dir, plan, []) };
    }
    const layout = join(extracted.dir, PACKAGE_LAYOUT_DIR);
    const images = await readLayoutImages(layout, `the package ${opts.source}`);
    await checkPackageImage(extracted, images, opts.source);
    const plan = planRefs(images, tags, opts.source);
    const bundle = extracted.files
      .filter((p) => !p.startsWith(`${PACKAGE_LAYOUT_DIR}/`))
      .map((p): BundleSourceFile => ({ path: p, from: join(extracted!.dir, ...p.split('/')) }));
    return { kind: 'package', images: await commit(opts, layout, plan, bundle) };
  } finally {
    await extracted?.close();
  }
}

interface PlannedImage {
  readonly image: LayoutImage;
  readonly refs: readonly string[];
}

/**
 * The references each image gets: its own ref name (`name:tag` of its index entry) plus `tags`
 * (only for a layout of one image). An image without any → USAGE (`--tag` needed). Pure.
 */
export function planRefs(
  images: readonly LayoutImage[],
  tags: readonly string[],
  display: string,
): PlannedImage[] {
  if (tags.length > 0 && images.length !== 1) {
    throw new VcError('USAGE', `--tag needs a single image, but ${display} holds ${images.length}`);
  }
  return images.map((image) => {
    const own = image.ref !== undefined && validRef(image.ref) ? [image.ref] : [];
    const refs = [...new Set([...own, ...tags])];
    if (refs.length === 0) {
      throw new VcError('USAGE', `image ${image.manifest.digest} of ${display} has no name`, {
        hint: 'name it with --tag name:tag',
      });
    }
    return { image, refs };
  });
}

function validRef(ref: string): boolean {
  try {
    parseTaggedName(ref);
    return true;
  } catch {
    return false;
  }
}

/**
 * 02 §3: the layout holds exactly one image, named `name:version` of `manifest.toml`, whose
 * digest is its `image_digest`. A missing `manifest.toml` is left to verification (04 §3).
 */
async function checkPackageImage(
  extracted: TemporaryCtp,
  images: readonly LayoutImage[],
  display: string,
): Promise<void> {
  if (images.length !== 1) {
    throw new VcError(
      'MALFORMED_BUNDLE',
      `the package ${display} holds ${images.length} images; a package holds exactly one`,
    );
  }
  if (!extracted.files.includes(PACKAGE_MANIFEST_PATH)) return;
  const meta = readPackageMetadata(await fs.readFile(join(extracted.dir, PACKAGE_MANIFEST_PATH)));
  const image = images[0]!;
  if (meta.imageDigest !== undefined && meta.imageDigest !== image.manifest.digest) {
    throw new VcError(
      'MALFORMED_BUNDLE',
      `the package ${display} says image_digest ${meta.imageDigest} but holds ${image.manifest.digest}`,
    );
  }
  if (meta.name !== undefined && meta.version !== undefined) {
    const expected = `${meta.name}:${meta.version}`;
    if (image.ref !== undefined && image.ref !== expected) {
      throw new VcError(
        'MALFORMED_BUNDLE',
        `the package ${display} names its image ${image.ref}, not ${expected}`,
      );
    }
  }
}

/** Writes blobs, bundle and references under the `images` lock. */
async function commit(
  opts: LoadImageOptions,
  layoutDir: string,
  plan: readonly PlannedImage[],
  bundle: readonly BundleSourceFile[],
): Promise<LoadedImage[]> {
  await ensureStoreFile(opts.root);
  return withLock(
    opts.root,
    'images',
    async () => {
      for (const { image } of plan) {
        for (const blob of [...image.blobs, image.manifest]) {
          await storeBlobFile(opts.root, layoutBlobPath(layoutDir, blob.digest, opts.source), blob);
        }
      }
      if (bundle.length > 0)
        await replaceBundleDir(opts.root, plan[0]!.image.manifest.digest, bundle);
      const index = await readStoreIndex(opts.root);
      const names = new Set(plan.flatMap((p) => p.refs));
      const kept = index.manifests.filter((d) => !names.has(refNameOf(d) ?? ''));
      const added = plan.flatMap(({ image, refs }) =>
        refs.map((ref) => ({
          mediaType: image.manifest.mediaType,
          digest: image.manifest.digest,
          size: image.manifest.size,
          annotations: { [REF_NAME_ANNOTATION]: ref },
        })),
      );
      await writeStoreIndex(opts.root, { ...index, manifests: [...kept, ...added] });
      return plan.map(({ image, refs }) => ({
        digest: image.manifest.digest,
        refs,
        bundle: bundle.length > 0,
      }));
    },
    { ...(opts.tool !== undefined ? { tool: opts.tool } : {}) },
  );
}

async function isDirectory(path: string): Promise<boolean> {
  const stat = await fs.lstat(path).catch(() => null);
  return stat?.isDirectory() ?? false;
}
