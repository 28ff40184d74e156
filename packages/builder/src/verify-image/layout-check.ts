// SPDX-License-Identifier: Apache-2.0
// The layout part of step 5 (04 §3): the manifest blob hashes to its descriptor's digest and every
// config and layer blob exists and hashes to its digest.
import { parseJson } from '@verified-container/shared/json';
import type { Problem } from '@verified-container/shared';
import { isVcError } from '@verified-container/shared';
import { openVerifiedBlob } from '../image-arg/layout-blob-reader.js';
import { parseImageManifest } from '../image-arg/image-manifest-reader.js';
import type { Descriptor } from '../oci/media-types.js';
import type { BlobReader } from '../store/oci-layout-store.js';

/** What the blob check found: D and the image's config and layers, or the problems. */
export interface LayoutCheck {
  /** D, the manifest descriptor's digest, when the manifest blob matched it. */
  readonly digest?: string;
  /** `sha256:` of the config blob. */
  readonly configDigest?: string;
  /** `rootfs.diff_ids` of the config, in order. */
  readonly diffIds?: readonly string[];
  /** MALFORMED_BUNDLE problems; empty when every blob matched. */
  readonly problems: Problem[];
}

/**
 * Hashes the manifest blob against `descriptor`, parses it, then hashes the config and every
 * layer against their descriptors. Every blob is checked (all problems are reported); a missing
 * or unreadable blob is a problem too, never an exception.
 */
export async function checkImageBlobs(
  blobs: BlobReader,
  descriptor: Descriptor,
  where: string,
): Promise<LayoutCheck> {
  const problems: Problem[] = [];
  const problem = (message: string) =>
    problems.push({ code: 'MALFORMED_BUNDLE', path: '$', message: `${where}: ${message}` });
  const manifestBytes = await readChecked(blobs, descriptor).catch((err: unknown) => {
    problem(`the image manifest ${messageOf(err)}`);
    return undefined;
  });
  if (manifestBytes === undefined) return { problems };
  let manifest: ReturnType<typeof parseImageManifest>;
  try {
    manifest = parseImageManifest(manifestBytes, descriptor.digest);
  } catch (err) {
    problem(messageOf(err));
    return { problems };
  }
  let diffIds: string[] | undefined;
  const configBytes = await readChecked(blobs, manifest.config).catch((err: unknown) => {
    problem(`the config ${messageOf(err)}`);
    return undefined;
  });
  if (configBytes !== undefined) {
    diffIds = diffIdsOf(configBytes);
    if (diffIds === undefined) problem(`config ${manifest.config.digest} has no rootfs.diff_ids`);
  }
  for (const [i, layer] of manifest.layers.entries()) {
    try {
      for await (const chunk of openVerifiedBlob(blobs, layer)) void chunk;
    } catch (err) {
      problem(`layer ${i} ${messageOf(err)}`);
    }
  }
  return {
    digest: descriptor.digest,
    configDigest: manifest.config.digest,
    ...(diffIds !== undefined ? { diffIds } : {}),
    problems,
  };
}

async function readChecked(
  blobs: BlobReader,
  d: Pick<Descriptor, 'digest' | 'size'>,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of openVerifiedBlob(blobs, d)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function diffIdsOf(bytes: Uint8Array): string[] | undefined {
  try {
    const config = parseJson(bytes, { mode: 'ecma' }) as { rootfs?: { diff_ids?: unknown } };
    const ids: unknown = config.rootfs?.diff_ids;
    if (!Array.isArray(ids)) return undefined;
    const strings = ids.filter((id): id is string => typeof id === 'string');
    return strings.length === ids.length ? strings : undefined;
  } catch {
    return undefined;
  }
}

function messageOf(err: unknown): string {
  const message = isVcError(err) || err instanceof Error ? err.message : String(err);
  // openVerifiedBlob names the blob itself ("blob sha256:… does not match …").
  return message.replace(/^blob /, '');
}
