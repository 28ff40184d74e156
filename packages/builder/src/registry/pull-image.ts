// SPDX-License-Identifier: Apache-2.0
// Pulling a registry base (01 §4) into the store's blobs: manifest, config and layers, every
// byte checked against its digest. Nothing is tagged.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { parseJson, type JsonValue } from '@verified-container/shared/json';
import { formatBytes, silentProgress, type BuildProgress } from '../build/progress.js';
import { shortDigest } from '../build/summary.js';
import type { Descriptor } from '../oci/media-types.js';
import type { OciLayoutStore } from '../store/oci-layout-store.js';
import {
  formatPlatform,
  selectPlatform,
  type ImageIndex,
  type ImageManifest,
  type Platform,
} from './image-documents.js';
import { openRegistryClient, type RegistryDeps } from './open-registry.js';
import { formatReference, parseRegistryReference, type RegistryReference } from './reference.js';
import type { FetchedManifest, RegistryClient } from './registry-client.js';

/** The largest image config accepted, bytes. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export interface PullImageOptions extends Partial<RegistryDeps> {
  readonly store: OciLayoutStore;
  /** The platform to take from an index (`{os: 'linux', architecture: 'amd64'}`). */
  readonly platform: Platform;
  /** A client to use instead of one opened from the auth files. */
  readonly client?: RegistryClient;
  readonly progress?: BuildProgress;
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
 * Pulls `ref` (`<host>/<repo>[:<tag>][@sha256:<hex>]`) into the store's blob directory: the
 * manifest, its config and layers, and the index when the reference names one (the entry for
 * `platform` is taken). Blobs already stored are not fetched again. Auth files are read from
 * `env`/`homeDir` (default: the process's).
 *
 * Errors: a pinned digest that differs from the received bytes, or a blob whose bytes do not
 * hash to its descriptor → BUILD_HASH_MISMATCH (nothing of it is stored); no such manifest, or no
 * entry for the platform → BUILD_BASE_NOT_FOUND; registry unreachable → REGISTRY_UNAVAILABLE
 * (exit 3); 401/403 → REGISTRY_UNAUTHORIZED.
 */
export async function pullImage(
  ref: string | RegistryReference,
  opts: PullImageOptions,
): Promise<PulledImage> {
  const reference = typeof ref === 'string' ? parseRegistryReference(ref, 'image') : ref;
  const name = formatReference(reference);
  const progress = opts.progress ?? silentProgress;
  const client =
    opts.client ??
    (await openRegistryClient(reference, {
      env: opts.env ?? process.env,
      homeDir: opts.homeDir ?? homedir(),
      ...(opts.transport !== undefined ? { transport: opts.transport } : {}),
      ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
      ...(opts.insecure !== undefined ? { insecure: opts.insecure } : {}),
    }));
  const repo = reference.repository;

  const top = await baseManifest(client, repo, reference.digest ?? reference.tag, name);
  let fetched = top;
  let index: Descriptor | undefined;
  if (top.document.kind === 'index') {
    index = top.descriptor;
    const entry = selectPlatform(top.document.index, opts.platform);
    if (entry === undefined) throw noPlatform(name, top.document.index, opts.platform);
    fetched = await baseManifest(client, repo, entry.digest, name, entry);
    if (fetched.document.kind !== 'manifest') {
      throw new VcError(
        'REGISTRY_ERROR',
        `${name}: the ${formatPlatform(opts.platform)} entry is an index`,
      );
    }
  }
  const manifest = fetched.document.kind === 'manifest' ? fetched.document.manifest : undefined;
  if (manifest === undefined) throw new VcError('INTERNAL', `${name}: no image manifest`);

  const configBytes = await client.readBlob(repo, manifest.config, MAX_CONFIG_BYTES);
  const config = parseConfig(configBytes, name);
  checkPlatform(config, opts.platform, name);
  await opts.store.putBlob(configBytes, manifest.config);

  const blobs = { tmpDir: opts.store.dir, dir: join(opts.store.dir, 'blobs', 'sha256') };
  for (const layer of manifest.layers) {
    if (await opts.store.hasBlob(layer.digest)) continue;
    const task = `pulling ${shortDigest(layer.digest)}`;
    progress.begin(task, formatBytes(layer.size));
    await client.downloadBlob(repo, layer, blobs, (done) =>
      progress.advance(task, done, layer.size),
    );
    progress.end(task, formatBytes(layer.size));
  }
  // The manifest goes in last, so a stored manifest always has its blobs.
  await opts.store.putBlob(fetched.bytes, fetched.descriptor);
  if (index !== undefined) await opts.store.putBlob(top.bytes, index);
  return {
    reference,
    digest: fetched.digest,
    manifestDescriptor: fetched.descriptor,
    manifest,
    config,
    ...(index !== undefined ? { index } : {}),
  };
}

async function baseManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  name: string,
  expected?: Descriptor,
): Promise<FetchedManifest> {
  try {
    return await client.getManifest(repository, reference, expected);
  } catch (err) {
    if (err instanceof VcError && err.code === 'REGISTRY_NOT_FOUND') {
      throw new VcError('BUILD_BASE_NOT_FOUND', `base image ${name}: ${err.message}`, {
        cause: err,
        hint: 'check the registry, repository, tag and digest of [base] image',
        details: { base: name },
      });
    }
    throw err;
  }
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
    'BUILD_BASE_NOT_FOUND',
    `base image ${name} is ${os}/${architecture}, the build needs ${formatPlatform(want)}`,
    { hint: 'use a multi-platform tag or a digest of the right platform', details: { base: name } },
  );
}

function noPlatform(name: string, index: ImageIndex, want: Platform): VcError {
  const offered = index.manifests
    .flatMap((m) => (m.platform !== undefined ? [formatPlatform(m.platform)] : []))
    .filter((p) => p !== 'unknown/unknown');
  return new VcError(
    'BUILD_BASE_NOT_FOUND',
    `base image ${name} has no ${formatPlatform(want)} image` +
      (offered.length > 0 ? ` (it has ${[...new Set(offered)].join(', ')})` : ''),
    { hint: 'pick an image built for this platform', details: { base: name } },
  );
}
