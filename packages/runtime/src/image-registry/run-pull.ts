// SPDX-License-Identifier: Apache-2.0
// 05 §4.1 for registry references: `run --pull missing|always|never` before the store lookup.
import { VcError } from '@verified-container/shared';
import type { TaskProgress } from '@verified-container/host';
import { resolveImage, type StoreImage } from '../image/index.js';
import type { PullPolicy } from './pull-policy.js';
import { pullStoreImage } from './pull-store-image.js';
import { registryOpener, type RegistryEnv, type RegistryFlags } from './registry-flags.js';

export interface RunPullOptions {
  readonly policy: PullPolicy;
  /** Auth files and logger of the process. */
  readonly registry: RegistryEnv;
  /** run's `--tls-verify`, `--creds` and `--authfile` (podman run's). */
  readonly flags?: RegistryFlags;
  readonly progress?: TaskProgress;
  /** One line before a pull starts (`vordr: pulling …`). */
  readonly say?: (text: string) => void;
}

/**
 * The store image a registry reference names, pulled first when the policy says so: `always`
 * pulls, `missing` pulls only when the store has no such reference, `never` only looks.
 */
export async function resolveRegistryImage(
  root: string,
  text: string,
  opts: RunPullOptions,
): Promise<StoreImage> {
  if (opts.policy !== 'always') {
    try {
      return await resolveImage(root, text);
    } catch (err) {
      const missing = err instanceof VcError && err.code === 'IMAGE_NOT_FOUND';
      if (!missing || opts.policy === 'never') throw err;
    }
  }
  opts.say?.(`vordr: pulling ${text}\n`);
  const pulled = await pullStoreImage({
    root,
    reference: text,
    openClient: registryOpener(opts.flags ?? {}, opts.registry),
    tool: 'vordr run',
    ...(opts.progress !== undefined ? { progress: opts.progress } : {}),
  });
  const stored = await resolveImage(root, text);
  // Another pull may have moved the tag meanwhile: run what this pull fetched.
  return stored.digest === pulled.digest ? stored : resolveImage(root, pulled.digest);
}
