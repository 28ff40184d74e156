// SPDX-License-Identifier: Apache-2.0
// The SLSA v1 provenance predicate of 02 §4.1 (build type cerro-torre/build/v1).
import { VcError } from '../errors.js';
import { canonicalize, type JsonValue } from '../json/index.js';
import type { Manifest } from '../manifest/index.js';
import { isRfc3339Utc } from '../time/index.js';
import {
  compareStrings,
  requireEpoch,
  requireSha256Hex,
  type ArtifactInput,
  type BaseImageInput,
  type ComposerPackageInput,
  type DebianDependencyInput,
} from './inputs.js';
import type { SecurityProfile } from './labels.js';
import { baseImagePurl, composerPurl, debPurl, genericPurl } from './purls.js';

export const CERRO_TORRE_BUILD_TYPE = 'https://verified-container.org/cerro-torre/build/v1';
export const CERRO_TORRE_BUILDER_ID = 'https://verified-container.org/cerro-torre/builder/local/v1';

/** A SLSA v1 ResourceDescriptor as 02 §4.1 fills it. */
export interface ResourceDescriptor {
  uri: string;
  digest: { sha256: string };
  name?: string;
  downloadLocation?: string;
  annotations?: { pocket: string; source: string; sourceVersion: string };
}

export interface FileParameter {
  path: string;
  digest: { sha256: string };
}

export interface SlsaProvenance {
  buildDefinition: {
    buildType: typeof CERRO_TORRE_BUILD_TYPE;
    externalParameters: {
      manifest: FileParameter;
      lock: FileParameter;
      context?: { digest: { sha256: string } };
      sourceDateEpoch: number;
      frozen: boolean;
      declared: Record<string, JsonValue>;
      security?: SecurityProfile | JsonValue;
    };
    internalParameters: {
      builderVersion: string;
      nodeVersion: string;
      mirrors: { debian: string; 'debian-security': string };
      hermetic: boolean;
      cached: boolean;
    };
    resolvedDependencies: ResourceDescriptor[];
  };
  runDetails: {
    builder: {
      id: typeof CERRO_TORRE_BUILDER_ID;
      version: { 'cerro-torre': string; node: string };
    };
    metadata: { invocationId: string; startedOn: string; finishedOn: string };
  };
}

/** A file given to `build`: the path as given and the sha256 of its bytes. */
export interface FileInput {
  readonly path: string;
  readonly sha256: string;
}

export interface ProvenanceInput {
  readonly manifest: FileInput;
  readonly lock: FileInput;
  /** Tree digest (02 §6) of the build-context files read; absent when none was read. */
  readonly contextDigest?: string;
  readonly sourceDateEpoch: number;
  readonly frozen: boolean;
  /** `externalParameters.declared`, e.g. from {@link declaredFromManifest}. */
  readonly declared: Readonly<Record<string, JsonValue>>;
  /** The normalised `[security]` JSON (the security label's value); absent when there is none. */
  readonly security?: SecurityProfile | JsonValue;
  readonly builderVersion: string;
  /** `process.version` without the `v`, or as the caller reports it. */
  readonly nodeVersion: string;
  readonly mirrors: { readonly debian: string; readonly debianSecurity: string };
  /** False when a composer step used the network. */
  readonly hermetic: boolean;
  readonly cached: boolean;
  /** Absent for `scratch`. */
  readonly base?: BaseImageInput;
  /** `VERSION_ID` of the image's os-release, for the deb purls (as in the SBOM). */
  readonly osVersionId?: string;
  /** Every Debian package in the image that has a .deb (not a foreign base's). */
  readonly debianPackages: readonly DebianDependencyInput[];
  readonly external?: readonly ArtifactInput[];
  readonly fetches?: readonly ArtifactInput[];
  readonly composer?: readonly ComposerPackageInput[];
  /** UUID v4. */
  readonly invocationId: string;
  /** Wall clock, `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly startedOn: string;
  readonly finishedOn: string;
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The provenance predicate of 02 §4.1. `resolvedDependencies` holds the base first, then every
 * Debian package, external dependency, fetch and composer package sorted by `uri` (identical items
 * once). Bad digests, epoch, invocation id or times throw `INVALID_ARGUMENT`.
 */
export function generateProvenance(input: ProvenanceInput): SlsaProvenance {
  if (!UUID_V4.test(input.invocationId)) {
    throw new VcError(
      'INVALID_ARGUMENT',
      `invocationId ${JSON.stringify(input.invocationId)} is not a lowercase UUID v4`,
    );
  }
  for (const [what, value] of [
    ['startedOn', input.startedOn],
    ['finishedOn', input.finishedOn],
  ] as const) {
    if (!isRfc3339Utc(value)) {
      throw new VcError(
        'INVALID_ARGUMENT',
        `${what} ${JSON.stringify(value)} is not YYYY-MM-DDTHH:MM:SSZ`,
      );
    }
  }
  const contextDigest =
    input.contextDigest === undefined
      ? undefined
      : requireSha256Hex(input.contextDigest, 'context tree digest');

  return {
    buildDefinition: {
      buildType: CERRO_TORRE_BUILD_TYPE,
      externalParameters: {
        manifest: fileParameter(input.manifest, 'manifest'),
        lock: fileParameter(input.lock, 'lock'),
        ...(contextDigest !== undefined ? { context: { digest: { sha256: contextDigest } } } : {}),
        sourceDateEpoch: requireEpoch(input.sourceDateEpoch),
        frozen: input.frozen,
        declared: { ...input.declared },
        ...(input.security !== undefined ? { security: input.security } : {}),
      },
      internalParameters: {
        builderVersion: input.builderVersion,
        nodeVersion: input.nodeVersion,
        mirrors: { debian: input.mirrors.debian, 'debian-security': input.mirrors.debianSecurity },
        hermetic: input.hermetic,
        cached: input.cached,
      },
      resolvedDependencies: resolvedDependencies(input),
    },
    runDetails: {
      builder: {
        id: CERRO_TORRE_BUILDER_ID,
        version: { 'cerro-torre': input.builderVersion, node: input.nodeVersion },
      },
      metadata: {
        invocationId: input.invocationId,
        startedOn: input.startedOn,
        finishedOn: input.finishedOn,
      },
    },
  };
}

function fileParameter(file: FileInput, what: string): FileParameter {
  return { path: file.path, digest: { sha256: requireSha256Hex(file.sha256, `${what} digest`) } };
}

function resolvedDependencies(input: ProvenanceInput): ResourceDescriptor[] {
  const items: ResourceDescriptor[] = [];
  for (const pkg of input.debianPackages) {
    items.push({
      uri: debPurl(pkg.name, pkg.version, pkg.architecture, input.osVersionId),
      digest: { sha256: requireSha256Hex(pkg.sha256, `sha256 of ${pkg.name}`) },
      name: pkg.name,
      downloadLocation: pkg.downloadLocation,
      annotations: { pocket: pkg.pocket, source: pkg.source, sourceVersion: pkg.sourceVersion },
    });
  }
  for (const artifact of [...(input.external ?? []), ...(input.fetches ?? [])]) {
    items.push({
      uri: genericPurl(artifact.name, artifact.version, artifact.sha256, artifact.url),
      digest: { sha256: requireSha256Hex(artifact.sha256, `sha256 of ${artifact.name}`) },
      downloadLocation: artifact.url,
    });
  }
  for (const pkg of input.composer ?? []) {
    items.push({
      uri: composerPurl(pkg.name, pkg.version),
      digest: { sha256: requireSha256Hex(pkg.treeDigest, `tree digest of ${pkg.name}`) },
    });
  }
  const unique = new Map<string, ResourceDescriptor>();
  for (const item of items) unique.set(canonicalize(item), item);
  const sorted = [...unique.entries()]
    .sort(([ka, a], [kb, b]) => compareStrings(a.uri, b.uri) || compareStrings(ka, kb))
    .map(([, item]) => item);
  if (input.base === undefined) return sorted;
  const hex = requireSha256Hex(input.base.manifestDigest, 'base manifest digest');
  return [{ uri: baseImagePurl(input.base.ref, hex), digest: { sha256: hex } }, ...sorted];
}

/**
 * `externalParameters.declared` from a manifest (02 §4.1): the non-empty `[provenance]` fields and
 * `metadata.category`/`tags`, under their manifest (kebab-case) names. The manifest is normalised,
 * so fields left at a non-empty default (`build-system = "cerro-torre"`) are included too.
 */
export function declaredFromManifest(
  manifest: Pick<Manifest, 'provenance' | 'metadata'>,
): Record<string, JsonValue> {
  const p = manifest.provenance;
  const fields: [string, string | readonly string[] | undefined][] = [
    ['build-system', p.buildSystem],
    ['build-version', p.buildVersion],
    ['source-hash-algorithm', p.sourceHashAlgorithm],
    ['source-hash', p.sourceHash],
    ['built-by', p.builtBy],
    ['build-timestamp', p.buildTimestamp],
    ['attestation-format', p.attestationFormat],
    ['category', manifest.metadata.category],
    ['tags', manifest.metadata.tags],
  ];
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of fields) {
    if (value === undefined || value.length === 0) continue;
    out[key] = typeof value === 'string' ? value : [...value];
  }
  return out;
}
