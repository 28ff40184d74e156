// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { addSignature, signEnvelope, type DsseEnvelope } from '../attestation/dsse.js';
import type { Statement } from '../attestation/statement.js';
import {
  encodeBase64,
  privateKeyFromSeed,
  publicKeyToBase64,
  sha256Hex,
  type Ed25519PrivateKey,
} from '../crypto/index.js';
import type { VcError } from '../errors.js';
import { generateFileIntegrity } from '../generate/file-integrity.js';
import { generateProvenance } from '../generate/slsa-provenance.js';
import { generateSbom } from '../generate/spdx-sbom.js';
import { buildStatements } from '../generate/statements.js';
import {
  hashToHex,
  inclusionProof,
  leafHash,
  MemorySubtreeHashes,
  rootAt,
} from '../merkle/index.js';
import { attestationDigest } from '../attestation/dsse.js';
import { attestationLeaf, leafBytes } from '../tlog/leaf.js';
import type { BundleLogEntry } from '../tlog/log-entry.js';
import { signSet } from '../tlog/set.js';
import { cerroTorreExitCode, toVerifyResultJson, vordrDecisionExitCode } from './decision.js';
import type { VerifyInput, VerifyResult } from './types.js';
import { provenanceSourceDateEpoch } from './provenance-facts.js';
import { verifyBundle } from './verify-bundle.js';

// The seed keys of 02 §11.1 (testkit has them too, but shared's tests cannot depend on testkit).
const seed = (b: number) => privateKeyFromSeed(new Uint8Array(32).fill(b));
const M1 = seed(0x11);
const M2 = seed(0x12);
const BOT = seed(0x13);
const OUTSIDER = seed(0x14);
const LOG_A = seed(0x21);
const LOG_B = seed(0x22);
const LOG_C = seed(0x23);

const DIGEST = 'dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9';
const OTHER_DIGEST = 'ab'.repeat(32);
const MANIFEST_BYTES = new TextEncoder().encode('[package]\nname = "hello"\n');
const NOW = new Date('2026-11-25T12:00:00Z');
const enc = new TextEncoder();

interface StoreOpts {
  m1?: { validFrom?: string; validUntil?: string; revokedAt?: string };
  revocations?: { digest: string; reason: string; revokedAt: string }[];
  logs?: Record<string, Ed25519PrivateKey>;
  /** Adds group `solo`: 3-of-3 (unmet by the default 2 signers). */
  solo?: boolean;
}

function key(k: Ed25519PrivateKey, owner: string, extra: object = {}) {
  return {
    id: k.publicKey.keyId,
    algorithm: 'ed25519',
    publicKey: publicKeyToBase64(k.publicKey),
    validFrom: '2026-01-01T00:00:00Z',
    ...extra,
    metadata: { owner },
  };
}

function trustStore(opts: StoreOpts = {}): Uint8Array {
  const logs = opts.logs ?? { 'cerro-torre-log': LOG_A, 'local-file-log': LOG_B };
  const store = {
    version: 1,
    id: 'hello-dev',
    serial: 1,
    updated: '2026-11-25T09:00:00Z',
    profile: 'dev',
    keys: {
      releasers: [
        key(M1, 'maintainer-1', opts.m1 ?? {}),
        key(M2, 'maintainer-2'),
        key(BOT, 'release-bot'),
      ],
    },
    thresholds: {
      'release-signers': {
        k: 2,
        n: 3,
        algorithm: 'ed25519-multisig',
        members: [M1, M2, BOT].map((k) => k.publicKey.keyId),
      },
      ...(opts.solo === true
        ? {
            solo: {
              k: 3,
              n: 3,
              algorithm: 'ed25519-multisig',
              members: [M1, M2, BOT].map((k) => k.publicKey.keyId),
            },
          }
        : {}),
    },
    logs: Object.fromEntries(
      Object.entries(logs).map(([id, k]) => [
        id,
        {
          operator: id,
          publicKey: publicKeyToBase64(k.publicKey),
          url: `file:///tmp/${id}`,
          algorithm: 'ed25519',
        },
      ]),
    ),
    ...(opts.revocations !== undefined ? { revocations: opts.revocations } : {}),
  };
  return enc.encode(JSON.stringify(store, null, 2));
}

function statements(subject = DIGEST): Statement<object>[] {
  return buildStatements({
    name: 'hello',
    version: '1.0.0',
    imageDigestHex: subject,
    provenance: generateProvenance({
      manifest: { path: 'hello.ctp', sha256: sha256Hex(MANIFEST_BYTES) },
      lock: { path: 'hello.lock.json', sha256: '2'.repeat(64) },
      sourceDateEpoch: 0,
      frozen: false,
      declared: {},
      builderVersion: '0.1.0',
      nodeVersion: '20.19.0',
      mirrors: { debian: 'http://m/debian', debianSecurity: 'http://m/debian-security' },
      hermetic: true,
      cached: false,
      debianPackages: [],
      invocationId: '7d0c3a52-3b9e-4f1e-9a57-0c2f7a3e1b11',
      startedOn: '2026-11-25T10:00:00Z',
      finishedOn: '2026-11-25T10:00:04Z',
    }),
    sbom: generateSbom({
      name: 'hello',
      version: '1.0.0',
      imageDigestHex: subject,
      builderVersion: '0.1.0',
      sourceDateEpoch: 0,
      debianPackages: [],
    }),
    fileIntegrity: generateFileIntegrity([]),
  }).slice(0, 2);
}

function sign(statement: object, keys: Ed25519PrivateKey[]): DsseEnvelope {
  const [first, ...rest] = keys;
  if (first === undefined) {
    return { ...signEnvelope(statement, M1), signatures: [] };
  }
  return rest.reduce((env, k) => addSignature(env, k), signEnvelope(statement, first));
}

/** A log: a few unrelated leaves, then one entry per envelope, proofs to the final tree. */
function logEntries(
  logId: string,
  logKey: Ed25519PrivateKey,
  envelopes: DsseEnvelope[],
  integratedTime = '2026-11-25T10:00:05Z',
): BundleLogEntry[] {
  const tree = new MemorySubtreeHashes();
  for (let i = 0; i < 3; i++) tree.append(leafHash(enc.encode(`previous entry ${logId} ${i}`)));
  const indexes = envelopes.map((env) => {
    tree.append(leafHash(leafBytes(attestationLeaf(env, integratedTime))));
    return tree.size() - 1;
  });
  const treeSize = tree.size();
  const rootHash = hashToHex(rootAt(tree, treeSize));
  return envelopes.map((env, i) => {
    const logIndex = indexes[i] as number;
    const leaf = hashToHex(leafHash(leafBytes(attestationLeaf(env, integratedTime))));
    return {
      logId,
      logIndex,
      integratedTime,
      inclusionProof: {
        logIndex,
        treeSize,
        rootHash,
        hashes: inclusionProof(tree, logIndex, treeSize).map(hashToHex),
      },
      signedEntryTimestamp: signSet(logKey, {
        logId,
        logIndex,
        integratedTime,
        leafHash: leaf,
        treeSize,
        rootHash,
      }),
      attestationDigest: attestationDigest(env),
    };
  });
}

interface BundleDoc {
  mediaType: string;
  version: string;
  attestations: DsseEnvelope[];
  logEntries: BundleLogEntry[];
  metadata?: object;
}

function bundle(
  opts: {
    signers?: Ed25519PrivateKey[][];
    subject?: string;
    logs?: [string, Ed25519PrivateKey][];
  } = {},
): BundleDoc {
  const envelopes = statements(opts.subject).map((s, i) =>
    sign(s, opts.signers?.[i] ?? opts.signers?.[0] ?? [M1, M2]),
  );
  const logs = opts.logs ?? [
    ['cerro-torre-log', LOG_A],
    ['local-file-log', LOG_B],
  ];
  return {
    mediaType: 'application/vnd.verified-container.bundle+json',
    version: '0.1.0',
    attestations: envelopes,
    logEntries: logs.flatMap(([id, k]) => logEntries(id, k, envelopes)),
    metadata: { producer: 'test', createdAt: '2026-11-25T10:00:06Z' },
  };
}

const bytesOf = (doc: unknown) => enc.encode(JSON.stringify(doc, null, 2));

function run(doc: unknown, extra: Partial<VerifyInput> = {}): VerifyResult {
  return verifyBundle({
    bundleBytes: typeof doc === 'string' ? enc.encode(doc) : bytesOf(doc),
    trustStoreBytes: trustStore(),
    now: NOW,
    ...extra,
  });
}

function codes(r: VerifyResult): string[] {
  return [...new Set(r.errors.map((e) => e.code))];
}

/** Flips one base64 character of `text` at `at` into another valid base64 character. */
function flipBase64(text: string, at: number): string {
  const c = text[at] === 'A' ? 'B' : 'A';
  return text.slice(0, at) + c + text.slice(at + 1);
}

function flipHex(text: string, at = 0): string {
  const c = text[at] === '0' ? '1' : '0';
  return text.slice(0, at) + c + text.slice(at + 1);
}

describe('verifyBundle (04 §3)', () => {
  it('allows a bundle signed 2-of-3 and logged in two logs', () => {
    const r = run(bundle(), { manifestBytes: MANIFEST_BYTES });
    expect(r.errors).toEqual([]);
    expect(toVerifyResultJson(r)).toEqual({
      decision: 'ALLOW',
      attestationsVerified: 2,
      logEntriesVerified: 4,
      thresholdsMet: ['release-signers'],
      imageDigest: `sha256:${DIGEST}`,
      warnings: [],
    });
    expect(cerroTorreExitCode(r)).toBe(0);
  });

  it('reports MISSING_ATTESTATION when there is no bundle (permissive: WARN)', () => {
    const r = verifyBundle({ bundleBytes: undefined, trustStoreBytes: trustStore(), now: NOW });
    expect(r.errorCode).toBe('MISSING_ATTESTATION');
    expect(r.decision).toBe('REJECT');
    expect(
      verifyBundle({
        bundleBytes: undefined,
        trustStoreBytes: trustStore(),
        now: NOW,
        mode: 'permissive',
      }).decision,
    ).toBe('WARN');
  });

  describe('MALFORMED_BUNDLE (step 3, 5), REJECT in every mode', () => {
    const cases: [string, () => string][] = [
      ['not JSON', () => 'not json'],
      [
        'a duplicate key',
        () =>
          JSON.stringify(bundle()).replace(
            '"version":"0.1.0"',
            '"version":"0.1.0","version":"0.1.0"',
          ),
      ],
      ['a BOM', () => `\uFEFF${JSON.stringify(bundle())}`],
      ['a float', () => JSON.stringify({ ...bundle(), extra: 1.5 })],
      ['wrong mediaType', () => JSON.stringify({ ...bundle(), mediaType: 'application/json' })],
      ['version 1.0.0', () => JSON.stringify({ ...bundle(), version: '1.0.0' })],
      ['no attestations', () => JSON.stringify({ ...bundle(), attestations: [] })],
      [
        'a non-base64 payload',
        () => {
          const b = bundle();
          (b.attestations[0] as DsseEnvelope).payload = '!!!';
          return JSON.stringify(b);
        },
      ],
      [
        'a duplicate key inside a payload statement',
        () => {
          const b = bundle();
          const env = b.attestations[0] as DsseEnvelope;
          const text = Buffer.from(env.payload, 'base64').toString('utf8');
          const dup = text.replace('{"_type":', '{"_type":"x","_type":');
          const old = attestationDigest(env);
          env.payload = encodeBase64(enc.encode(dup));
          // the entries cover the new envelope (coverage is step 4, before decoding in step 5)
          for (const e of b.logEntries) {
            if (e.attestationDigest === old) e.attestationDigest = attestationDigest(env);
          }
          return JSON.stringify(b);
        },
      ],
    ];
    for (const [name, make] of cases) {
      it.each(['strict', 'permissive', 'audit'] as const)(`${name} (%s)`, (mode) => {
        const r = run(make(), { mode });
        expect(r.errorCode).toBe('MALFORMED_BUNDLE');
        expect(r.decision).toBe('REJECT');
        expect(cerroTorreExitCode(r)).toBe(1);
        expect(vordrDecisionExitCode(r)).toBe(2);
      });
    }
  });

  describe('INSUFFICIENT_LOG_COVERAGE (step 4)', () => {
    it('one log entry per attestation, q = 2', () => {
      const r = run(bundle({ logs: [['cerro-torre-log', LOG_A]] }));
      expect(codes(r)).toEqual(['INSUFFICIENT_LOG_COVERAGE']);
      expect(r.message).toBe(
        'attestation 0 (https://slsa.dev/provenance/v1) is in 1 log, 2 required',
      );
    });
    it('allows a single valid log with --log-quorum 1', () => {
      const r = run(bundle({ logs: [['cerro-torre-log', LOG_A]] }), { logQuorum: 1 });
      expect(r.decision).toBe('ALLOW');
      expect(r.logEntriesVerified).toBe(2);
    });
    it('two entries from the same log count once', () => {
      const b = bundle({ logs: [['cerro-torre-log', LOG_A]] });
      b.logEntries.push(...structuredClone(b.logEntries));
      expect(run(b).errorCode).toBe('INSUFFICIENT_LOG_COVERAGE');
    });
    it('an entry from a log not in the trust store is ignored with a warning', () => {
      const b = bundle({
        logs: [
          ['cerro-torre-log', LOG_A],
          ['unknown-log', LOG_C],
        ],
      });
      const r = run(b);
      expect(r.errorCode).toBe('INSUFFICIENT_LOG_COVERAGE');
      expect(r.warnings.map((w) => w.code)).toContain('LOG_ENTRY_IGNORED');
    });
    it('entries without attestationDigest cover nothing', () => {
      const b = bundle();
      for (const e of b.logEntries) delete e.attestationDigest;
      const r = run(b);
      expect(r.errorCode).toBe('INSUFFICIENT_LOG_COVERAGE');
      expect(r.warnings.map((w) => w.code)).toContain('LOG_ENTRY_NO_ATTESTATION_DIGEST');
    });
    it('permissive WARN and audit LOG, exit 0', () => {
      const b = bundle({ logs: [['cerro-torre-log', LOG_A]] });
      expect(run(b, { mode: 'permissive' }).decision).toBe('WARN');
      const audit = run(b, { mode: 'audit' });
      expect(audit.decision).toBe('LOG');
      expect(cerroTorreExitCode(audit)).toBe(0);
    });
  });

  describe('SUBJECT_MISMATCH (step 5), REJECT in every mode', () => {
    it('--image-digest of another image', () => {
      for (const mode of ['strict', 'permissive', 'audit'] as const) {
        const r = run(bundle(), { imageDigest: `sha256:${OTHER_DIGEST}`, mode });
        expect(r.errorCode).toBe('SUBJECT_MISMATCH');
        expect(r.decision).toBe('REJECT');
      }
    });
    it('a subject digest changed and re-signed', () => {
      const b = bundle();
      const other = bundle({ subject: OTHER_DIGEST });
      b.attestations[1] = other.attestations[1] as DsseEnvelope;
      b.logEntries = [
        ...logEntries('cerro-torre-log', LOG_A, b.attestations),
        ...logEntries('local-file-log', LOG_B, b.attestations),
      ];
      expect(codes(run(b))).toEqual(['SUBJECT_MISMATCH', 'SBOM_INVALID']);
    });
    it('a manifest whose bytes differ from the provenance', () => {
      const r = run(bundle(), { manifestBytes: enc.encode('edited') });
      expect(r.errorCode).toBe('SUBJECT_MISMATCH');
      expect(r.errors[0]?.path).toMatch(/externalParameters\.manifest\.digest\.sha256$/);
    });
  });

  describe('keys (step 6)', () => {
    it('a signature by a key outside the trust store → UNKNOWN_KEY', () => {
      const r = run(bundle({ signers: [[M1, OUTSIDER]] }));
      expect(r.errorCode).toBe('UNKNOWN_KEY');
      expect(r.errors[0]?.path).toBe('$.attestations[0].signatures[1].keyid');
      // the outsider does not count: 1 of 2 also fails the threshold
      expect(codes(r)).toEqual(['UNKNOWN_KEY', 'THRESHOLD_NOT_MET']);
    });
    it('validUntil passed (with now) → EXPIRED_KEY', () => {
      const r = verifyBundle({
        bundleBytes: bytesOf(bundle()),
        trustStoreBytes: trustStore({ m1: { validUntil: '2026-06-01T00:00:00Z' } }),
        now: NOW,
      });
      expect(r.errorCode).toBe('EXPIRED_KEY');
      expect(r.message).toContain('expired 2026-06-01T00:00:00Z');
    });
    it('validFrom in the future → KEY_NOT_YET_VALID', () => {
      const r = verifyBundle({
        bundleBytes: bytesOf(bundle()),
        trustStoreBytes: trustStore({ m1: { validFrom: '2026-12-01T00:00:00Z' } }),
        now: NOW,
      });
      expect(r.errorCode).toBe('KEY_NOT_YET_VALID');
    });
    it('revokedAt passed → REVOKED', () => {
      const r = verifyBundle({
        bundleBytes: bytesOf(bundle()),
        trustStoreBytes: trustStore({ m1: { revokedAt: '2026-11-01T00:00:00Z' } }),
        now: NOW,
      });
      expect(r.errorCode).toBe('REVOKED');
    });
    it('a revoked attestation digest → REVOKED', () => {
      const b = bundle();
      const r = verifyBundle({
        bundleBytes: bytesOf(b),
        trustStoreBytes: trustStore({
          revocations: [
            {
              digest: attestationDigest(b.attestations[0]),
              reason: 'key-compromise',
              revokedAt: '2026-11-25T11:00:00Z',
            },
          ],
        }),
        now: NOW,
      });
      expect(r.errorCode).toBe('REVOKED');
    });
  });

  describe('INVALID_SIGNATURE (step 7)', () => {
    it('one changed byte of a payload (re-logged, so only the signature fails)', () => {
      const b = bundle();
      const env = b.attestations[0] as DsseEnvelope;
      const text = Buffer.from(env.payload, 'base64').toString('utf8');
      env.payload = encodeBase64(enc.encode(text.replace('"hello.ctp"', '"hellx.ctp"')));
      b.logEntries = [
        ...logEntries('cerro-torre-log', LOG_A, b.attestations),
        ...logEntries('local-file-log', LOG_B, b.attestations),
      ];
      const r = run(b);
      expect(r.errorCode).toBe('INVALID_SIGNATURE');
      expect(r.errors.map((e) => e.path)).toEqual([
        '$.attestations[0].signatures[0].sig',
        '$.attestations[0].signatures[1].sig',
        '$.attestations[0].signatures',
      ]);
      expect(r.errors[2]?.code).toBe('THRESHOLD_NOT_MET');
      expect(codes(r)).toEqual(['INVALID_SIGNATURE', 'THRESHOLD_NOT_MET']);
    });
    it('one changed byte of the payload as logged → also LOG_PROOF_INVALID', () => {
      const b = bundle();
      const env = b.attestations[0] as DsseEnvelope;
      const text = Buffer.from(env.payload, 'base64').toString('utf8');
      env.payload = encodeBase64(enc.encode(text.replace('"hello.ctp"', '"hellx.ctp"')));
      // the entries still name the old digest, so they no longer cover the envelope
      expect(run(b).errorCode).toBe('INSUFFICIENT_LOG_COVERAGE');
      expect(codes(run(b))).toContain('INVALID_SIGNATURE');
    });
    it('one changed byte of a signature', () => {
      const b = bundle();
      const sig = (b.attestations[1] as DsseEnvelope).signatures[0];
      if (sig === undefined) throw new Error('fixture');
      sig.sig = flipBase64(sig.sig, 5);
      b.logEntries = [
        ...logEntries('cerro-torre-log', LOG_A, b.attestations),
        ...logEntries('local-file-log', LOG_B, b.attestations),
      ];
      const r = run(b);
      expect(r.errorCode).toBe('INVALID_SIGNATURE');
      expect(r.errors[0]?.path).toBe('$.attestations[1].signatures[0].sig');
    });
    it('a 63-byte signature', () => {
      const b = bundle();
      const sig = (b.attestations[0] as DsseEnvelope).signatures[0];
      if (sig === undefined) throw new Error('fixture');
      sig.sig = encodeBase64(Buffer.from(sig.sig, 'base64').subarray(0, 63));
      b.logEntries = [
        ...logEntries('cerro-torre-log', LOG_A, b.attestations),
        ...logEntries('local-file-log', LOG_B, b.attestations),
      ];
      expect(run(b).errorCode).toBe('INVALID_SIGNATURE');
    });
    it('signatures: []', () => {
      const b = bundle({ signers: [[]] });
      const r = run(b);
      expect(r.errorCode).toBe('INVALID_SIGNATURE');
      expect(r.errors[0]?.path).toBe('$.attestations[0].signatures');
    });
    it('a signature over the base64 text instead of the decoded bytes', () => {
      const b = bundle();
      const env = b.attestations[0] as DsseEnvelope;
      const wrong = signEnvelope(enc.encode(env.payload), M1);
      env.signatures = [
        { keyid: M1.publicKey.keyId, sig: (wrong.signatures[0] as { sig: string }).sig },
        env.signatures[1] as { keyid: string; sig: string },
      ];
      b.logEntries = [
        ...logEntries('cerro-torre-log', LOG_A, b.attestations),
        ...logEntries('local-file-log', LOG_B, b.attestations),
      ];
      expect(run(b).errorCode).toBe('INVALID_SIGNATURE');
    });
    it('permissive → WARN, audit → LOG, exit 0', () => {
      const b = bundle();
      const sig = (b.attestations[1] as DsseEnvelope).signatures[0];
      if (sig === undefined) throw new Error('fixture');
      sig.sig = flipBase64(sig.sig, 5);
      b.logEntries = [
        ...logEntries('cerro-torre-log', LOG_A, b.attestations),
        ...logEntries('local-file-log', LOG_B, b.attestations),
      ];
      const p = run(b, { mode: 'permissive' });
      expect([p.decision, p.errorCode, cerroTorreExitCode(p)]).toEqual([
        'WARN',
        'INVALID_SIGNATURE',
        0,
      ]);
      const a = run(b, { mode: 'audit' });
      expect([a.decision, a.errorCode, cerroTorreExitCode(a)]).toEqual([
        'LOG',
        'INVALID_SIGNATURE',
        0,
      ]);
    });
  });

  describe('LOG_PROOF_INVALID (step 8)', () => {
    const tamper: [string, (e: BundleLogEntry) => void][] = [
      [
        'one byte of a proof hash',
        (e) => (e.inclusionProof.hashes[0] = flipHex(e.inclusionProof.hashes[0] ?? '')),
      ],
      [
        'one byte of rootHash',
        (e) => (e.inclusionProof.rootHash = flipHex(e.inclusionProof.rootHash)),
      ],
      [
        'one byte of the SET',
        (e) => (e.signedEntryTimestamp = flipBase64(e.signedEntryTimestamp, 3)),
      ],
      ['inclusionProof.logIndex ≠ logIndex', (e) => (e.inclusionProof.logIndex += 1)],
      ['treeSize changed', (e) => (e.inclusionProof.treeSize += 1)],
      [
        'forged proof hashes:[rootHash]',
        (e) => (e.inclusionProof.hashes = [e.inclusionProof.rootHash]),
      ],
      [
        'a SET by the other log key',
        (e) => {
          e.signedEntryTimestamp = signSet(LOG_B, {
            logId: e.logId,
            logIndex: e.logIndex,
            integratedTime: e.integratedTime,
            leafHash: '0'.repeat(64),
            treeSize: e.inclusionProof.treeSize,
            rootHash: e.inclusionProof.rootHash,
          });
        },
      ],
      ['a SET over a different integratedTime', (e) => (e.integratedTime = '2026-11-25T10:00:09Z')],
    ];
    it.each(tamper)('%s', (_name, change) => {
      const b = bundle();
      change(b.logEntries[0] as BundleLogEntry);
      const r = run(b);
      expect(r.errorCode).toBe('LOG_PROOF_INVALID');
      expect(r.errors[0]?.path).toBe('$.logEntries[0]');
      expect(r.logEntriesVerified).toBe(3);
      expect(r.attestationsVerified).toBe(1);
    });
  });

  describe('THRESHOLD_NOT_MET (step 9)', () => {
    it('k−1 distinct signers', () => {
      const r = run(bundle({ signers: [[M1]] }));
      expect(codes(r)).toEqual(['THRESHOLD_NOT_MET']);
      expect(r.message).toBe(
        "group 'release-signers' requires 2 distinct signatures on every attestation, attestation 0 has 1",
      );
    });
    it('the same key twice counts once', () => {
      const b = bundle({ signers: [[M1]] });
      for (const env of b.attestations)
        env.signatures.push({ ...(env.signatures[0] as { keyid: string; sig: string }) });
      b.logEntries = [
        ...logEntries('cerro-torre-log', LOG_A, b.attestations),
        ...logEntries('local-file-log', LOG_B, b.attestations),
      ];
      expect(codes(run(b))).toEqual(['THRESHOLD_NOT_MET']);
    });
    it('k signatures on one attestation, k−1 on another', () => {
      const r = run(bundle({ signers: [[M1, M2], [M2]] }));
      expect(r.errorCode).toBe('THRESHOLD_NOT_MET');
      expect(r.message).toContain('attestation 1 has 1');
    });
    it('--threshold-group naming an unmet group', () => {
      const r = run(bundle(), {
        thresholdGroups: ['solo'],
        trustStoreBytes: trustStore({ solo: true }),
      });
      expect(r.errorCode).toBe('THRESHOLD_NOT_MET');
      expect(r.thresholdsMet).toEqual([]);
      const both = run(bundle(), { trustStoreBytes: trustStore({ solo: true }) });
      expect(both.thresholdsMet).toEqual(['release-signers']);
    });
    it('an unknown group is a setup error', () => {
      expect(() => run(bundle(), { thresholdGroups: ['nope'] })).toThrow(
        expect.objectContaining({ code: 'THRESHOLD_GROUP_UNKNOWN' }) as VcError,
      );
    });
    it('the manifest keyholder requirement', () => {
      const ok = run(bundle(), {
        requirements: { keyholders: { minimum: 2, owners: ['maintainer-1', 'maintainer-2'] } },
      });
      expect(ok.thresholdsMet).toEqual(['release-signers', 'keyholders']);
      const r = run(bundle({ signers: [[M1, BOT]] }), {
        requirements: { keyholders: { minimum: 2, owners: ['maintainer-1', 'maintainer-2'] } },
      });
      expect(r.errorCode).toBe('THRESHOLD_NOT_MET');
      expect(r.thresholdsMet).toEqual(['release-signers']);
    });
  });

  describe('content gates (step 10)', () => {
    it('no SPDX statement → MISSING_ATTESTATION, allowed with requireSbom false', () => {
      const b = bundle();
      b.attestations = [b.attestations[0] as DsseEnvelope];
      b.logEntries = [
        ...logEntries('cerro-torre-log', LOG_A, b.attestations),
        ...logEntries('local-file-log', LOG_B, b.attestations),
      ];
      expect(run(b).errorCode).toBe('MISSING_ATTESTATION');
      expect(run(b, { requirements: { requireSbom: false } }).decision).toBe('ALLOW');
    });
    it('licence lists that nothing in the SBOM violates', () => {
      const r = run(bundle(), { requirements: { licenses: { denied: ['GPL-3.0-only'] } } });
      expect(r.errors).toEqual([]);
    });
  });

  it('a trust store with 2 logs and no dev profile is a setup error', () => {
    const text = new TextDecoder().decode(trustStore()).replace('"profile": "dev",', '');
    expect(() =>
      verifyBundle({ bundleBytes: bytesOf(bundle()), trustStoreBytes: enc.encode(text), now: NOW }),
    ).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_LOG_OPERATORS' }) as VcError);
  });
});

describe('verifyBundle vulnerability gate (04 §6.5)', () => {
  it('no database: a warning, or VULNERABILITY_DB_MISSING with requireDb', () => {
    const warn = run(bundle(), { vulnerabilities: { db: undefined, requireDb: false } });
    expect(warn.decision).toBe('ALLOW');
    expect(warn.warnings.map((w) => w.message)).toContain(
      'not checked: no vulnerability database configured',
    );
    const strict = run(bundle(), { vulnerabilities: { db: undefined, requireDb: true } });
    expect(strict.errorCode).toBe('VULNERABILITY_DB_MISSING');
    expect(
      run(bundle(), { vulnerabilities: { db: undefined, requireDb: true }, mode: 'permissive' })
        .decision,
    ).toBe('WARN');
  });
  it('an empty database finds nothing', () => {
    const r = run(bundle(), {
      vulnerabilities: { db: { vulnerabilities: [], records: [] }, requireDb: true },
    });
    expect(r.decision).toBe('ALLOW');
  });
});

describe('package, layout and rebuild evidence (steps 1, 5, 11)', () => {
  const D = `sha256:${DIGEST}`;
  const malformed = { code: 'MALFORMED_BUNDLE', path: '$', message: 'bad' };

  it('step 1: package problems stop the run before the bundle is read, in every mode', () => {
    for (const mode of ['strict', 'permissive', 'audit'] as const) {
      const r = verifyBundle({
        bundleBytes: undefined,
        trustStoreBytes: trustStore(),
        now: NOW,
        mode,
        image: { packageProblems: [malformed] },
      });
      expect([r.decision, r.errorCode, r.details.stoppedAt]).toEqual([
        'REJECT',
        'MALFORMED_BUNDLE',
        1,
      ]);
    }
  });

  it('step 5: layout problems stop after the coverage step; D comes from the layout', () => {
    const r = run(bundle(), { image: { layoutProblems: [malformed], layoutDigest: D } });
    expect([r.errorCode, r.details.stoppedAt, r.imageDigest]).toEqual(['MALFORMED_BUNDLE', 5, D]);
    const other = run(bundle(), { image: { layoutDigest: `sha256:${OTHER_DIGEST}` } });
    expect(other.errorCode).toBe('SUBJECT_MISMATCH');
  });

  it('step 5: manifest.toml image_digest must equal D; --image-digest must equal the layout', () => {
    const r = run(bundle(), {
      image: { layoutDigest: D, packageImageDigest: `sha256:${OTHER_DIGEST}` },
      mode: 'audit',
    });
    expect([r.decision, codes(r)]).toEqual(['REJECT', ['SUBJECT_MISMATCH']]);
    const flag = run(bundle(), {
      imageDigest: `sha256:${OTHER_DIGEST}`,
      image: { layoutDigest: D },
    });
    expect(flag.errors[0]?.message).toContain('--image-digest');
    expect(run(bundle(), { image: { layoutDigest: D, packageImageDigest: D } }).errors).toEqual([]);
  });

  it('step 11: a rebuild that differs is NOT_REPRODUCIBLE (permissive WARN)', () => {
    const same = run(bundle(), { rebuild: { kind: 'reproduced', imageDigest: D } });
    expect(same.decision).toBe('ALLOW');
    const r = run(bundle(), {
      mode: 'permissive',
      rebuild: { kind: 'differs', message: 'layer 1 differs' },
    });
    expect([r.decision, r.errorCode, r.message]).toEqual([
      'WARN',
      'NOT_REPRODUCIBLE',
      'layer 1 differs',
    ]);
  });

  it('details name the signers, the verified logs and the SBOM', () => {
    const r = run(bundle());
    expect(r.details.signers).toEqual(['maintainer-1', 'maintainer-2']);
    expect(r.details.verifiedLogIds.sort()).toEqual(['cerro-torre-log', 'local-file-log']);
    expect(r.details.sbom?.packages).toBeGreaterThan(0);
  });

  it('details list every envelope with its predicate type, digest and valid signers', () => {
    const b = bundle();
    const r = run(b);
    expect(r.details.attestations).toEqual(
      b.attestations.map((envelope, index) => ({
        index,
        predicateType: expect.stringMatching(/^https:\/\//) as unknown,
        digest: attestationDigest(envelope),
        validSigners: [
          { keyid: M1.publicKey.keyId, owner: 'maintainer-1' },
          { keyid: M2.publicKey.keyId, owner: 'maintainer-2' },
        ],
      })),
    );
    expect(r.details.findings).toEqual([]);
    // A bundle that does not parse has no envelopes to show.
    const broken = verifyBundle({
      bundleBytes: enc.encode('{'),
      trustStoreBytes: trustStore(),
      now: NOW,
    });
    expect(broken.details.attestations).toEqual([]);
  });

  it('provenanceSourceDateEpoch reads the provenance epoch', () => {
    expect(provenanceSourceDateEpoch(bytesOf(bundle()))).toBe(0);
    expect(provenanceSourceDateEpoch(enc.encode('not json'))).toBeUndefined();
  });
});
