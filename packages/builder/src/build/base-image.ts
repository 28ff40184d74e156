// SPDX-License-Identifier: Apache-2.0
// The base of a build (01 §4): its layers, config and merged file table.
import { VcError } from '@verified-container/shared';
import type { FileEntry } from '@verified-container/shared/image';
import type { BaseImage } from '@verified-container/shared/manifest';
import type { BaseConfig } from '../oci/image-config.js';
import type { Descriptor } from '../oci/media-types.js';

/** A base layer as it is reused: same blob, same digest (01 §6.2). */
export interface BaseLayer {
  readonly descriptor: Descriptor;
  readonly diffId: string;
}

export interface ResolvedBase {
  /** `[base] image` as written. */
  readonly ref: string;
  /** `sha256:` of the base's image manifest; null for `scratch`. */
  readonly digest: string | null;
  readonly layers: readonly BaseLayer[];
  readonly config?: BaseConfig;
  /** The merged root filesystem of the base's layers. */
  readonly table: ReadonlyMap<string, FileEntry>;
  /** Debian suite the base implies (`cerro-torre/debian:<suite>`, or its os-release). */
  readonly suite?: string;
}

/** The empty base. */
export const SCRATCH_BASE: ResolvedBase = {
  ref: 'scratch',
  digest: null,
  layers: [],
  table: new Map(),
};

/**
 * Resolves `[base] image`. Only `scratch` is built in yet; the other forms fail with a coded
 * error saying what to use instead (UNSUPPORTED), so no build silently starts from the wrong root.
 */
export function resolveBase(ref: string, form: BaseImage): ResolvedBase {
  switch (form.kind) {
    case 'scratch':
      return SCRATCH_BASE;
    case 'debian':
      throw new VcError(
        'UNSUPPORTED',
        `base ${ref}: building the cerro-torre/debian base images is not available in this builder yet`,
        {
          hint: 'use [base] image = "scratch" with the Debian packages you need (install = "extract")',
          details: { base: ref },
        },
      );
    case 'oci-layout':
      throw new VcError(
        'UNSUPPORTED',
        `base ${ref}: oci: layout bases are not available in this builder yet`,
        {
          hint: 'use [base] image = "scratch" with the Debian packages you need',
          details: { base: ref },
        },
      );
    case 'registry':
      throw new VcError(
        'UNSUPPORTED',
        `base ${ref}: registry bases are not available in this builder yet`,
        {
          hint: 'use [base] image = "scratch" with the Debian packages you need',
          details: { base: ref },
        },
      );
  }
}
