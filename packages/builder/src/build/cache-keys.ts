// SPDX-License-Identifier: Apache-2.0
// Cache keys of 01 §6.4: sha256 of JCS, so equal inputs give equal keys on any host.
import { sha256Hex } from '@verified-container/shared/crypto';
import { canonicalize, type JsonValue } from '@verified-container/shared/json';

export type LayerKind = 'packages' | 'steps';

export interface LayerKeyInput {
  readonly kind: LayerKind;
  /** diff_ids of the layers below, bottom-up. */
  readonly lower: readonly string[];
  /** What the layer is made of (locked packages + mode + globs, or the steps + input hashes). */
  readonly inputs: JsonValue;
  readonly sourceDateEpoch: number;
  readonly builderVersion: string;
}

/** Key of a layer: sha256 hex of JCS `{kind, lower, inputs, sourceDateEpoch, builderVersion}`. */
export function layerCacheKey(input: LayerKeyInput): string {
  return sha256Hex(
    canonicalize({
      kind: input.kind,
      lower: [...input.lower],
      inputs: input.inputs,
      sourceDateEpoch: input.sourceDateEpoch,
      builderVersion: input.builderVersion,
    }),
  );
}

export interface BuildKeyInput {
  /** sha256 hex of the manifest file bytes. */
  readonly manifestSha256: string;
  /** sha256 hex of the lock file bytes. */
  readonly lockSha256: string;
  /** Tree digest of the context files read; null when none is read. */
  readonly contextDigest: string | null;
  readonly sourceDateEpoch: number;
  readonly builderVersion: string;
  /** Node's zlib: the compressed bytes, and so the image digest, depend on it (01 §6.3). */
  readonly zlibVersion: string;
}

/** Key of a whole build: manifest, lock, context, epoch and builder (01 §6.4). */
export function buildCacheKey(input: BuildKeyInput): string {
  return sha256Hex(
    canonicalize({
      manifest: input.manifestSha256,
      lock: input.lockSha256,
      context: input.contextDigest,
      sourceDateEpoch: input.sourceDateEpoch,
      builderVersion: input.builderVersion,
      zlib: input.zlibVersion,
    }),
  );
}
