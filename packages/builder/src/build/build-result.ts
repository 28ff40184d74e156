// SPDX-License-Identifier: Apache-2.0
// The result of a build (01 §9 `--json`), for a fresh build and a cache hit alike.
import type { Manifest } from '@verified-container/shared/manifest';
import type { BuildResult, BuildStatus, LayerReport } from './build-types.js';
import { bundleDirOf } from './commit.js';
import type { OutFiles } from './out-files.js';

/** What differs between builds of the same manifest. */
export interface ResultFields {
  readonly imageDigest: string;
  readonly layers: readonly LayerReport[];
  readonly sbomPackages: number;
  readonly lockWritten: boolean;
  readonly cached: boolean;
  readonly signing: SigningFields;
}

/** What signing and publishing did (02 §10, 03 §10). */
export interface SigningFields {
  readonly status: BuildStatus;
  readonly signedBy: readonly string[];
  readonly met: boolean;
  readonly entries: readonly { readonly logId: string; readonly logIndex: number }[];
  readonly published: boolean;
}

export const UNSIGNED: SigningFields = {
  status: 'unsigned',
  signedBy: [],
  met: false,
  entries: [],
  published: false,
};

/** The result document. */
export function buildResultOf(
  manifest: Manifest,
  fields: ResultFields & {
    readonly out: OutFiles;
    readonly lockPath: string;
    readonly root: string;
    readonly tags: readonly string[];
    /** `performance.now()` when the build started. */
    readonly started: number;
  },
): BuildResult {
  const { out } = fields;
  return {
    status: fields.signing.status,
    image: {
      name: manifest.package.name,
      tags: fields.tags,
      digest: fields.imageDigest,
      layers: fields.layers,
    },
    package: out.package,
    bundle: out.bundle,
    sbom: { path: out.sbom, packages: fields.sbomPackages },
    provenance: out.provenance,
    lock: { path: fields.lockPath, written: fields.lockWritten },
    signatures: {
      threshold: manifest.attestations.signing.threshold?.text ?? null,
      keyholders: [...manifest.attestations.signing.keyholders],
      signedBy: fields.signing.signedBy,
      met: fields.signing.met,
    },
    transparency: {
      agreement: manifest.attestations.transparency.thresholdAgreement?.text ?? null,
      entries: fields.signing.entries,
      published: fields.signing.published,
    },
    cached: fields.cached,
    durationMs: Math.round(performance.now() - fields.started),
    bundleDir: bundleDirOf(fields.root, fields.imageDigest),
  };
}
