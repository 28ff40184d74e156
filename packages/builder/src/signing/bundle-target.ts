// SPDX-License-Identifier: Apache-2.0
// The bundle `sign` and `publish` rewrite (02 §10): a bundle file, or a store image's bundle.
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { VcError } from '@verified-container/shared';
import { parseManifest, type Manifest } from '@verified-container/shared/manifest';
import { bundleDirOf } from '../build/commit.js';
import { readInputFile, writeFileAtomic } from '../io/files.js';
import { BUNDLE_PATH } from '../image-arg/image-bundle.js';
import { openImage, pathKindOf } from '../image-arg/open-image.js';
import type { ImageBundle } from '../image-arg/image-bundle.js';
import { annotatedRef, imageEpoch } from '../image-arg/image-manifest-reader.js';
import { writePackageArchive } from '../build/package-archive.js';
import { silentProgress } from '../build/progress.js';
import { packageMembers } from '../export/ctp-export.js';
import { OciLayoutStore } from '../store/oci-layout-store.js';
import { withLock } from '../store/locks.js';
import { BUNDLE_MAX_BYTES } from '@verified-container/shared/attestation';

/** A bundle named on the command line and every copy of it to rewrite. */
export interface BundleTarget {
  /** How to name it in messages. */
  readonly display: string;
  readonly bytes: Uint8Array;
  /** The source manifest the target carries (a store image's `source/*.ctp`), if any. */
  readonly manifest?: Manifest;
  /** Where the manifest's relative `file:` log URLs start. */
  readonly baseDir: string;
  /** Replaces every copy atomically. */
  write(bytes: Uint8Array): Promise<void>;
  /** Releases what the target holds (an extracted package). */
  close(): Promise<void>;
}

/**
 * `bundle.json` (an existing file whose name ends in `.json`) or a store image `name[:tag]`
 * (its `bundles/sha256-<hex>/attestations/bundle.json`, rewritten under the `images` lock), or a
 * `.ctp` package (re-packed with the new bundle). Call `close` when done.
 */
export async function openBundleTarget(
  arg: string,
  opts: { cwd: string; root: string },
): Promise<BundleTarget> {
  const path = resolve(opts.cwd, arg);
  const kind = await pathKindOf(path);
  if (kind === 'file' && arg.endsWith('.ctp')) return openPackageTarget(arg, path, opts);
  if (kind === 'file') {
    return {
      display: arg,
      bytes: await readInputFile(path, { maxBytes: BUNDLE_MAX_BYTES, what: 'bundle' }),
      baseDir: opts.cwd,
      write: (bytes) => writeFileAtomic(path, bytes),
      close: () => Promise.resolve(),
    };
  }
  if (kind === 'directory') {
    throw new VcError('USAGE', `${arg} is a directory, not a bundle`, {
      hint: 'name a bundle.json file or a store image name:tag',
    });
  }
  const store = new OciLayoutStore({ root: opts.root });
  const descriptor = await store.resolve(arg);
  const dir = bundleDirOf(opts.root, descriptor.digest);
  const bundlePath = join(dir, ...BUNDLE_PATH.split('/'));
  const bytes = await readInputFile(bundlePath, { maxBytes: BUNDLE_MAX_BYTES, what: 'bundle' });
  const manifest = await readSourceManifest(join(dir, 'source'));
  return {
    display: `${arg} (${descriptor.digest})`,
    bytes,
    ...(manifest !== undefined ? { manifest } : {}),
    baseDir: opts.cwd,
    write: (next) =>
      withLock(opts.root, 'images', () => writeFileAtomic(bundlePath, next, { mode: 0o644 })),
    close: () => Promise.resolve(),
  };
}

/**
 * A `.ctp` package: the bundle is read from the extracted package, and writing re-packs the
 * package (same members, epoch and writer as `export --format ctp`) with the new bundle, replacing
 * the file atomically.
 */
async function openPackageTarget(
  arg: string,
  path: string,
  opts: { cwd: string; root: string },
): Promise<BundleTarget> {
  const image = await openImage(arg, opts);
  try {
    const bundle = image.bundle;
    if (bundle === undefined || !bundle.paths.includes(BUNDLE_PATH)) {
      throw new VcError('MISSING_ATTESTATION', `the package ${arg} has no ${BUNDLE_PATH}`);
    }
    const ref = annotatedRef(image.manifest) ?? image.ref;
    if (ref === undefined) {
      throw new VcError('MALFORMED_BUNDLE', `the package ${arg} does not name its image`);
    }
    const source = bundle.paths.filter((p) => /^source\/[^/]+\.ctp$/.test(p)).sort()[0];
    const manifest =
      source !== undefined
        ? parseStoredManifest(await bundle.read(source), `${arg}: ${source}`)
        : undefined;
    return {
      display: arg,
      bytes: await bundle.read(BUNDLE_PATH),
      ...(manifest !== undefined ? { manifest } : {}),
      baseDir: opts.cwd,
      write: async (next) => {
        const replaced: ImageBundle = {
          paths: bundle.paths,
          read: (p) => (p === BUNDLE_PATH ? Promise.resolve(next) : bundle.read(p)),
        };
        const members = await packageMembers({ ...image, bundle: replaced }, ref, silentProgress);
        await writePackageArchive(path, members, imageEpoch(image.manifest));
      },
      close: () => image.close(),
    };
  } catch (err) {
    await image.close();
    throw err;
  }
}

/** The `source/<name>.ctp` a build stored next to the attestations; undefined when none. */
async function readSourceManifest(dir: string): Promise<Manifest | undefined> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.ctp')).sort();
  } catch {
    return undefined;
  }
  const name = names[0];
  if (name === undefined) return undefined;
  const file = join(dir, name);
  return parseStoredManifest(await readInputFile(file, { what: 'manifest' }), file);
}

function parseStoredManifest(bytes: Uint8Array, file: string): Manifest {
  const parsed = parseManifest(bytes, { source: file });
  if (parsed.manifest === undefined) {
    throw new VcError('MANIFEST_INVALID', `the stored manifest ${file} does not parse`, {
      hint: 'the package or store entry is damaged; rebuild the image',
    });
  }
  return parsed.manifest;
}
