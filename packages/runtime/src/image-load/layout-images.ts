// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import {
  parseImageDocument,
  parseOciIndex,
  refNameOf,
  type Descriptor,
} from '@verified-container/shared/oci';

/** An image of an OCI layout being loaded, every blob checked against its descriptor. */
export interface LayoutImage {
  /** `org.opencontainers.image.ref.name` of its index entry, when set. */
  readonly ref?: string;
  /** The image manifest's descriptor (from index.json, without annotations). */
  readonly manifest: Descriptor;
  /** Config then layers. */
  readonly blobs: readonly Descriptor[];
}

/**
 * Reads the images an OCI layout lists in its `index.json` and checks every blob they need:
 * present, the size and sha256 of its descriptor. Only image manifests are loaded (an index
 * inside the layout → UNSUPPORTED). Anything missing or inconsistent → MALFORMED_BUNDLE naming
 * `display`.
 */
export async function readLayoutImages(dir: string, display: string): Promise<LayoutImage[]> {
  let indexBytes: Uint8Array;
  try {
    indexBytes = await fs.readFile(join(dir, 'index.json'));
  } catch (cause) {
    throw malformed(display, 'has no readable index.json', cause);
  }
  let manifests: readonly Descriptor[];
  try {
    manifests = parseOciIndex(indexBytes).manifests;
  } catch (cause) {
    throw malformed(display, 'has an index.json that is not an OCI image index', cause);
  }
  if (manifests.length === 0) throw malformed(display, 'lists no image in its index.json');
  const images: LayoutImage[] = [];
  for (const descriptor of manifests) {
    const bytes = await readCheckedLayoutBlob(dir, descriptor, display);
    let blobs: Descriptor[];
    try {
      const doc = parseImageDocument(bytes, descriptor.mediaType, `manifest ${descriptor.digest}`);
      if (doc.kind !== 'manifest') {
        throw new VcError(
          'UNSUPPORTED',
          `${display}: ${descriptor.digest} is an image index; vordr loads image manifests`,
          { hint: 'export the linux/amd64 image alone' },
        );
      }
      blobs = [doc.manifest.config, ...doc.manifest.layers];
    } catch (cause) {
      if (cause instanceof VcError && cause.code === 'UNSUPPORTED') throw cause;
      throw malformed(display, `has a manifest ${descriptor.digest} that cannot be read`, cause);
    }
    for (const blob of blobs) await checkLayoutBlob(dir, blob, display);
    const ref = refNameOf(descriptor);
    images.push({
      ...(ref !== undefined ? { ref } : {}),
      manifest: {
        mediaType: descriptor.mediaType,
        digest: descriptor.digest,
        size: descriptor.size,
      },
      blobs,
    });
  }
  return images;
}

/** The path of a blob inside a layout; a digest that is not sha256 hex → MALFORMED_BUNDLE. */
export function layoutBlobPath(dir: string, digest: string, display: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (match === null) throw malformed(display, `names the blob ${JSON.stringify(digest)}`);
  return join(dir, 'blobs', 'sha256', match[1]!);
}

async function readCheckedLayoutBlob(
  dir: string,
  d: Descriptor,
  display: string,
): Promise<Uint8Array> {
  const path = layoutBlobPath(dir, d.digest, display);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(path));
  } catch (cause) {
    throw malformed(display, `lacks the blob ${d.digest}`, cause);
  }
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== d.digest || bytes.length !== d.size) {
    throw malformed(display, `has a blob ${d.digest} whose bytes do not match it`);
  }
  return bytes;
}

async function checkLayoutBlob(dir: string, d: Descriptor, display: string): Promise<void> {
  const path = layoutBlobPath(dir, d.digest, display);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
  } catch (cause) {
    throw malformed(display, `lacks the blob ${d.digest}`, cause);
  }
  if (`sha256:${hash.digest('hex')}` !== d.digest || size !== d.size) {
    throw malformed(display, `has a blob ${d.digest} whose bytes do not match it`);
  }
}

function malformed(display: string, why: string, cause?: unknown): VcError {
  return new VcError('MALFORMED_BUNDLE', `${display} ${why}`, cause !== undefined ? { cause } : {});
}
