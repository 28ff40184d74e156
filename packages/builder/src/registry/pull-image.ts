// SPDX-License-Identifier: Apache-2.0
// Pulling a registry base (01 §4) into the store's blobs with the shared registry client: a
// missing image is the build's BUILD_BASE_NOT_FOUND, a digest mismatch BUILD_HASH_MISMATCH.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import {
  formatReference,
  openRegistryClient,
  parseRegistryReference,
  pullImage as pullRegistryImage,
  type PulledImage,
  type RegistryClient,
  type RegistryDeps,
  type RegistryReference,
} from '@verified-container/host/registry';
import type { Platform } from '@verified-container/shared/oci';
import type { BuildProgress } from '../build/progress.js';
import type { OciLayoutStore } from '../store/oci-layout-store.js';

export type { ImageConfigDocument, PulledImage } from '@verified-container/host/registry';
export { MAX_CONFIG_BYTES } from '@verified-container/host/registry';

/** How cerro-torre's registry clients name themselves and their digest mismatches. */
export const BUILDER_REGISTRY_CLIENT = {
  mismatchCode: 'BUILD_HASH_MISMATCH',
  userAgent: 'cerro-torre',
} as const;

export interface PullImageOptions extends Partial<Omit<RegistryDeps, 'mismatchCode'>> {
  readonly store: OciLayoutStore;
  /** The platform to take from an index (`{os: 'linux', architecture: 'amd64'}`). */
  readonly platform: Platform;
  /** A client to use instead of one opened from the auth files. */
  readonly client?: RegistryClient;
  readonly progress?: BuildProgress;
}

/**
 * Pulls `ref` (`<host>/<repo>[:<tag>][@sha256:<hex>]`) into the store's blob directory (see the
 * host's pullImage). Auth files are read from `env`/`homeDir` (default: the process's).
 *
 * Errors: a pinned digest or a blob that differs from the received bytes → BUILD_HASH_MISMATCH
 * (nothing of it is stored); no such manifest, or no image for `platform` → BUILD_BASE_NOT_FOUND;
 * registry unreachable → REGISTRY_UNAVAILABLE (exit 3); 401/403 → REGISTRY_UNAUTHORIZED.
 */
export async function pullImage(
  ref: string | RegistryReference,
  opts: PullImageOptions,
): Promise<PulledImage> {
  const reference = typeof ref === 'string' ? parseRegistryReference(ref, 'image') : ref;
  const name = formatReference(reference);
  const client =
    opts.client ??
    (await openRegistryClient(reference, {
      ...BUILDER_REGISTRY_CLIENT,
      env: opts.env ?? process.env,
      homeDir: opts.homeDir ?? homedir(),
      ...(opts.transport !== undefined ? { transport: opts.transport } : {}),
      ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
      ...(opts.insecure !== undefined ? { insecure: opts.insecure } : {}),
    }));
  const store = opts.store;
  try {
    return await pullRegistryImage(reference, {
      client,
      platform: opts.platform,
      target: {
        hasBlob: (digest) => store.hasBlob(digest),
        putBlob: (bytes, expected) => store.putBlob(bytes, expected),
        layers: { tmpDir: store.dir, dir: join(store.dir, 'blobs', 'sha256') },
      },
      ...(opts.progress !== undefined ? { progress: opts.progress } : {}),
    });
  } catch (err) {
    if (err instanceof VcError && err.code === 'REGISTRY_NOT_FOUND') {
      throw new VcError('BUILD_BASE_NOT_FOUND', `base image ${name}: ${err.message}`, {
        cause: err,
        hint: 'check the registry, repository, tag, digest and platform of [base] image',
        details: { base: name },
      });
    }
    throw err;
  }
}
