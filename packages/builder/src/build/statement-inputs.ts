// SPDX-License-Identifier: Apache-2.0
// What the SBOM, provenance and file-integrity statements of a build are made from (02 §5–§7).
import {
  declaredFromManifest,
  securityProfileFromManifest,
  treeDigest,
  type ArtifactInput,
} from '@verified-container/shared/generate';
import type { FileEntry, InstalledPackage } from '@verified-container/shared/image';
import type { Manifest } from '@verified-container/shared/manifest';
import type { MirrorKind } from '../debian/apt-sources.js';
import type { ContextInput, FetchedInput } from '../steps/step-inputs.js';
import { BUILDER_VERSION } from '../version.js';
import { parseOsRelease, type AttestationsInput } from './attestations.js';
import { fetchName } from './lock-stage.js';

export interface StatementFacts {
  readonly manifest: Manifest;
  /** The manifest as given on the command line. */
  readonly manifestFile: string;
  readonly manifestSha256: string;
  readonly lockDisplay: string;
  readonly lockSha256: string;
  readonly imageDigest: string;
  /** The final root filesystem. */
  readonly rootfs: readonly FileEntry[];
  /** `/etc/os-release` of the image ('' without one). */
  readonly osRelease: string;
  readonly sourceDateEpoch: number;
  readonly frozen: boolean;
  readonly mirrors: Readonly<Record<MirrorKind, string>>;
  /** Some layer of the build came from the layer cache. */
  readonly cached: boolean;
  readonly installed: readonly InstalledPackage[];
  readonly fetches: readonly FetchedInput[];
  readonly contextFiles: readonly ContextInput[];
  readonly invocationId: string;
  readonly startedOn: string;
  readonly finishedOn: string;
}

/** The input of `buildAttestations` from the facts of a finished build. Pure. */
export function statementInputs(f: StatementFacts): AttestationsInput {
  const { manifest } = f;
  const contextDigest =
    f.contextFiles.length === 0 ? undefined : treeDigest(f.contextFiles.map(contextEntry));
  const osRelease = parseOsRelease(f.osRelease);
  const external = externalArtifacts(manifest, f.fetches);
  const extraFetches: ArtifactInput[] = f.fetches
    .filter((x) => !external.some((e) => e.url === x.url))
    .map((x) => ({ name: fetchName(x.url), url: x.url, sha256: x.sha256 }));
  return {
    name: manifest.package.name,
    version: manifest.package.version,
    imageDigest: f.imageDigest,
    builderVersion: BUILDER_VERSION,
    createdAt: f.finishedOn,
    rootfs: f.rootfs,
    sbom: {
      builderVersion: BUILDER_VERSION,
      sourceDateEpoch: f.sourceDateEpoch,
      ...(manifest.metadata.maintainer !== undefined
        ? { maintainer: manifest.metadata.maintainer }
        : {}),
      ...(manifest.metadata.license !== undefined ? { license: manifest.metadata.license } : {}),
      ...(osRelease !== undefined ? { osRelease } : {}),
      debianPackages: f.installed,
      external,
      fetches: extraFetches,
    },
    provenance: {
      manifest: { path: f.manifestFile, sha256: f.manifestSha256 },
      lock: { path: f.lockDisplay, sha256: f.lockSha256 },
      ...(contextDigest !== undefined ? { contextDigest } : {}),
      sourceDateEpoch: f.sourceDateEpoch,
      frozen: f.frozen,
      declared: declaredFromManifest(manifest),
      security: securityProfileFromManifest(manifest),
      builderVersion: BUILDER_VERSION,
      nodeVersion: process.versions.node,
      mirrors: { debian: f.mirrors.debian, debianSecurity: f.mirrors['debian-security'] },
      hermetic: true,
      cached: f.cached,
      ...(osRelease?.versionId !== undefined ? { osVersionId: osRelease.versionId } : {}),
      debianPackages: f.installed,
      external,
      fetches: extraFetches,
      invocationId: f.invocationId,
      startedOn: f.startedOn,
      finishedOn: f.finishedOn,
    },
  };
}

/** External dependencies a `fetch` step downloaded (their source URL), for SBOM and provenance. */
function externalArtifacts(manifest: Manifest, fetches: readonly FetchedInput[]): ArtifactInput[] {
  const out: ArtifactInput[] = [];
  for (const [name, e] of Object.entries(manifest.dependencies.external)) {
    const f = fetches.find((x) => x.url === e.source);
    if (f === undefined) continue;
    out.push({ name, version: e.version, url: e.source, sha256: f.sha256, license: e.license });
  }
  return out;
}

/** A context file as a file-integrity row (paths rooted at the context, 02 §6 tree digest). */
function contextEntry(f: ContextInput): FileEntry {
  return {
    path: `/${f.path}`,
    type: 'f',
    mode: f.mode,
    uid: 0,
    gid: 0,
    size: f.size,
    digest: f.sha256,
    mtime: 0,
  };
}
