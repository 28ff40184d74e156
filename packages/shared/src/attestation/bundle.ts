// SPDX-License-Identifier: Apache-2.0
import type { Problem } from '../errors.js';
import { JsonError, parseJson } from '../json/index.js';
import { checkLogEntry, type BundleLogEntry } from '../tlog/log-entry.js';
import { BUNDLE_MAX_BYTES } from './bundle-limits.js';
import { childPath, isJsonObject, malformed } from './check-helpers.js';
import { checkEnvelope, type DsseEnvelope } from './dsse.js';
import { decodeStatement } from './statement.js';

/** Media type of an attestation bundle (02 §11). */
export const BUNDLE_MEDIA_TYPE = 'application/vnd.verified-container.bundle+json';
/** The bundle version we write; readers accept any `0.x.y`. */
export const BUNDLE_VERSION = '0.1.0';
export { BUNDLE_MAX_BYTES };
export const BUNDLE_MAX_ATTESTATIONS = 64;
export const BUNDLE_MAX_LOG_ENTRIES = 1024;
/** Log entries `validate --type attestation-bundle` requires (04 §8); the dev profile needs 1. */
export const VALIDATE_MIN_LOG_ENTRIES = { production: 2, dev: 1 } as const;

export interface BundleMetadata {
  producer?: string;
  producerVersion?: string;
  createdAt?: string;
}

/**
 * An attestation bundle (02 §11) as read by {@link parseBundle}. Unknown members are tolerated
 * everywhere and kept on the objects (they are part of attestation digests and are written back by
 * {@link serializeBundle}).
 */
export interface AttestationBundle {
  mediaType: typeof BUNDLE_MEDIA_TYPE;
  version: string;
  attestations: DsseEnvelope[];
  logEntries: BundleLogEntry[];
  metadata?: BundleMetadata;
}

export interface BundleOptions {
  /** `dev` lowers the log entries `checkBundle` requires from 2 to 1. Default production. */
  readonly profile?: 'dev' | 'production';
}

export interface BundleResult {
  /** Set when the bundle passed the structure checks of 04 §3 step 3. */
  readonly bundle?: AttestationBundle;
  readonly errors: Problem[];
  readonly warnings: Problem[];
}

/**
 * Step 3 of verification (04 §3): size ≤ 64 MiB, strict JSON (02 §1), `mediaType`, a `0.x.y`
 * `version`, 1–64 structurally valid envelopes (0–64 signatures each), 0–1024 log entries, an
 * optional object `metadata`. Every violation is a `MALFORMED_BUNDLE` error, in check order; log
 * entries without `attestationDigest` are warnings. Signature lengths, coverage and payloads are
 * later steps and not looked at. `bundle` is set iff `errors` is empty.
 */
export function parseBundle(bytes: Uint8Array): BundleResult {
  const { bundle, structure, warnings } = readBundle(bytes);
  return { ...(bundle !== undefined ? { bundle } : {}), errors: structure, warnings };
}

/**
 * `validate --type attestation-bundle` (04 §8): the step-3 structure of {@link parseBundle}, then
 * fewer than 2 log entries (1 with the dev profile) → `INSUFFICIENT_LOG_COVERAGE`, every payload a
 * valid in-toto statement (`MALFORMED_BUNDLE`), and envelopes without signatures or with a `sig`
 * that is not 64 bytes → `INVALID_SIGNATURE`. Errors are ordered by that step order, then by path;
 * no cryptography. `bundle` is set when the structure is valid, whatever the later checks found.
 */
export function checkBundle(bytes: Uint8Array, opts: BundleOptions = {}): BundleResult {
  const read = readBundle(bytes);
  const coverage: Problem[] = [];
  const statements: Problem[] = [];
  if (read.value !== undefined) {
    const entries = read.value.logEntries;
    const min = VALIDATE_MIN_LOG_ENTRIES[opts.profile ?? 'production'];
    if (Array.isArray(entries) && entries.length < min) {
      coverage.push({
        code: 'INSUFFICIENT_LOG_COVERAGE',
        path: '$.logEntries',
        message: `the bundle has ${entries.length} log ${entries.length === 1 ? 'entry' : 'entries'}, ${min} required${opts.profile === 'dev' ? ' (dev profile)' : ''}`,
      });
    }
    const attestations = read.value.attestations;
    if (Array.isArray(attestations)) {
      attestations.forEach((envelope: unknown, i) => {
        if (read.brokenEnvelopes.has(i) || !isJsonObject(envelope)) return;
        const path = childPath('$', 'attestations', i);
        statements.push(...decodeStatement(envelope as unknown as DsseEnvelope, path).problems);
      });
    }
  }
  const errors = [read.structure, coverage, statements, read.signatures].flatMap((group) =>
    [...group].sort((a, b) => comparePaths(a.path ?? '$', b.path ?? '$')),
  );
  return {
    ...(read.bundle !== undefined ? { bundle: read.bundle } : {}),
    errors,
    warnings: read.warnings,
  };
}

interface ReadBundle {
  bundle?: AttestationBundle;
  /** The parsed top-level object, when the file is JSON holding an object. */
  value?: Record<string, unknown>;
  structure: Problem[];
  signatures: Problem[];
  warnings: Problem[];
  /** Indexes of envelopes with structural problems (their payloads are not decoded). */
  brokenEnvelopes: Set<number>;
}

function readBundle(bytes: Uint8Array): ReadBundle {
  const structure: Problem[] = [];
  const signatures: Problem[] = [];
  const warnings: Problem[] = [];
  const brokenEnvelopes = new Set<number>();
  const result = (value?: Record<string, unknown>): ReadBundle => ({
    ...(value !== undefined && structure.length === 0
      ? { bundle: value as unknown as AttestationBundle }
      : {}),
    ...(value !== undefined ? { value } : {}),
    structure,
    signatures,
    warnings,
    brokenEnvelopes,
  });

  if (bytes.byteLength > BUNDLE_MAX_BYTES) {
    structure.push(malformed('$', `the bundle is larger than ${BUNDLE_MAX_BYTES} bytes (64 MiB)`));
    return result();
  }
  let value: unknown;
  try {
    value = parseJson(bytes, { mode: 'strict', integersOnly: true });
  } catch (err) {
    if (!(err instanceof JsonError)) throw err;
    structure.push(malformed(err.path, `the bundle is not strict JSON: ${err.message}`));
    return result();
  }
  if (!isJsonObject(value)) {
    structure.push(malformed('$', 'a bundle is a JSON object'));
    return result();
  }

  if (value.mediaType !== BUNDLE_MEDIA_TYPE) {
    structure.push(
      malformed(
        '$.mediaType',
        value.mediaType === undefined
          ? 'mediaType is missing'
          : `mediaType must be ${JSON.stringify(BUNDLE_MEDIA_TYPE)}, not ${JSON.stringify(value.mediaType)}`,
      ),
    );
  }
  const version = value.version;
  if (typeof version !== 'string' || !/^[0-9]+\.[0-9]+\.[0-9]+$/.test(version)) {
    structure.push(malformed('$.version', 'version must be a string MAJOR.MINOR.PATCH'));
  } else if (!/^0+\./.test(version)) {
    structure.push(
      malformed('$.version', `unsupported bundle version ${version} (this reader supports 0.x)`),
    );
  }

  const attestations = value.attestations;
  if (!Array.isArray(attestations)) {
    structure.push(malformed('$.attestations', 'attestations must be an array of DSSE envelopes'));
  } else {
    if (attestations.length === 0 || attestations.length > BUNDLE_MAX_ATTESTATIONS) {
      structure.push(
        malformed(
          '$.attestations',
          `a bundle holds 1–${BUNDLE_MAX_ATTESTATIONS} attestations, not ${attestations.length}`,
        ),
      );
    }
    attestations.forEach((envelope: unknown, i) => {
      for (const p of checkEnvelope(envelope, childPath('$', 'attestations', i))) {
        if (p.code === 'INVALID_SIGNATURE') signatures.push(p);
        else {
          structure.push(p);
          brokenEnvelopes.add(i);
        }
      }
    });
  }

  const entries = value.logEntries;
  if (!Array.isArray(entries)) {
    structure.push(malformed('$.logEntries', 'logEntries must be an array'));
  } else {
    if (entries.length > BUNDLE_MAX_LOG_ENTRIES) {
      structure.push(
        malformed(
          '$.logEntries',
          `a bundle holds at most ${BUNDLE_MAX_LOG_ENTRIES} log entries, not ${entries.length}`,
        ),
      );
    }
    entries.forEach((entry: unknown, i) => {
      const checked = checkLogEntry(entry, childPath('$', 'logEntries', i));
      structure.push(...checked.errors);
      warnings.push(...checked.warnings);
    });
  }

  if (value.metadata !== undefined && !isJsonObject(value.metadata)) {
    structure.push(malformed('$.metadata', 'metadata must be an object'));
  }
  return result(value);
}

/**
 * Orders JSONPaths segment by segment: indexes numerically, names by UTF-16 code units, a
 * prefix before its extensions.
 */
export function comparePaths(a: string, b: string): number {
  const sa = pathSegments(a);
  const sb = pathSegments(b);
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const x = sa[i] as string | number;
    const y = sb[i] as string | number;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return sa.length - sb.length;
}

const SEGMENT = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  SEGMENT.lastIndex = path.startsWith('$') ? 1 : 0;
  for (;;) {
    const start = SEGMENT.lastIndex;
    const m = SEGMENT.exec(path);
    if (m === null) {
      // anything unparsable sorts by its raw text
      if (start < path.length) out.push(path.slice(start));
      return out;
    }
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3] ?? '""') as string);
  }
}

const BUNDLE_ORDER = ['mediaType', 'version', 'attestations', 'logEntries', 'metadata'];
const ENVELOPE_ORDER = ['payloadType', 'payload', 'signatures'];
const SIGNATURE_ORDER = ['keyid', 'sig'];
const ENTRY_ORDER = [
  'logId',
  'logIndex',
  'integratedTime',
  'inclusionProof',
  'signedEntryTimestamp',
  'attestationDigest',
];
const PROOF_ORDER = ['logIndex', 'treeSize', 'rootHash', 'hashes'];
const METADATA_ORDER = ['producer', 'producerVersion', 'createdAt'];

/**
 * The bundle file (02 §11): `JSON.stringify(bundle, null, 2)` plus a final LF, members in table
 * order (bundle, envelopes, signatures, log entries and their inclusion proofs, metadata) and
 * unknown members after the known ones in their input order. (Member names that are array
 * indexes, such as `"0"`, are placed first by JavaScript itself; no bundle member is one.)
 */
export function serializeBundle(bundle: AttestationBundle): string {
  const b = bundle as unknown as Record<string, unknown>;
  const ordered = reorder(b, BUNDLE_ORDER, {
    attestations: (list) =>
      mapArray(list, (env) =>
        reorder(env, ENVELOPE_ORDER, {
          signatures: (sigs) => mapArray(sigs, (s) => reorder(s, SIGNATURE_ORDER, {})),
        }),
      ),
    logEntries: (list) =>
      mapArray(list, (entry) =>
        reorder(entry, ENTRY_ORDER, {
          inclusionProof: (proof) =>
            isJsonObject(proof) ? reorder(proof, PROOF_ORDER, {}) : proof,
        }),
      ),
    metadata: (m) => (isJsonObject(m) ? reorder(m, METADATA_ORDER, {}) : m),
  });
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function reorder(
  value: unknown,
  order: readonly string[],
  nested: Readonly<Record<string, (v: unknown) => unknown>>,
): unknown {
  if (!isJsonObject(value)) return value;
  const out: Record<string, unknown> = {};
  const put = (key: string) => {
    const v = value[key];
    if (v === undefined) return;
    const f = nested[key];
    Object.defineProperty(out, key, {
      value: f === undefined ? v : f(v),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  };
  for (const key of order) if (Object.hasOwn(value, key)) put(key);
  for (const key of Object.keys(value)) if (!order.includes(key)) put(key);
  return out;
}

function mapArray(value: unknown, f: (item: unknown) => unknown): unknown {
  return Array.isArray(value) ? value.map(f) : value;
}
