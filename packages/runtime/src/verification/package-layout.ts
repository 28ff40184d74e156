// SPDX-License-Identifier: Apache-2.0
// The layout part of step 5 (04 §3) for the `oci-layout/` of an extracted `.ctp`: the index
// descriptor named `name:version` of manifest.toml (else the only one), its manifest blob hashed
// against it, then the config and every layer blob. Problems are values, never exceptions.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '@verified-container/shared';
import {
  parseImageDocument,
  parseOciIndex,
  refNameOf,
  type Descriptor,
} from '@verified-container/shared/oci';

/** What the layout check found. */
export interface PackageLayoutCheck {
  /** D: the selected descriptor's digest, when its manifest blob matched it. */
  readonly digest?: string;
  /** MALFORMED_BUNDLE problems; empty when every blob matched. */
  readonly problems: readonly Problem[];
}

/**
 * Checks the layout `dir` of a package: `ref` (`name:version`) selects the image, else the index
 * must list exactly one. `where` prefixes every message (`app.ctp: oci-layout`).
 */
export async function checkPackageLayout(
  dir: string,
  ref: string | undefined,
  where: string,
): Promise<PackageLayoutCheck> {
  const problems: Problem[] = [];
  const problem = (message: string) =>
    problems.push({ code: 'MALFORMED_BUNDLE', path: '$', message: `${where}: ${message}` });
  let manifests: readonly Descriptor[];
  try {
    manifests = parseOciIndex(await fs.readFile(join(dir, 'index.json'))).manifests;
  } catch (err) {
    problem(`index.json cannot be read as an OCI image index (${messageOf(err)})`);
    return { problems };
  }
  const named = ref !== undefined ? manifests.find((d) => refNameOf(d) === ref) : undefined;
  const descriptor = named ?? (manifests.length === 1 ? manifests[0] : undefined);
  if (descriptor === undefined) {
    problem(
      manifests.length === 0
        ? 'index.json lists no image'
        : `index.json lists ${manifests.length} images and none is named ${ref ?? '(no name)'}`,
    );
    return { problems };
  }
  const manifestBytes = await readBlob(dir, descriptor).catch((err: unknown) => {
    problem(`the image manifest ${messageOf(err)}`);
    return undefined;
  });
  if (manifestBytes === undefined) return { problems };
  let blobs: Descriptor[];
  try {
    const doc = parseImageDocument(
      manifestBytes,
      descriptor.mediaType,
      `manifest ${descriptor.digest}`,
    );
    if (doc.kind !== 'manifest') throw new Error(`${descriptor.digest} is an index, not an image`);
    blobs = [doc.manifest.config, ...doc.manifest.layers];
  } catch (err) {
    problem(messageOf(err));
    return { problems };
  }
  for (const [i, blob] of blobs.entries()) {
    const what = i === 0 ? 'the config' : `layer ${i - 1}`;
    await hashBlob(dir, blob).catch((err: unknown) => problem(`${what} ${messageOf(err)}`));
  }
  return { digest: descriptor.digest, problems };
}

/** A whole blob whose size and sha256 match `d`; else throws saying why. */
async function readBlob(dir: string, d: Descriptor): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  await hashBlob(dir, d, (chunk) => chunks.push(chunk));
  return Buffer.concat(chunks);
}

async function hashBlob(dir: string, d: Descriptor, keep?: (chunk: Buffer) => void): Promise<void> {
  const match = /^sha256:([0-9a-f]{64})$/.exec(d.digest);
  if (match === null) throw new Error(`names the blob ${JSON.stringify(d.digest)}`);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(
      join(dir, 'blobs', 'sha256', match[1]!),
    ) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      keep?.(chunk);
    }
  } catch {
    throw new Error(`${d.digest} is missing`);
  }
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== d.digest) throw new Error(`${d.digest} has the digest ${actual}`);
  if (size !== d.size) throw new Error(`${d.digest} has ${size} bytes, not ${d.size}`);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
