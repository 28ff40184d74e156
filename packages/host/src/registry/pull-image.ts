// SPDX-License-Identifier: Apache-2.0
// Pulling an image from a registry into content-addressed blobs: manifest, config and layers,
// every byte checked against its digest. Nothing is tagged; the caller decides what a pull means
// (cerro-torre: a base image, 01 §4; vordr: a store image, 05 §10.1).
import { VcError } from '@verified-container/shared';
import { parseJson, type JsonValue } from '@verified-container/shared/json';
import {
  formatPlatform,
  selectPlatform,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type Platform,
} from '@verified-container/shared/oci';
import type { ContentAddressedTarget } from '../content-addressed.js';
import { formatBytes, shortDigest, silentProgress, type TaskProgress } from '../progress.js';
import { formatReference, type RegistryReference } from './reference.js';
import type { FetchedManifest, RegistryClient } from './registry-client.js';

/** The largest image config accepted, bytes. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Where pulled blobs go: a content-addressed blob directory. */
export interface PullTarget {
  hasBlob(digest: string): Promise<boolean>;
  /** Stores small blobs (config, manifests); bytes other than `expected` store nothing. */
  putBlob(bytes: Uint8Array, expected: Descriptor): Promise<unknown>;
  /** Where layers are streamed to (`blobs/sha256` of a layout). */
  readonly layers: ContentAddressedTarget;
}

export interface PullImageOptions {
  readonly client: RegistryClient;
  readonly target: PullTarget;
  /** The platform to take from an index (`{os: 'linux', architecture: 'amd64'}`). */
  readonly platform: Platform;
  readonly progress?: TaskProgress;
}

/** An image config as parsed: the JSON object, members as received. */
export type ImageConfigDocument = Readonly<Record<string, JsonValue>>;

export interface PulledImage {
  readonly reference: RegistryReference;
  /** sha256 of the image manifest bytes (the platform's, when the reference named an index). */
  readonly digest: string;
  /** The manifest's descriptor; its media type is the registry's (Docker or OCI). */
  readonly manifestDescriptor: Descriptor;
  readonly manifest: ImageManifest;
  readonly config: ImageConfigDocument;
  /** The index the reference named, when it named one (also stored). */
  readonly index?: Descriptor;
}

/**
 * Pulls `reference` into `target`: the manifest, its config and layers, and the index when the
 * reference names one (the entry for `platform` is taken). Blobs already stored are not fetched
 * again, and the manifest is stored last, so a stored manifest always has its blobs.
 *
 * Errors: a pinned digest that differs from the received bytes, or a blob whose bytes do not hash
 * to its descriptor → the client's mismatch code (nothing of it is stored); no such manifest, or
 * no image for the platform → REGISTRY_NOT_FOUND; registry unreachable → REGISTRY_UNAVAILABLE;
 * 401/403 → REGISTRY_UNAUTHORIZED.
 */
export async function pullImage(
  reference: RegistryReference,
  opts: PullImageOptions,
): Promise<PulledImage> {
  const { client, target } = opts;
  const name = formatReference(reference);
  const progress = opts.progress ?? silentProgress;
  const repo = reference.repository;

  const top = await client.getManifest(repo, reference.digest ?? reference.tag);
  let fetched = top;
  let index: Descriptor | undefined;
  if (top.document.kind === 'index') {
    index = top.descriptor;
    const entry = selectPlatform(top.document.index, opts.platform);
    if (entry === undefined) throw noPlatform(name, top.document.index, opts.platform);
    fetched = await client.getManifest(repo, entry.digest, entry);
    if (fetched.document.kind !== 'manifest') {
      throw new VcError(
        'REGISTRY_ERROR',
        `${name}: the ${formatPlatform(opts.platform)} entry is an index`,
      );
    }
  }
  const manifest = manifestOf(fetched, name);

  const configBytes = await client.readBlob(repo, manifest.config, MAX_CONFIG_BYTES);
  const config = parseConfig(configBytes, name);
  checkPlatform(config, opts.platform, name);
  await target.putBlob(configBytes, manifest.config);

  for (const layer of manifest.layers) {
    if (await target.hasBlob(layer.digest)) continue;
    const task = `pulling ${shortDigest(layer.digest)}`;
    progress.begin(task, formatBytes(layer.size));
    await client.downloadBlob(repo, layer, target.layers, (done) =>
      progress.advance(task, done, layer.size),
    );
    progress.end(task, formatBytes(layer.size));
  }
  await target.putBlob(fetched.bytes, fetched.descriptor);
  if (index !== undefined) await target.putBlob(top.bytes, index);
  return {
    reference,
    digest: fetched.digest,
    manifestDescriptor: fetched.descriptor,
    manifest,
    config,
    ...(index !== undefined ? { index } : {}),
  };
}

function manifestOf(fetched: FetchedManifest, name: string): ImageManifest {
  if (fetched.document.kind !== 'manifest') {
    throw new VcError('INTERNAL', `${name}: no image manifest`);
  }
  return fetched.document.manifest;
}

function parseConfig(bytes: Uint8Array, name: string): ImageConfigDocument {
  let doc: JsonValue;
  try {
    doc = parseJson(bytes, { mode: 'strict', integersOnly: false });
  } catch (cause) {
    throw new VcError('REGISTRY_ERROR', `${name}: the image config is not valid JSON`, { cause });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new VcError('REGISTRY_ERROR', `${name}: the image config is not a JSON object`);
  }
  return doc;
}

/** A single-platform image must be for the platform asked for (when its config says). */
function checkPlatform(config: ImageConfigDocument, want: Platform, name: string): void {
  const os = config['os'];
  const architecture = config['architecture'];
  if (typeof os !== 'string' || typeof architecture !== 'string') return;
  if (os === want.os && architecture === want.architecture) return;
  throw new VcError(
    'REGISTRY_NOT_FOUND',
    `${name} is ${os}/${architecture}, not ${formatPlatform(want)}`,
    { hint: 'use a multi-platform tag or a digest of the right platform' },
  );
}

function noPlatform(name: string, index: ImageIndex, want: Platform): VcError {
  const offered = index.manifests
    .flatMap((m) => (m.platform !== undefined ? [formatPlatform(m.platform)] : []))
    .filter((p) => p !== 'unknown/unknown');
  return new VcError(
    'REGISTRY_NOT_FOUND',
    `${name} has no ${formatPlatform(want)} image` +
      (offered.length > 0 ? ` (it has ${[...new Set(offered)].join(', ')})` : ''),
    { hint: 'pick an image built for this platform' },
  );
}
