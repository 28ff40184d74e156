// SPDX-License-Identifier: Apache-2.0
import type { ErrorObject } from 'ajv';
import { sha256HexOf } from '../crypto/index.js';
import type { Problem } from '../errors.js';
import type { PathSegment } from '../json/index.js';
import { childPath, isJsonObject } from './check-helpers.js';
import { localLicenseRefs, parseLicenseExpression } from './sbom-license.js';
import { parsePurl } from './sbom-purl.js';
import { validate as validateSpdxSchema } from './spdx-validator.generated.js';
import { isRfc3339Utc } from '../time/rfc3339.js';

export const SBOM_INVALID = 'SBOM_INVALID';
/** SPDXID of the document itself (SPDX 2.3 §6.3). */
export const SPDX_DOCUMENT_ID = 'SPDXRef-DOCUMENT';

export interface CheckSbomOptions {
  /**
   * The image digest (64 hex, a `sha256:` prefix accepted): the described CONTAINER package's
   * SHA256 must equal it (02 §5 rule 3). Without it only the package's purpose is checked.
   */
  readonly subjectDigestHex?: string;
  /** JSONPath of the document, for SBOMs inside a statement. Default `$`. */
  readonly path?: string;
}

/**
 * Checks an SPDX 2.3 JSON document (02 §5): the SPDX 2.3 JSON schema (draft-07, every error) and
 * the semantic rules 1–7. Every problem has code `SBOM_INVALID` and the JSONPath of its cause;
 * schema problems come first, then the semantic ones in rule order. An empty list means valid.
 */
export function checkSbom(doc: unknown, opts: CheckSbomOptions = {}): Problem[] {
  const base = opts.path ?? '$';
  const problems: Problem[] = [];
  if (!validateSpdx(doc)) {
    for (const error of validateSpdx.errors ?? []) problems.push(schemaProblem(doc, error, base));
  }
  if (!isJsonObject(doc)) return problems;
  const ctx = new SbomChecker(doc, base, problems);
  ctx.checkDocument();
  ctx.checkElements();
  ctx.checkDescribes(opts.subjectDigestHex);
  ctx.checkVerificationCodes();
  ctx.checkLicenses();
  ctx.checkChecksumsDatesPurls();
  ctx.checkPackageKinds();
  return problems;
}

/** An ajv validator: true when valid, else its `errors` say why. */
interface SchemaValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * The SPDX schema validator, compiled ahead of time by scripts/generate-spdx-validator.js (ajv
 * standalone code, options { allErrors: true, strict: false }): no ajv import and no schema
 * compilation at run time.
 */
const validateSpdx = validateSpdxSchema as SchemaValidator;

const SPDX_ID = /^SPDXRef-[A-Za-z0-9.-]+$/;
const EXTERNAL_ID = /^DocumentRef-[A-Za-z0-9.-]+:SPDXRef-[A-Za-z0-9.-]+$/;
const LICENSE_REF_ID = /^LicenseRef-[A-Za-z0-9.-]+$/;
const LOWER_HEX = /^[0-9a-f]+$/;

/** Hex length of each SPDX 2.3 checksum algorithm; [min, max] for the variable-length ones. */
const CHECKSUM_HEX_LENGTH: Readonly<Record<string, number | readonly [number, number]>> = {
  SHA1: 40,
  SHA224: 56,
  SHA256: 64,
  SHA384: 96,
  SHA512: 128,
  'SHA3-256': 64,
  'SHA3-384': 96,
  'SHA3-512': 128,
  'BLAKE2b-256': 64,
  'BLAKE2b-384': 96,
  'BLAKE2b-512': 128,
  BLAKE3: [64, 1024],
  MD2: 32,
  MD4: 32,
  MD5: 32,
  MD6: [2, 128],
  ADLER32: 8,
};

type Json = Record<string, unknown>;

class SbomChecker {
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly doc: Json,
    private readonly base: string,
    private readonly problems: Problem[],
  ) {}

  private path(...segments: PathSegment[]): string {
    return childPath(this.base, ...segments);
  }

  private report(message: string, ...segments: PathSegment[]): void {
    this.problems.push({ code: SBOM_INVALID, message, path: this.path(...segments) });
  }

  private items(member: string): [Json, number][] {
    const value = this.doc[member];
    if (!Array.isArray(value)) return [];
    return value.flatMap((item: unknown, i) => (isJsonObject(item) ? [[item, i]] : []));
  }

  /** Rule 1, plus the fixed document fields of SPDX 2.3 §6. */
  checkDocument(): void {
    const { spdxVersion, dataLicense, SPDXID, documentNamespace } = this.doc;
    if (typeof spdxVersion === 'string' && spdxVersion !== 'SPDX-2.3') {
      this.report(`spdxVersion is ${JSON.stringify(spdxVersion)}, not "SPDX-2.3"`, 'spdxVersion');
    }
    if (typeof dataLicense === 'string' && dataLicense !== 'CC0-1.0') {
      this.report('dataLicense must be "CC0-1.0"', 'dataLicense');
    }
    if (typeof SPDXID === 'string' && SPDXID !== SPDX_DOCUMENT_ID) {
      this.report(`the document's SPDXID must be "${SPDX_DOCUMENT_ID}"`, 'SPDXID');
    }
    if (documentNamespace === undefined) {
      this.report('documentNamespace is required', 'documentNamespace');
    } else if (
      typeof documentNamespace === 'string' &&
      !isAbsoluteUriWithoutFragment(documentNamespace)
    ) {
      this.report(
        `documentNamespace ${JSON.stringify(documentNamespace)} is not an absolute URI without "#"`,
        'documentNamespace',
      );
    }
  }

  /** Rule 2: SPDXIDs unique and well-formed; every reference to an element resolves. */
  checkElements(): void {
    if (typeof this.doc.SPDXID === 'string') this.ids.set(this.doc.SPDXID, this.path('SPDXID'));
    for (const member of ['packages', 'files', 'snippets']) {
      for (const [item, i] of this.items(member)) {
        const id = item.SPDXID;
        if (typeof id !== 'string') continue;
        if (!SPDX_ID.test(id)) {
          this.report(
            `SPDXID ${JSON.stringify(id)} does not match ^SPDXRef-[A-Za-z0-9.-]+$`,
            member,
            i,
            'SPDXID',
          );
        }
        const first = this.ids.get(id);
        if (first !== undefined) {
          this.report(`SPDXID ${id} is used twice (first at ${first})`, member, i, 'SPDXID');
        } else {
          this.ids.set(id, this.path(member, i, 'SPDXID'));
        }
      }
    }
    for (const [rel, i] of this.items('relationships')) {
      this.checkReference(rel.spdxElementId, false, 'relationships', i, 'spdxElementId');
      this.checkReference(rel.relatedSpdxElement, true, 'relationships', i, 'relatedSpdxElement');
    }
    const describes = this.doc.documentDescribes;
    if (Array.isArray(describes)) {
      describes.forEach((id: unknown, i) => this.checkReference(id, false, 'documentDescribes', i));
    }
    for (const [pkg, i] of this.items('packages')) {
      if (!Array.isArray(pkg.hasFiles)) continue;
      pkg.hasFiles.forEach((id: unknown, j) =>
        this.checkReference(id, false, 'packages', i, 'hasFiles', j),
      );
    }
    for (const [snippet, i] of this.items('snippets')) {
      this.checkReference(snippet.snippetFromFile, false, 'snippets', i, 'snippetFromFile');
    }
  }

  private checkReference(id: unknown, noneAllowed: boolean, ...segments: PathSegment[]): void {
    if (typeof id !== 'string') return;
    if (this.ids.has(id) || EXTERNAL_ID.test(id)) return;
    if (noneAllowed && (id === 'NONE' || id === 'NOASSERTION')) return;
    this.report(`${JSON.stringify(id)} is not an SPDXID of this document`, ...segments);
  }

  /** Rule 3: exactly one DESCRIBES from the document, to the CONTAINER package of the subject. */
  checkDescribes(subjectDigestHex: string | undefined): void {
    const docId = typeof this.doc.SPDXID === 'string' ? this.doc.SPDXID : SPDX_DOCUMENT_ID;
    // target → path of the first statement of it; DESCRIBED_BY and documentDescribes say the same
    const targets = new Map<string, PathSegment[]>();
    const add = (target: unknown, segments: PathSegment[]) => {
      if (typeof target !== 'string') return;
      if (targets.size > 0 && !targets.has(target)) {
        const first = [...targets.keys()][0] ?? '';
        this.report(
          `the document DESCRIBES ${target} as well as ${first}; exactly one is required`,
          ...segments,
        );
      }
      if (!targets.has(target)) targets.set(target, segments);
    };
    for (const [rel, i] of this.items('relationships')) {
      if (rel.relationshipType === 'DESCRIBES' && rel.spdxElementId === docId) {
        add(rel.relatedSpdxElement, ['relationships', i, 'relatedSpdxElement']);
      } else if (rel.relationshipType === 'DESCRIBED_BY' && rel.relatedSpdxElement === docId) {
        add(rel.spdxElementId, ['relationships', i, 'spdxElementId']);
      }
    }
    const describes = this.doc.documentDescribes;
    if (Array.isArray(describes)) {
      describes.forEach((id: unknown, i) => add(id, ['documentDescribes', i]));
    }
    const first = [...targets.entries()][0];
    if (first === undefined) {
      this.report(`no DESCRIBES relationship from ${docId}`, 'relationships');
      return;
    }
    if (targets.size > 1) return;
    const [target, segments] = first;
    const found = this.items('packages').find(([pkg]) => pkg.SPDXID === target);
    if (found === undefined) {
      // an unresolved SPDXID was reported by rule 2 already
      const resolved = this.ids.has(target) || !SPDX_ID.test(target);
      if (resolved) {
        this.report(
          `the document describes ${target}, which is not a package of this document`,
          ...segments,
        );
      }
      return;
    }
    const [pkg, i] = found;
    if (pkg.primaryPackagePurpose !== 'CONTAINER') {
      this.report(
        `the described package ${target} must have primaryPackagePurpose "CONTAINER"`,
        'packages',
        i,
        'primaryPackagePurpose',
      );
    }
    if (subjectDigestHex === undefined) return;
    const want = sha256HexOf(subjectDigestHex) ?? subjectDigestHex;
    const checksums = Array.isArray(pkg.checksums) ? (pkg.checksums as unknown[]) : [];
    const j = checksums.findIndex((c) => isJsonObject(c) && c.algorithm === 'SHA256');
    const sha = checksums[j];
    if (j < 0 || !isJsonObject(sha)) {
      this.report(
        `the described package ${target} has no SHA256 checksum`,
        'packages',
        i,
        'checksums',
      );
    } else if (typeof sha.checksumValue !== 'string' || sha.checksumValue.toLowerCase() !== want) {
      this.report(
        `the described package's SHA256 ${String(sha.checksumValue)} is not the subject digest ${want}`,
        'packages',
        i,
        'checksums',
        j,
        'checksumValue',
      );
    }
  }

  /** Rule 4: a package whose files were analysed carries its verification code. */
  checkVerificationCodes(): void {
    for (const [pkg, i] of this.items('packages')) {
      const analysed = pkg.filesAnalyzed === true || pkg.filesAnalyzed === undefined;
      if (!analysed || pkg.packageVerificationCode !== undefined) continue;
      this.report(
        'filesAnalyzed is true (or absent) but packageVerificationCode is missing',
        'packages',
        i,
        'packageVerificationCode',
      );
    }
  }

  /** Rule 5: licence fields are NOASSERTION, NONE or an expression over declared LicenseRefs. */
  checkLicenses(): void {
    const declared = new Set<string>();
    for (const [info, i] of this.items('hasExtractedLicensingInfos')) {
      const id = info.licenseId;
      if (typeof id !== 'string') continue;
      if (!LICENSE_REF_ID.test(id)) {
        this.report(
          `licenseId ${JSON.stringify(id)} does not match ^LicenseRef-[A-Za-z0-9.-]+$`,
          'hasExtractedLicensingInfos',
          i,
          'licenseId',
        );
      } else if (declared.has(id)) {
        this.report(`${id} is declared twice`, 'hasExtractedLicensingInfos', i, 'licenseId');
      }
      declared.add(id);
    }
    const fields: [string, string[], string[]][] = [
      ['packages', ['licenseConcluded', 'licenseDeclared'], ['licenseInfoFromFiles']],
      ['files', ['licenseConcluded'], ['licenseInfoInFiles']],
      ['snippets', ['licenseConcluded'], ['licenseInfoInSnippets']],
    ];
    for (const [member, single, lists] of fields) {
      for (const [item, i] of this.items(member)) {
        for (const field of single) this.checkLicense(item[field], declared, member, i, field);
        for (const field of lists) {
          const list = item[field];
          if (!Array.isArray(list)) continue;
          list.forEach((value: unknown, j) =>
            this.checkLicense(value, declared, member, i, field, j),
          );
        }
      }
    }
  }

  private checkLicense(
    value: unknown,
    declared: ReadonlySet<string>,
    ...segments: PathSegment[]
  ): void {
    if (typeof value !== 'string' || value === 'NOASSERTION' || value === 'NONE') return;
    const parsed = parseLicenseExpression(value);
    if (!parsed.ok) {
      this.report(
        `invalid licence expression ${JSON.stringify(value)}: ${parsed.error}`,
        ...segments,
      );
      return;
    }
    for (const ref of new Set(localLicenseRefs(parsed.expression))) {
      if (!declared.has(ref)) {
        this.report(`${ref} is not declared in hasExtractedLicensingInfos`, ...segments);
      }
    }
  }

  /** Rule 6: checksum lengths, the creation time, every purl. */
  checkChecksumsDatesPurls(): void {
    for (const member of ['packages', 'files']) {
      for (const [item, i] of this.items(member)) {
        if (!Array.isArray(item.checksums)) continue;
        item.checksums.forEach((c: unknown, j) => this.checkChecksum(c, member, i, 'checksums', j));
      }
    }
    for (const [ref, i] of this.items('externalDocumentRefs')) {
      this.checkChecksum(ref.checksum, 'externalDocumentRefs', i, 'checksum');
    }
    for (const [pkg, i] of this.items('packages')) {
      const code = pkg.packageVerificationCode;
      if (!isJsonObject(code) || typeof code.packageVerificationCodeValue !== 'string') continue;
      if (!/^[0-9a-f]{40}$/.test(code.packageVerificationCodeValue)) {
        this.report(
          'packageVerificationCodeValue must be 40 lowercase hex characters (SHA1)',
          'packages',
          i,
          'packageVerificationCode',
          'packageVerificationCodeValue',
        );
      }
    }
    const info = this.doc.creationInfo;
    if (isJsonObject(info) && typeof info.created === 'string' && !isRfc3339Utc(info.created)) {
      this.report(
        `created ${JSON.stringify(info.created)} is not YYYY-MM-DDThh:mm:ssZ`,
        'creationInfo',
        'created',
      );
    }
    for (const [pkg, i] of this.items('packages')) {
      for (const [ref, j] of externalRefs(pkg)) {
        if (ref.referenceType !== 'purl' || typeof ref.referenceLocator !== 'string') continue;
        const parsed = parsePurl(ref.referenceLocator);
        if (!parsed.ok) {
          this.report(
            `purl ${JSON.stringify(ref.referenceLocator)} does not parse: ${parsed.error}`,
            'packages',
            i,
            'externalRefs',
            j,
            'referenceLocator',
          );
        }
      }
    }
  }

  private checkChecksum(value: unknown, ...segments: PathSegment[]): void {
    if (!isJsonObject(value)) return;
    const { algorithm, checksumValue } = value;
    if (typeof algorithm !== 'string' || typeof checksumValue !== 'string') return;
    const length = CHECKSUM_HEX_LENGTH[algorithm];
    if (length === undefined) return; // the schema's enum reports it
    const [min, max] = typeof length === 'number' ? [length, length] : length;
    const ok =
      LOWER_HEX.test(checksumValue) &&
      checksumValue.length >= min &&
      checksumValue.length <= max &&
      checksumValue.length % 2 === 0;
    if (!ok) {
      const want = min === max ? `${min}` : `${min}–${max}`;
      this.report(
        `a ${algorithm} checksum is ${want} lowercase hex characters, not ${JSON.stringify(checksumValue)}`,
        ...segments,
        'checksumValue',
      );
    }
  }

  /** Rule 7: every Debian package has a deb purl; at most one OPERATING_SYSTEM package. */
  checkPackageKinds(): void {
    let os: number | undefined;
    for (const [pkg, i] of this.items('packages')) {
      const purlTypes = externalRefs(pkg).flatMap(([ref]) => {
        if (ref.referenceType !== 'purl' || typeof ref.referenceLocator !== 'string') return [];
        const parsed = parsePurl(ref.referenceLocator);
        return [parsed.ok ? parsed.purl.type : ''];
      });
      // Debian packages are the ones we name SPDXRef-deb-… (02 §5) or that say so by their purl
      const isDebian =
        (typeof pkg.SPDXID === 'string' && pkg.SPDXID.startsWith('SPDXRef-deb-')) ||
        purlTypes.includes('deb');
      if (isDebian && !purlTypes.includes('deb')) {
        this.report(
          `Debian package ${String(pkg.SPDXID)} has no pkg:deb purl`,
          'packages',
          i,
          'externalRefs',
        );
      }
      if (pkg.primaryPackagePurpose === 'OPERATING_SYSTEM') {
        if (os !== undefined) {
          this.report(
            `a second OPERATING_SYSTEM package (the first is packages[${os}])`,
            'packages',
            i,
            'primaryPackagePurpose',
          );
        } else os = i;
      }
    }
  }
}

function externalRefs(pkg: Json): [Json, number][] {
  if (!Array.isArray(pkg.externalRefs)) return [];
  return pkg.externalRefs.flatMap((ref: unknown, j) => (isJsonObject(ref) ? [[ref, j]] : []));
}

function isAbsoluteUriWithoutFragment(text: string): boolean {
  if (text.includes('#') || /\s/.test(text)) return false;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:./.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

/** An ajv error as a problem at the JSONPath of the offending (or missing) member. */
function schemaProblem(doc: unknown, error: ErrorObject, base: string): Problem {
  const segments = pointerSegments(doc, error.instancePath);
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? 'does not match the SPDX 2.3 schema';
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    segments.push(params.missingProperty);
    message = 'required member is missing';
  } else if (
    error.keyword === 'additionalProperties' &&
    typeof params.additionalProperty === 'string'
  ) {
    segments.push(params.additionalProperty);
    message = 'member is not defined by SPDX 2.3';
  } else if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    message = `must be one of ${params.allowedValues.map(String).join(', ')}`;
  }
  return { code: SBOM_INVALID, message, path: childPath(base, ...segments) };
}

/** JSON Pointer (RFC 6901) → path segments; a segment is an index when its parent is an array. */
function pointerSegments(doc: unknown, pointer: string): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let node: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^(?:0|[1-9][0-9]*)$/.test(token)) {
      const index = Number(token);
      out.push(index);
      node = node[index];
    } else {
      out.push(token);
      node = isJsonObject(node) ? node[token] : undefined;
    }
  }
  return out;
}
