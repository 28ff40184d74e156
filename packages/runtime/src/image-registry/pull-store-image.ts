// SPDX-License-Identifier: Apache-2.0
// `vordr image pull` (05 §10.1): an image and its attestation bundle from a registry into the
// store. Blobs are staged first, every byte checked against its digest; only a complete pull is
// moved into the store, under the `images` lock, with its reference and bundle directory.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { REF_NAME_ANNOTATION, refNameOf, type Descriptor } from '@verified-container/shared/oci';
import {
  syncPath,
  writeContentAddressed,
  type ContentAddressedTarget,
  type TaskProgress,
} from '@verified-container/host';
import {
  fetchBundle,
  formatReference,
  parseRegistryReference,
  pullImage,
  type PulledImage,
  type RegistryClient,
  type RegistryReference,
} from '@verified-container/host/registry';
import { IMAGE_NOT_FOUND_HINT, readStoreIndex } from '../image/store-image.js';
import { ensureStoreFile, replaceBundleDir, writeStoreIndex } from '../image-load/store-writes.js';
import { withLock } from '../store/locks.js';
import { vordrPaths } from '../store/vordr-paths.js';

/** vordr pulls images for this platform (05 §10.1). */
export const PULL_PLATFORM = { os: 'linux', architecture: 'amd64' } as const;

export interface PullStoreImageOptions {
  /** `$VC_ROOT`. */
  readonly root: string;
  /** A registry reference (05 §2): `host/repo[:tag][@sha256:<hex>]`. */
  readonly reference: string;
  /** Opens the client for the reference's registry (auth files, `--creds`, `--tls-verify`). */
  readonly openClient: (ref: RegistryReference) => Promise<RegistryClient>;
  readonly progress?: TaskProgress;
  /** Recorded in the `images` lock. */
  readonly tool?: string;
}

export interface PulledStoreImage {
  /** `host/repo:tag`, or `host/repo@sha256:…` when pulled by digest. */
  readonly reference: string;
  /** The image manifest's digest (the platform's when the reference named an index). */
  readonly digest: string;
  /** The store reference now naming it; absent for a pull by digest alone. */
  readonly ref?: string;
  /** Whether an attestation bundle was found and stored. */
  readonly signed: boolean;
}

/**
 * Pulls `opts.reference` into the store. A reference that is not a registry reference →
 * INVALID_REFERENCE; no such image in the registry → IMAGE_NOT_FOUND; a blob or manifest that
 * does not match its digest (or a malformed bundle artifact) → MALFORMED_BUNDLE and nothing is
 * stored. An image without a bundle is stored unsigned (run refuses it in strict mode).
 */
export async function pullStoreImage(opts: PullStoreImageOptions): Promise<PulledStoreImage> {
  const reference = parseRegistryReference(opts.reference, 'image reference');
  const name = formatReference(reference);
  const client = await opts.openClient(reference);
  const images = vordrPaths(opts.root).images;
  const created = await fs.mkdir(images, { recursive: true, mode: 0o755 });
  const staging = join(images, `.pull-${randomBytes(8).toString('hex')}`);
  let done = false;
  try {
    const blobs: ContentAddressedTarget = { tmpDir: staging, dir: join(staging, 'blobs') };
    const pulled = await pullImage(reference, {
      client,
      platform: PULL_PLATFORM,
      target: {
        hasBlob: async (digest) =>
          (await exists(join(blobs.dir, hexOf(digest)))) ||
          (await exists(storeBlobPath(opts.root, digest))),
        putBlob: (bytes, expected) =>
          writeContentAddressed(blobs, bytes, {
            hex: hexOf(expected.digest),
            size: expected.size,
            mismatchCode: 'MALFORMED_BUNDLE',
            what: `${name}: blob ${expected.digest}`,
          }),
        layers: blobs,
      },
      ...(opts.progress !== undefined ? { progress: opts.progress } : {}),
    }).catch((err: unknown) => {
      throw notFound(err, name);
    });
    const bundle = await fetchBundle(client, reference.repository, pulled.digest);
    let bundleFile: string | undefined;
    if (bundle !== undefined) {
      bundleFile = join(staging, 'bundle.json');
      await fs.writeFile(bundleFile, bundle, { mode: 0o644 });
    }
    const ref = reference.digest === undefined ? name : undefined;
    await commit(opts, pulled, blobs.dir, ref, bundleFile);
    done = true;
    return {
      reference: name,
      digest: pulled.digest,
      ...(ref !== undefined ? { ref } : {}),
      signed: bundle !== undefined,
    };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
    // A failed first pull leaves no empty directories behind either.
    if (!done && created !== undefined) await removeEmptyDirs(images, created);
  }
}

/** Moves the staged blobs in, then the bundle directory, then the reference (`images` lock). */
async function commit(
  opts: PullStoreImageOptions,
  pulled: PulledImage,
  stagedDir: string,
  ref: string | undefined,
  bundleFile: string | undefined,
): Promise<void> {
  await ensureStoreFile(opts.root);
  await withLock(
    opts.root,
    'images',
    async () => {
      const dir = join(vordrPaths(opts.root).images, 'blobs', 'sha256');
      await fs.mkdir(dir, { recursive: true, mode: 0o755 });
      const needed: Descriptor[] = [
        pulled.manifest.config,
        ...pulled.manifest.layers,
        pulled.manifestDescriptor,
      ];
      for (const d of needed) {
        const hex = hexOf(d.digest);
        if (await exists(join(stagedDir, hex))) {
          await fs.rename(join(stagedDir, hex), join(dir, hex));
        } else if (!(await exists(join(dir, hex)))) {
          // The store had it when the pull began; an `image rm` removed it meanwhile.
          throw new VcError('RUNTIME_ERROR', `blob ${d.digest} left the store during the pull`, {
            hint: 'pull again',
          });
        }
      }
      await syncPath(dir);
      if (bundleFile !== undefined) {
        await replaceBundleDir(opts.root, pulled.digest, [
          { path: 'attestations/bundle.json', from: bundleFile },
        ]);
      }
      const index = await readStoreIndex(opts.root);
      const descriptor = {
        mediaType: pulled.manifestDescriptor.mediaType,
        digest: pulled.digest,
        size: pulled.manifestDescriptor.size,
      };
      const kept = index.manifests.filter((d) =>
        ref !== undefined ? refNameOf(d) !== ref : d.digest !== pulled.digest,
      );
      const added =
        ref !== undefined
          ? { ...descriptor, annotations: { [REF_NAME_ANNOTATION]: ref } }
          : (index.manifests.find((d) => d.digest === pulled.digest) ?? descriptor);
      await writeStoreIndex(opts.root, { ...index, manifests: [...kept, added] });
    },
    { ...(opts.tool !== undefined ? { tool: opts.tool } : {}) },
  );
}

/** A missing image or platform in the registry is vordr's IMAGE_NOT_FOUND (05 §4.1). */
function notFound(err: unknown, name: string): unknown {
  if (!(err instanceof VcError) || err.code !== 'REGISTRY_NOT_FOUND') return err;
  return new VcError('IMAGE_NOT_FOUND', `image ${name}: ${err.message}`, {
    cause: err,
    hint: err.hint ?? IMAGE_NOT_FOUND_HINT,
  });
}

function hexOf(digest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (match === null) throw new VcError('MALFORMED_BUNDLE', `not a sha256 digest: ${digest}`);
  return match[1]!;
}

function storeBlobPath(root: string, digest: string): string {
  return join(vordrPaths(root).images, 'blobs', 'sha256', hexOf(digest));
}

async function exists(path: string): Promise<boolean> {
  return fs.stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Removes `from` and its parents up to `top` while they are empty (rmdir keeps the others). */
async function removeEmptyDirs(from: string, top: string): Promise<void> {
  for (let dir = from; dir.startsWith(top); dir = dirname(dir)) {
    const removed = await fs.rmdir(dir).then(
      () => true,
      () => false,
    );
    if (!removed || dir === top) return;
  }
}
