// SPDX-License-Identifier: Apache-2.0
// `export --format oci` and `oci-archive` (01 §8): an OCI image layout holding the image, tagged
// `name:tag`, and its bundle as an artifact manifest whose subject is the image.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { canonicalBytes } from '@verified-container/shared/json';
import type { PackageMember } from '../build/package-archive.js';
import type { BuildProgress } from '../build/progress.js';
import { EMPTY_BLOB, EMPTY_DESCRIPTOR, bundleArtifact } from '../image-arg/bundle-artifact.js';
import type { ImageManifest } from '../image-arg/image-manifest-reader.js';
import { openVerifiedBlob } from '../image-arg/layout-blob-reader.js';
import { INDEX_MEDIA_TYPE, REF_NAME_ANNOTATION, type Descriptor } from '../oci/media-types.js';
import { writeContentAddressed } from '../store/content-addressed.js';
import { OCI_LAYOUT_JSON } from '../store/oci-index.js';
import type { BlobReader } from '../store/oci-layout-store.js';
import { withProgress } from './blob-progress.js';

/** What a layout export holds: small files in memory and blobs copied from the image's source. */
export interface LayoutPlan {
  /** `oci-layout`, `index.json` and the artifact's blobs, by layout-relative path. */
  readonly files: readonly { readonly path: string; readonly bytes: Uint8Array }[];
  /** The image's manifest, config and layers, each once, copied from the source. */
  readonly blobs: readonly Descriptor[];
}

export interface LayoutPlanInput {
  /** `name:tag` → `org.opencontainers.image.ref.name`. */
  readonly ref: string;
  readonly descriptor: Descriptor;
  readonly manifest: Pick<ImageManifest, 'config' | 'layers'>;
  /** The attestation bundle's file bytes, when the image has one. */
  readonly bundle?: Uint8Array;
}

/**
 * The layout of an export (02 §2 encodings: `oci-layout` and `index.json` are JCS): the image
 * descriptor tagged `ref`, then the bundle artifact (`artifactType` in the index too, so tools
 * can tell it from the image without reading it). Pure.
 */
export function ociLayoutPlan(input: LayoutPlanInput): LayoutPlan {
  const { descriptor } = input;
  const manifests: object[] = [
    {
      mediaType: descriptor.mediaType,
      digest: descriptor.digest,
      size: descriptor.size,
      annotations: { [REF_NAME_ANNOTATION]: input.ref },
    },
  ];
  const blobs = uniqueByDigest([descriptor, input.manifest.config, ...input.manifest.layers]);
  const files: { path: string; bytes: Uint8Array }[] = [];
  if (input.bundle !== undefined) {
    const artifact = bundleArtifact(input.bundle, descriptor);
    manifests.push(artifact.manifest.descriptor);
    const copied = new Set(blobs.map((b) => b.digest));
    const extra: [string, Uint8Array][] = [
      [artifact.manifest.descriptor.digest, artifact.manifest.bytes],
      [artifact.bundle.digest, input.bundle],
      [EMPTY_DESCRIPTOR.digest, Uint8Array.from(EMPTY_BLOB)],
    ];
    for (const [digest, bytes] of extra) {
      if (copied.has(digest)) continue;
      copied.add(digest);
      files.push({ path: blobPath(digest), bytes });
    }
  }
  files.unshift(
    { path: 'oci-layout', bytes: canonicalBytes(OCI_LAYOUT_JSON) },
    {
      path: 'index.json',
      bytes: canonicalBytes({ schemaVersion: 2, mediaType: INDEX_MEDIA_TYPE, manifests }),
    },
  );
  return { files, blobs };
}

/** Writes a layout plan into the (new, empty) directory `dir`, copying and checking each blob. */
export async function writeLayoutDirectory(
  dir: string,
  plan: LayoutPlan,
  source: BlobReader,
  progress: BuildProgress,
): Promise<void> {
  const blobsDir = join(dir, 'blobs', 'sha256');
  await fs.mkdir(blobsDir, { recursive: true, mode: 0o755 });
  for (const d of plan.blobs) {
    const hex = d.digest.slice('sha256:'.length);
    await writeContentAddressed(
      { tmpDir: dir, dir: blobsDir },
      withProgress(source.openBlob(d.digest), copyTask(d), d.size, progress),
      { hex, size: d.size, mismatchCode: 'MALFORMED_BUNDLE', what: `blob ${d.digest}` },
    );
  }
  for (const f of plan.files) {
    await fs.writeFile(join(dir, ...f.path.split('/')), f.bytes, { mode: 0o644 });
  }
}

/** The members of a layout plan as archive members; blobs stream from `source`, checked. */
export function layoutMembers(
  plan: LayoutPlan,
  source: BlobReader,
  progress: BuildProgress,
  prefix = '',
): PackageMember[] {
  return [
    ...plan.files.map((f) => ({ path: `${prefix}${f.path}`, bytes: f.bytes })),
    ...plan.blobs.map((d) => ({
      path: `${prefix}${blobPath(d.digest)}`,
      sha256: d.digest.slice('sha256:'.length),
      size: d.size,
      open: () =>
        Readable.from(withProgress(openVerifiedBlob(source, d), copyTask(d), d.size, progress)),
    })),
  ];
}

function blobPath(digest: string): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

function copyTask(d: Descriptor): string {
  return `copy blob ${d.digest.slice(0, 19)}`;
}

function uniqueByDigest(descriptors: readonly Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return descriptors.filter((d) => !seen.has(d.digest) && seen.add(d.digest));
}
