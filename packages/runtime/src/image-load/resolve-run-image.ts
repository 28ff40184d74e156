// SPDX-License-Identifier: Apache-2.0
// 05 §4.1 for `run`: a `.ctp` is loaded into the store first (§10.1), then run like any store
// image; everything else is resolved in the store.
import { resolve } from 'node:path';
import { VcError } from '@verified-container/shared';
import { parseVordrImageReference, resolveImage, type StoreImage } from '../image/index.js';
import type { RunPullOptions } from '../image-registry/run-pull.js';

export interface ResolveRunImageOptions {
  /** Relative package paths are taken from here. */
  readonly cwd: string;
  /** Where a package is extracted while it is loaded (default: the OS temporary directory). */
  readonly tmpDir?: string;
  /** `--pull` for registry references; without it they are only looked up in the store. */
  readonly pull?: RunPullOptions;
}

/**
 * The image `text` names: a registry reference is pulled as `opts.pull` says (05 §4.1), a
 * `FILE.ctp` is loaded (`vordr image load`: every rule of 02 §3 and
 * every blob checked, MALFORMED_BUNDLE otherwise) and read back from the store under its
 * `name:version`; anything else is {@link resolveImage}. Loading does not verify: the caller does.
 */
export async function resolveRunImage(
  root: string,
  text: string,
  opts: ResolveRunImageOptions,
): Promise<StoreImage> {
  const reference = parseVordrImageReference(text);
  if (reference.kind === 'registry' && opts.pull !== undefined) {
    // Loaded on demand: the registry client stays off the path of running a store image.
    const { resolveRegistryImage } = await import('../image-registry/run-pull.js');
    return resolveRegistryImage(root, text, opts.pull);
  }
  if (reference.kind !== 'package') return resolveImage(root, text);
  // Loaded on demand: the tar reader stays off the path of running a store image.
  const { loadImage } = await import('./load-image.js');
  const loaded = await loadImage({
    root,
    source: resolve(opts.cwd, reference.path),
    tool: 'vordr run',
    ...(opts.tmpDir !== undefined ? { tmpDir: opts.tmpDir } : {}),
  });
  const image = loaded.images[0];
  const ref = image?.refs[0];
  if (image === undefined || ref === undefined) {
    throw new VcError('INTERNAL', `loading ${text} gave no named image`);
  }
  const stored = await resolveImage(root, ref);
  // Another load may have moved the tag meanwhile: run what this package holds.
  return stored.digest === image.digest ? stored : resolveImage(root, image.digest);
}
