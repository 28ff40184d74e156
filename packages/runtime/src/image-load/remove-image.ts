// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import {
  parseImageDocument,
  refNameOf,
  type Descriptor,
  type OciIndex,
} from '@verified-container/shared/oci';
import { parseVordrImageReference } from '../image/image-reference.js';
import { findDescriptor } from '../image/resolve-image.js';
import { IMAGE_NOT_FOUND_HINT, readStoreIndex } from '../image/store-image.js';
import { withLock } from '../store/locks.js';
import { vordrPaths } from '../store/vordr-paths.js';
import { imageDigestOf, readUsageRecords } from './container-usage.js';
import { bundleDirOf, writeStoreIndex } from './store-writes.js';

export interface RemoveImagesOptions {
  readonly root: string;
  /** Image references (05 §2): a `name:tag` removes that tag; a digest every tag of it. */
  readonly refs: readonly string[];
  /** `-f`: remove images containers use (their unpacked layers stay). */
  readonly force?: boolean;
  readonly tool?: string;
}

/** What `image rm` did for one argument. */
export interface RemovedImage {
  readonly ref: string;
  readonly digest: string;
  readonly untagged: readonly string[];
  /** True when no tag is left: its bundle directory and unshared blobs are gone. */
  readonly deleted: boolean;
}

/**
 * `vordr image rm` (05 §10.1), under the `images` lock: removes tags; when an image has no tag
 * left, its bundle directory and every blob no remaining image references are removed too. An
 * image a container record uses → IN_USE unless `force`. Every reference is resolved before
 * anything is removed (IMAGE_NOT_FOUND otherwise).
 */
export async function removeImages(opts: RemoveImagesOptions): Promise<RemovedImage[]> {
  const parsed = opts.refs.map((text) => ({ text, ref: parseVordrImageReference(text) }));
  const users = opts.force === true ? [] : await readUsageRecords(opts.root);
  return withLock(
    opts.root,
    'images',
    async () => {
      const index = await readStoreIndex(opts.root);
      const removals = parsed.map(({ text, ref }) => {
        const found = findDescriptor(ref, index.manifests);
        if (found === undefined) {
          throw new VcError(
            'IMAGE_NOT_FOUND',
            `image ${JSON.stringify(text)} is not in the store`,
            {
              hint: IMAGE_NOT_FOUND_HINT,
            },
          );
        }
        const byTag = ref.kind === 'name' && ref.reference.kind === 'tag';
        const refs = byTag
          ? [refNameOf(found)!]
          : index.manifests
              .filter((d) => d.digest === found.digest)
              .map((d) => refNameOf(d))
              .filter((r): r is string => r !== undefined);
        return { text, digest: found.digest, refs };
      });
      const gone = new Set(removals.flatMap((r) => r.refs));
      const remaining = index.manifests.filter((d) => {
        const name = refNameOf(d);
        return !(name !== undefined && gone.has(name));
      });
      const deletedDigests = new Set(
        removals.map((r) => r.digest).filter((d) => !remaining.some((m) => m.digest === d)),
      );
      for (const digest of deletedDigests) {
        const using = users.filter((u) => imageDigestOf(u) === digest);
        if (using.length > 0) {
          throw new VcError(
            'IN_USE',
            `image ${digest} is used by the container${using.length === 1 ? '' : 's'} ${using.map((u) => u.name).join(', ')}`,
            { hint: 'remove the containers first, or use -f' },
          );
        }
      }
      const next: OciIndex = { ...index, manifests: remaining };
      await writeStoreIndex(opts.root, next);
      if (deletedDigests.size > 0) {
        for (const digest of deletedDigests) {
          await fs.rm(bundleDirOf(opts.root, digest), { recursive: true, force: true });
        }
        const goneDescriptors = [...deletedDigests].map((digest) =>
          index.manifests.find((d) => d.digest === digest)!,
        );
        await collectBlobs(opts.root, goneDescriptors, next);
      }
      return removals.map((r) => ({
        ref: r.text,
        digest: r.digest,
        untagged: r.refs,
        deleted: deletedDigests.has(r.digest),
      }));
    },
    { ...(opts.tool !== undefined ? { tool: opts.tool } : {}) },
  );
}

/**
 * Removes the blobs of the removed images (`gone`: manifest digests) that no image of `index`
 * references (manifest, config, layers; children of a nested index). Blobs of other images,
 * such as a build's blobs not yet tagged, are never touched. When a remaining manifest cannot be
 * read nothing is removed: a blob it needs could not be told apart.
 */
async function collectBlobs(
  root: string,
  gone: readonly Descriptor[],
  index: OciIndex,
): Promise<void> {
  const candidates = await blobsOf(root, gone).catch(() => null);
  const live = await blobsOf(root, index.manifests).catch(() => null);
  if (candidates === null || live === null) return;
  for (const digest of candidates) {
    if (live.has(digest)) continue;
    await fs.rm(blobFile(root, digest), { force: true });
  }
}

/** Every blob digest the images `roots` need, themselves included. */
async function blobsOf(root: string, roots: readonly Descriptor[]): Promise<Set<string>> {
  const out = new Set<string>();
  const todo: Descriptor[] = [...roots];
  while (todo.length > 0) {
    const d = todo.pop()!;
    if (out.has(d.digest)) continue;
    out.add(d.digest);
    const bytes = await fs.readFile(blobFile(root, d.digest));
    const doc = parseImageDocument(new Uint8Array(bytes), d.mediaType, `manifest ${d.digest}`);
    if (doc.kind === 'manifest') {
      for (const b of [doc.manifest.config, ...doc.manifest.layers]) out.add(b.digest);
    } else {
      todo.push(...doc.index.manifests);
    }
  }
  return out;
}

function blobFile(root: string, digest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (match === null) throw new Error(`not a sha256 digest: ${digest}`);
  return join(vordrPaths(root).images, 'blobs', 'sha256', match[1]!);
}
