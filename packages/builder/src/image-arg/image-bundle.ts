// SPDX-License-Identifier: Apache-2.0
// The bundle files of an image (02 §2 `bundles/sha256-<hex>/`, 02 §3 package members): what the
// store, a package or a layout's bundle artifact holds besides the image.
import { promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { VcError } from '@verified-container/shared';
import type { BundleFile } from '../build/commit.js';

/** The attestation bundle's and the package metadata's paths among the bundle files (02 §3). */
export { BUNDLE_PATH, PACKAGE_MANIFEST_PATH } from '@verified-container/shared/image';

/** Files of a bundle directory by relative, `/`-separated path; read on demand. */
export interface ImageBundle {
  /** Every file, sorted by path. */
  readonly paths: readonly string[];
  /** The bytes of one of `paths`. */
  read(path: string): Promise<Uint8Array>;
}

/** A bundle held in memory. */
export function memoryBundle(files: readonly BundleFile[]): ImageBundle {
  const byPath = new Map(files.map((f) => [f.path, f.bytes]));
  return {
    paths: [...byPath.keys()].sort(comparePaths),
    read: (path) => {
      const bytes = byPath.get(path);
      if (bytes === undefined) return Promise.reject(notInBundle(path));
      return Promise.resolve(bytes);
    },
  };
}

/**
 * The regular files under `dir` except the top-level entries in `skip` (a package's
 * `oci-layout`), read when asked for.
 */
export async function directoryBundle(
  dir: string,
  skip: readonly string[] = [],
): Promise<ImageBundle> {
  const paths: string[] = [];
  const walk = async (d: string) => {
    for (const ent of await fs.readdir(d, { withFileTypes: true })) {
      const p = join(d, ent.name);
      const rel = relative(dir, p).split(sep).join('/');
      if (skip.includes(rel)) continue;
      if (ent.isDirectory()) await walk(p);
      else if (ent.isFile()) paths.push(rel);
    }
  };
  await walk(dir);
  const known = new Set(paths);
  return {
    paths: paths.sort(comparePaths),
    read: async (path) => {
      if (!known.has(path)) throw notInBundle(path);
      return new Uint8Array(await fs.readFile(join(dir, ...path.split('/'))));
    },
  };
}

function notInBundle(path: string): VcError {
  return new VcError('INTERNAL', `the bundle has no ${path}`);
}

function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
