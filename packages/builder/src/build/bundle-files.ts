// SPDX-License-Identifier: Apache-2.0
// The files of an image's bundle directory and .ctp package (02 §2, §3).
import type { ContentStore } from '../content/content-store.js';
import type { ContextInput } from '../steps/step-inputs.js';
import { BUILDER_VERSION, BUNDLE_VERSION } from '../version.js';
import { prettyJson, type BuildAttestations } from './attestations.js';
import type { BundleFile } from './commit.js';
import { sourceMembers } from './out-files.js';
import { packageManifestToml } from './package-manifest.js';

export interface BundleFilesInput {
  readonly name: string;
  readonly version: string;
  readonly imageDigest: string;
  readonly sourceDateEpoch: number;
  readonly attestations: BuildAttestations;
  readonly manifestBytes: Uint8Array;
  readonly lockText: string;
  /** Context files the steps read: packaged under `source/context/`. */
  readonly contextFiles: readonly ContextInput[];
  readonly content: ContentStore;
}

/** `manifest.toml`, the attestations, the manifest and lock, and the context files read. */
export async function bundleFilesOf(input: BundleFilesInput): Promise<BundleFile[]> {
  const { attestations } = input;
  const sourceNames = sourceMembers(input.name);
  const files: BundleFile[] = [
    {
      path: 'manifest.toml',
      bytes: Buffer.from(
        packageManifestToml({
          name: input.name,
          version: input.version,
          imageDigest: input.imageDigest,
          builderVersion: BUILDER_VERSION,
          bundleVersion: BUNDLE_VERSION,
          sourceDateEpoch: input.sourceDateEpoch,
        }),
      ),
    },
    { path: 'attestations/bundle.json', bytes: Buffer.from(attestations.bundleText) },
    { path: 'attestations/sbom.spdx.json', bytes: Buffer.from(prettyJson(attestations.sbom)) },
    {
      path: 'attestations/provenance.json',
      bytes: Buffer.from(prettyJson(attestations.provenance)),
    },
    {
      path: 'attestations/file-integrity.json',
      bytes: Buffer.from(prettyJson(attestations.fileIntegrity)),
    },
    { path: sourceNames.manifest, bytes: input.manifestBytes },
    { path: sourceNames.lock, bytes: Buffer.from(input.lockText) },
  ];
  for (const f of input.contextFiles) {
    files.push({ path: `source/context/${f.path}`, bytes: await input.content.read(f.sha256) });
  }
  return files;
}
