// SPDX-License-Identifier: Apache-2.0
// Fixtures are plain JSON edited in place by each case, so they are typed loosely.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { describe, expect, it } from 'vitest';
import { addSignature, signEnvelope } from '../attestation/dsse.js';
import {
  BUNDLE_MEDIA_TYPE,
  serializeBundle,
  type AttestationBundle,
} from '../attestation/bundle.js';
import { attestationDigest } from '../attestation/dsse.js';
import { parseTrustStore } from '../attestation/trust-store.js';
import { fromHex, privateKeyFromSeed, publicKeyToBase64 } from '../crypto/index.js';
import { formatCheckpoint } from '../tlog/checkpoint.js';
import { signTreeHead } from '../tlog/tree-head.js';
import { DOCUMENT_TYPES, validateDocument } from './validate-document.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const json = (v: unknown) => utf8(JSON.stringify(v, null, 2));
const key = (b: number) => privateKeyFromSeed(new Uint8Array(32).fill(b));
const [m1, m2, bot, log1, log2, other] = [0x11, 0x12, 0x13, 0x21, 0x22, 0x44].map(key) as [
  ReturnType<typeof key>,
  ReturnType<typeof key>,
  ReturnType<typeof key>,
  ReturnType<typeof key>,
  ReturnType<typeof key>,
  ReturnType<typeof key>,
];
const DIGEST = 'dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9';
const ROOT = '417dc10e5d5bee38797ffdcd6721162efcf47adcf1309c3da473cf6eeebc7bfa';

const statement = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'hello:1.0.0', digest: { sha256: DIGEST } }],
  predicateType: 'https://slsa.dev/provenance/v1',
  predicate: {},
};

function trustStore(): Record<string, any> {
  const k = (p: typeof m1, owner: string) => ({
    id: p.publicKey.keyId,
    algorithm: 'ed25519',
    publicKey: publicKeyToBase64(p.publicKey),
    validFrom: '2026-01-01T00:00:00Z',
    metadata: { owner },
  });
  return {
    version: 1,
    id: 'hello-dev',
    updated: '2026-11-25T10:00:00Z',
    profile: 'dev',
    keys: { releasers: [k(m1, 'maintainer-1'), k(m2, 'maintainer-2'), k(bot, 'release-bot')] },
    thresholds: {
      'release-signers': {
        k: 2,
        n: 3,
        algorithm: 'ed25519-multisig',
        members: [m1, m2, bot].map((p) => p.publicKey.keyId),
      },
    },
    logs: {
      'cerro-torre-log': {
        operator: 'a',
        publicKey: publicKeyToBase64(log1.publicKey),
        url: 'http://127.0.0.1:8080',
        algorithm: 'ed25519',
      },
      'local-file-log': {
        operator: 'b',
        publicKey: publicKeyToBase64(log2.publicKey),
        url: 'file:///tmp/log',
        algorithm: 'ed25519',
      },
    },
  };
}
const store = parseTrustStore(json(trustStore())).trustStore!;

const logEntry = (logId: string, digest: string) => ({
  logId,
  logIndex: 6,
  integratedTime: '2026-11-25T10:00:05Z',
  inclusionProof: { logIndex: 6, treeSize: 7, rootHash: ROOT, hashes: [ROOT] },
  signedEntryTimestamp: 'AAAA',
  attestationDigest: digest,
});

function bundle(entries = 2): Record<string, any> {
  const env = addSignature(signEnvelope(statement, m1), m2);
  const d = attestationDigest(env);
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    version: '0.1.0',
    attestations: [env],
    logEntries: ['cerro-torre-log', 'local-file-log'].slice(0, entries).map((l) => logEntry(l, d)),
  };
}
const bundleBytes = (b: Record<string, any>) => utf8(serializeBundle(b as AttestationBundle));

const sth = () =>
  signTreeHead(log1, {
    logId: 'cerro-torre-log',
    treeSize: 7,
    timestamp: '2026-11-25T10:00:05Z',
    rootHash: ROOT,
  });

describe('validateDocument (04 §8)', () => {
  it('lists the document types of 04 §8 except manifest', () => {
    expect(DOCUMENT_TYPES).toEqual([
      'attestation-bundle',
      'trust-store',
      'log-entry',
      'signed-tree-head',
      'dsse-envelope',
      'tlog-entry',
      'statement',
      'sbom',
      'checkpoint',
    ]);
  });

  it('gives the stdout document: valid, errorCode, errors {path, message, code}, warnings', () => {
    const ok = validateDocument('attestation-bundle', bundleBytes(bundle()));
    expect(ok).toEqual({ valid: true, errors: [], warnings: [] });
    const bad = validateDocument('attestation-bundle', bundleBytes(bundle(1)));
    expect(bad.valid).toBe(false);
    expect(bad.errorCode).toBe('INSUFFICIENT_LOG_COVERAGE');
    expect(bad.errors).toEqual([
      { path: '$.logEntries', message: expect.any(String), code: 'INSUFFICIENT_LOG_COVERAGE' },
    ]);
    expect(Object.keys(bad.errors[0]!)).toEqual(['path', 'message', 'code']);
    expect(Object.keys(bad)).toEqual(['valid', 'errorCode', 'errors', 'warnings']);
    expect(
      validateDocument('attestation-bundle', bundleBytes(bundle(1)), { profile: 'dev' }).valid,
    ).toBe(true);
  });

  it.each(DOCUMENT_TYPES.filter((t) => t !== 'checkpoint'))(
    'throws READ_FAILED for a %s that is not JSON at all',
    (type) => {
      for (const text of ['', 'not json', '{"a": [1, 2', '{"a":1} trailing']) {
        expect(() => validateDocument(type, utf8(text))).toThrow(
          expect.objectContaining({ code: 'READ_FAILED' }),
        );
      }
      expect(() => validateDocument(type, new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(
        expect.objectContaining({ code: 'READ_FAILED' }),
      );
    },
  );

  it.each<[(typeof DOCUMENT_TYPES)[number], string]>([
    ['attestation-bundle', 'MALFORMED_BUNDLE'],
    ['trust-store', 'TRUST_STORE_INVALID'],
    ['log-entry', 'MALFORMED_BUNDLE'],
    ['signed-tree-head', 'MALFORMED_BUNDLE'],
    ['dsse-envelope', 'MALFORMED_BUNDLE'],
    ['tlog-entry', 'MALFORMED_BUNDLE'],
    ['statement', 'MALFORMED_BUNDLE'],
    ['sbom', 'SBOM_INVALID'],
  ])('a %s with a duplicate key or a BOM is invalid (%s), not unreadable', (type, code) => {
    const dup = validateDocument(type, utf8('{"a":1,"a":1}'));
    expect([dup.valid, dup.errorCode, dup.errors[0]?.path]).toEqual([false, code, '$.a']);
    const bom = validateDocument(type, new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]));
    expect([bom.valid, bom.errorCode]).toEqual([false, code]);
  });

  it('trust-store: INSUFFICIENT_LOG_OPERATORS in production, valid with profile dev', () => {
    const s = trustStore();
    delete s.profile;
    const r = validateDocument('trust-store', json(s));
    expect([r.valid, r.errorCode, r.errors[0]?.path]).toEqual([
      false,
      'INSUFFICIENT_LOG_OPERATORS',
      '$.logs',
    ]);
    expect(validateDocument('trust-store', json(s), { profile: 'dev' }).valid).toBe(true);
  });

  it('log-entry: structure errors, missing attestationDigest is a warning', () => {
    const entry = logEntry('cerro-torre-log', `sha256:${DIGEST}`);
    expect(validateDocument('log-entry', json(entry))).toEqual({
      valid: true,
      errors: [],
      warnings: [],
    });
    const noDigest: Partial<typeof entry> = { ...entry };
    delete noDigest.attestationDigest;
    const r = validateDocument('log-entry', json(noDigest));
    expect(r.valid).toBe(true);
    expect(r.warnings.map((w) => w.path)).toEqual(['$.attestationDigest']);
    const bad = validateDocument('log-entry', json({ ...entry, logIndex: -1 }));
    expect([bad.errorCode, bad.errors[0]?.path]).toEqual(['MALFORMED_BUNDLE', '$.logIndex']);
  });

  it('dsse-envelope: the envelope only', () => {
    const env = signEnvelope({ not: 'a statement' }, m1);
    expect(validateDocument('dsse-envelope', json(env)).valid).toBe(true);
    const r = validateDocument('dsse-envelope', json({ ...env, signatures: [] }));
    expect([r.errorCode, r.errors[0]?.path]).toEqual(['INVALID_SIGNATURE', '$.signatures']);
  });

  it('statement and tlog-entry', () => {
    expect(validateDocument('statement', json(statement)).valid).toBe(true);
    const r = validateDocument('statement', json({ ...statement, subject: [] }));
    expect([r.errorCode, r.errors[0]?.path]).toEqual(['MALFORMED_BUNDLE', '$.subject']);
    const leaf = {
      version: 1,
      timestamp: '2026-11-25T10:00:05Z',
      entryType: 'attestation',
      body: {
        attestationDigest: `sha256:${DIGEST}`,
        subjectDigest: `sha256:${DIGEST}`,
        predicateType: 'https://slsa.dev/provenance/v1',
      },
    };
    expect(validateDocument('tlog-entry', json(leaf)).valid).toBe(true);
    expect(validateDocument('tlog-entry', json({ ...leaf, version: 2 })).errorCode).toBe(
      'MALFORMED_BUNDLE',
    );
  });

  it('sbom: a document, or a statement carrying one (checked against its subject)', () => {
    const doc = {
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'hello-1.0.0',
      documentNamespace: `https://verified-container.org/spdx/hello/1.0.0/${DIGEST}`,
      creationInfo: { created: '1970-01-01T00:00:00Z', creators: ['Tool: cerro-torre-0.1.0'] },
      packages: [
        {
          SPDXID: 'SPDXRef-Image',
          name: 'hello',
          primaryPackagePurpose: 'CONTAINER',
          downloadLocation: 'NOASSERTION',
          filesAnalyzed: false,
          checksums: [{ algorithm: 'SHA256', checksumValue: DIGEST }],
        },
      ],
      relationships: [
        {
          spdxElementId: 'SPDXRef-DOCUMENT',
          relationshipType: 'DESCRIBES',
          relatedSpdxElement: 'SPDXRef-Image',
        },
      ],
    };
    expect(validateDocument('sbom', json(doc))).toEqual({ valid: true, errors: [], warnings: [] });
    const wrapped = { ...statement, predicateType: 'https://spdx.dev/Document', predicate: doc };
    expect(validateDocument('sbom', json(wrapped)).valid).toBe(true);
    const other = { ...wrapped, subject: [{ digest: { sha256: 'a'.repeat(64) } }] };
    const r = validateDocument('sbom', json(other));
    expect([r.errorCode, r.errors[0]?.path]).toEqual([
      'SBOM_INVALID',
      '$.predicate.packages[0].checksums[0].checksumValue',
    ]);
    // the §11.1 abbreviated SBOM predicate is not a valid SBOM
    const short = validateDocument(
      'sbom',
      json({
        ...wrapped,
        predicate: {
          SPDXID: 'SPDXRef-DOCUMENT',
          dataLicense: 'CC0-1.0',
          name: 'hello-1.0.0',
          spdxVersion: 'SPDX-2.3',
        },
      }),
    );
    expect(short.errorCode).toBe('SBOM_INVALID');
    expect(short.errors.map((e) => e.path)).toContain('$.predicate.documentNamespace');
  });

  it('signed-tree-head: structure; the signature only with a trust store', () => {
    const head = sth();
    expect(validateDocument('signed-tree-head', json(head)).valid).toBe(true);
    expect(validateDocument('signed-tree-head', json(head), { trustStore: store }).valid).toBe(
      true,
    );
    const forged = signTreeHead(other, { ...head });
    expect(validateDocument('signed-tree-head', json(forged)).valid).toBe(true);
    const r = validateDocument('signed-tree-head', json(forged), { trustStore: store });
    expect([r.errorCode, r.errors[0]?.path]).toEqual(['LOG_PROOF_INVALID', '$.signature']);
    const unknown = signTreeHead(other, { ...head, logId: 'elsewhere' });
    expect(
      validateDocument('signed-tree-head', json(unknown), { trustStore: store }).errorCode,
    ).toBe('LOG_PROOF_INVALID');
    const bad = validateDocument('signed-tree-head', json({ ...head, treeSize: -1 }));
    expect([bad.errorCode, bad.errors[0]?.path]).toEqual(['MALFORMED_BUNDLE', '$.treeSize']);
  });

  it('checkpoint: text; the signature only with a trust store', () => {
    const cp = formatCheckpoint(log1, 'cerro-torre-log', 7, fromHex(ROOT)!);
    expect(validateDocument('checkpoint', utf8(cp))).toEqual({
      valid: true,
      errors: [],
      warnings: [],
    });
    expect(validateDocument('checkpoint', utf8(cp), { trustStore: store }).valid).toBe(true);
    const forged = formatCheckpoint(other, 'cerro-torre-log', 7, fromHex(ROOT)!);
    expect(validateDocument('checkpoint', utf8(forged)).valid).toBe(true);
    expect(validateDocument('checkpoint', utf8(forged), { trustStore: store }).errorCode).toBe(
      'LOG_PROOF_INVALID',
    );
    const r = validateDocument('checkpoint', utf8('not a checkpoint'));
    expect(r.errorCode).toBe('MALFORMED_BUNDLE');
  });
});
