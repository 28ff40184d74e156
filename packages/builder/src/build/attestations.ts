// SPDX-License-Identifier: Apache-2.0
// The statements of a build (02 §4–§6) wrapped in DSSE envelopes and one bundle (02 §11).
import {
  BUNDLE_MEDIA_TYPE,
  BUNDLE_VERSION,
  IN_TOTO_PAYLOAD_TYPE,
  serializeBundle,
  type AttestationBundle,
  type DsseEnvelope,
  type Statement,
} from '@verified-container/shared/attestation';
import { encodeBase64 } from '@verified-container/shared/crypto';
import {
  buildStatements,
  generateFileIntegrity,
  generateProvenance,
  generateSbom,
  type FileIntegrityPredicate,
  type OsRelease,
  type ProvenanceInput,
  type SbomInput,
  type SlsaProvenance,
  type SpdxDocument,
  SPDX_IMAGE_ID,
  SPDX_OPERATING_SYSTEM_ID,
} from '@verified-container/shared/generate';
import type { FileEntry } from '@verified-container/shared/image';
import { canonicalBytes } from '@verified-container/shared/json';

export interface AttestationsInput {
  readonly name: string;
  readonly version: string;
  /** `sha256:` of the image manifest. */
  readonly imageDigest: string;
  readonly sbom: Omit<SbomInput, 'name' | 'version' | 'imageDigestHex'>;
  readonly provenance: ProvenanceInput;
  /** The final merged root filesystem. */
  readonly rootfs: readonly FileEntry[];
  readonly builderVersion: string;
  /** Wall clock of the bundle's `metadata.createdAt`. */
  readonly createdAt: string;
}

export interface BuildAttestations {
  readonly sbom: SpdxDocument;
  readonly provenance: Statement<SlsaProvenance>;
  readonly fileIntegrity: Statement<FileIntegrityPredicate>;
  readonly bundle: AttestationBundle;
  /** The bundle file bytes (`JSON.stringify(bundle, null, 2)` + LF); its sha256 is the bundle digest. */
  readonly bundleText: string;
  /** Packages listed in the SBOM besides the image and its operating system. */
  readonly sbomPackages: number;
}

/**
 * Generates the SBOM, the SLSA provenance and the file-integrity statement of an image and puts
 * them, in bundle order, into DSSE envelopes with no signature: an unsigned bundle (02 §7, status
 * `unsigned`), which `cerro-torre sign` completes. Pure.
 */
export function buildAttestations(input: AttestationsInput): BuildAttestations {
  const sbom = generateSbom({
    ...input.sbom,
    name: input.name,
    version: input.version,
    imageDigestHex: input.imageDigest,
  });
  const provenance = generateProvenance(input.provenance);
  const fileIntegrity = generateFileIntegrity(input.rootfs);
  const statements = buildStatements({
    name: input.name,
    version: input.version,
    imageDigestHex: input.imageDigest,
    provenance,
    sbom,
    fileIntegrity,
  });
  const bundle: AttestationBundle = {
    mediaType: BUNDLE_MEDIA_TYPE,
    version: BUNDLE_VERSION,
    attestations: statements.map(unsignedEnvelope),
    logEntries: [],
    metadata: {
      producer: 'cerro-torre',
      producerVersion: input.builderVersion,
      createdAt: input.createdAt,
    },
  };
  return {
    sbom,
    provenance: statements[0] as Statement<SlsaProvenance>,
    fileIntegrity: statements[2] as Statement<FileIntegrityPredicate>,
    bundle,
    bundleText: serializeBundle(bundle),
    sbomPackages: sbom.packages.filter(
      (p) => p.SPDXID !== SPDX_IMAGE_ID && p.SPDXID !== SPDX_OPERATING_SYSTEM_ID,
    ).length,
  };
}

/** A DSSE envelope over the statement's JCS bytes, without signatures (02 §7). */
export function unsignedEnvelope(statement: object): DsseEnvelope {
  return {
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    payload: encodeBase64(canonicalBytes(statement)),
    signatures: [],
  };
}

/** `/etc/os-release` fields the SBOM uses (`ID`, `VERSION_ID`); undefined without an `ID`. */
export function parseOsRelease(text: string): OsRelease | undefined {
  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(raw);
    if (m === null) continue;
    let value = (m[2] ?? '').trim();
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    fields.set(m[1] ?? '', value.replace(/\\(["'$`\\])/g, '$1'));
  }
  const id = fields.get('ID');
  if (id === undefined || id === '') return undefined;
  const versionId = fields.get('VERSION_ID');
  return versionId === undefined || versionId === '' ? { id } : { id, versionId };
}

/** JSON for people: 2-space indented with a final LF (02 §1). */
export function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
