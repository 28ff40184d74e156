// SPDX-License-Identifier: Apache-2.0
// `manifest.toml` of a .ctp package and of a store bundle (02 §3).
import { epochToRfc3339 } from '../oci/image-config.js';

export interface PackageManifestInput {
  readonly name: string;
  readonly version: string;
  /** `sha256:` of the image manifest. */
  readonly imageDigest: string;
  readonly builderVersion: string;
  readonly bundleVersion: string;
  readonly sourceDateEpoch: number;
}

/** The TOML text; strings are JSON-escaped, which TOML basic strings accept. Pure. */
export function packageManifestToml(input: PackageManifestInput): string {
  const s = (v: string) => JSON.stringify(v);
  return [
    `name = ${s(input.name)}`,
    `version = ${s(input.version)}`,
    `image_digest = ${s(input.imageDigest)}`,
    '',
    '[metadata]',
    `builder = ${s(`cerro-torre ${input.builderVersion}`)}`,
    `build_timestamp = ${s(epochToRfc3339(input.sourceDateEpoch))}`,
    `bundle_version = ${s(input.bundleVersion)}`,
    '',
  ].join('\n');
}
