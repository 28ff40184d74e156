// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { encodeBase64, privateKeyFromSeed, sha256Hex } from '../crypto/index.js';
import { canonicalize, parseJson } from '../json/index.js';
import {
  addSignature,
  attestationDigest,
  IN_TOTO_PAYLOAD_TYPE,
  signEnvelope,
} from '../attestation/dsse.js';
import { attestationLeaf, checkTlogLeaf, leafBytes, revocationLeaf } from './leaf.js';
import { REVOCATION_PAYLOAD_TYPE } from './revocation.js';

const seedKey = (b: number) => privateKeyFromSeed(new Uint8Array(32).fill(b));
const maintainer1 = seedKey(0x11);
const maintainer2 = seedKey(0x12);

/** The provenance statement of 02 §11.1, as JCS. */
const PROVENANCE_JCS =
  '{"_type":"https://in-toto.io/Statement/v1","predicate":{"buildDefinition":{"buildType":"https://verified-container.org/cerro-torre/build/v1","externalParameters":{"lock":{"digest":{"sha256":"acac86c0e609ca906f632b0e2dacccb2b77d22b0621f20ebece1a4835b93f6f0"},"path":"hello.lock.json"},"manifest":{"digest":{"sha256":"62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a"},"path":"hello.ctp"},"sourceDateEpoch":0},"internalParameters":{"builderVersion":"0.1.0"},"resolvedDependencies":[{"digest":{"sha256":"9d75f0d7c398df565d7ac04c6819b62d6d8f9560f5eb4672596ecd8f7e96ae91"},"name":"busybox","uri":"pkg:deb/debian/busybox@1%3A1.35.0-4%2Bb3?arch=amd64&distro=debian-12"}]},"runDetails":{"builder":{"id":"https://verified-container.org/cerro-torre/builder/local/v1","version":{"cerro-torre":"0.1.0"}},"metadata":{"finishedOn":"2026-11-25T10:00:04Z","invocationId":"7d0c3a52-3b9e-4f1e-9a57-0c2f7a3e1b11","startedOn":"2026-11-25T10:00:00Z"}}},"predicateType":"https://slsa.dev/provenance/v1","subject":[{"digest":{"sha256":"dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9"},"name":"hello:1.0.0"}]}';
/** The leaf of the first entry of 02 §11.1 (03 §3.1). */
const LEAF_JCS =
  '{"body":{"attestationDigest":"sha256:4bb4785ef80922bcc971536454daeba5ab56c3b5892a4c1aab34d759c251ae5a","predicateType":"https://slsa.dev/provenance/v1","subjectDigest":"sha256:dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9"},"entryType":"attestation","timestamp":"2026-11-25T10:00:05Z","version":1}';
const LEAF_HASH = '7b24640e096d782f96d59039b2ecd21776d91bb1991fe435d06905453b898ef2';
const DIGEST = 'sha256:dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9';

/** RFC 9162 leaf hash, computed here so the test does not depend on the Merkle module. */
const leafHashOf = (bytes: Uint8Array) => sha256Hex(new Uint8Array([0x00, ...bytes]));

const provenanceEnvelope = addSignature(
  signEnvelope(parseJson(PROVENANCE_JCS) as object, maintainer1),
  maintainer2,
);

describe('attestation leaves (03 §3)', () => {
  it('reproduces the leaf and leafHash of 03 §3.1', () => {
    const leaf = attestationLeaf(provenanceEnvelope, '2026-11-25T10:00:05Z');
    const bytes = leafBytes(leaf);
    expect(new TextDecoder().decode(bytes)).toBe(LEAF_JCS);
    expect(leafHashOf(bytes)).toBe(LEAF_HASH);
    expect(leafHashOf(new TextEncoder().encode(LEAF_JCS))).toBe(LEAF_HASH);
    expect(checkTlogLeaf(leaf, '$')).toEqual([]);
    expect(checkTlogLeaf(parseJson(LEAF_JCS), '$')).toEqual([]);
  });

  it('uses integratedTime verbatim and the envelope as given (unknown members included)', () => {
    const withExtra = { ...provenanceEnvelope, extra: 1 };
    const leaf = attestationLeaf(withExtra, '2026-11-25T10:00:05.5+01:00');
    expect(leaf.timestamp).toBe('2026-11-25T10:00:05.5+01:00');
    expect(leaf.body.attestationDigest).not.toBe(attestationDigest(provenanceEnvelope));
    expect(leaf.body.subjectDigest).toBe(DIGEST);
  });

  it('takes the first subject', () => {
    const statement = parseJson(PROVENANCE_JCS) as { subject: unknown[] };
    const other = { digest: { sha256: 'a'.repeat(64) }, name: 'other:1' };
    const envelope = signEnvelope(
      { ...statement, subject: [other, ...statement.subject] },
      maintainer1,
    );
    expect(attestationLeaf(envelope, 't').body.subjectDigest).toBe(`sha256:${'a'.repeat(64)}`);
  });

  it.each([
    [
      'not a statement',
      { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: encodeBase64('{}'), signatures: [] },
    ],
    ['not base64', { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: '!', signatures: [] }],
    ['another payload type', { ...provenanceEnvelope, payloadType: 'application/json' }],
  ])('throws MALFORMED_BUNDLE for %s', (_name, envelope) => {
    expect(() => attestationLeaf(envelope, 't')).toThrow(
      expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
    );
  });
});

describe('revocation leaves (03 §3.2)', () => {
  const revocation = {
    revokedDigest: 'sha256:4bb4785ef80922bcc971536454daeba5ab56c3b5892a4c1aab34d759c251ae5a',
    reason: 'key_compromise',
    revokedBy: maintainer1.publicKey.keyId,
    revokedAt: '2026-12-01T00:00:00Z',
  };
  const envelope = signEnvelope(revocation, maintainer1, REVOCATION_PAYLOAD_TYPE);

  it('builds the body from the payload and the envelope digest', () => {
    const leaf = revocationLeaf(envelope, '2026-12-01T00:00:01Z');
    expect(leaf).toEqual({
      version: 1,
      timestamp: '2026-12-01T00:00:01Z',
      entryType: 'revocation',
      body: {
        revocationDigest: attestationDigest(envelope),
        revokedDigest: revocation.revokedDigest,
        reason: 'key_compromise',
        revokedBy: maintainer1.publicKey.keyId,
      },
    });
    expect(checkTlogLeaf(leaf, '$')).toEqual([]);
    expect(canonicalize(leaf)).toBe(new TextDecoder().decode(leafBytes(leaf)));
  });

  it.each([
    ['an unknown reason', { ...revocation, reason: 'bored' }, '$.payload.reason'],
    [
      'a bare-hex revokedDigest',
      { ...revocation, revokedDigest: 'a'.repeat(64) },
      '$.payload.revokedDigest',
    ],
    ['a missing revokedBy', { ...revocation, revokedBy: undefined }, '$.payload.revokedBy'],
    [
      'a revokedAt that is no time',
      { ...revocation, revokedAt: 'yesterday' },
      '$.payload.revokedAt',
    ],
  ])('throws MALFORMED_BUNDLE for %s', (_name, payload, path) => {
    const bad = signEnvelope(payload, maintainer1, REVOCATION_PAYLOAD_TYPE);
    expect(() => revocationLeaf(bad, 't')).toThrow(
      expect.objectContaining({
        code: 'MALFORMED_BUNDLE',
        errors: [expect.objectContaining({ code: 'MALFORMED_BUNDLE', path })],
      }),
    );
  });

  it('throws for an in-toto envelope', () => {
    expect(() => revocationLeaf(provenanceEnvelope, 't')).toThrow(
      expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
    );
  });
});

describe('checkTlogLeaf', () => {
  const leaf = parseJson(LEAF_JCS) as { body: Record<string, unknown> };
  const body = leaf.body;
  const check = (value: unknown) =>
    checkTlogLeaf(JSON.parse(JSON.stringify(value)), '$.entry').map((p) => [p.code, p.path]);

  it('tolerates unknown members', () => {
    expect(check({ ...leaf, extra: 1, body: { ...body, more: 2 } })).toEqual([]);
  });

  it.each([null, [], 'leaf'])('rejects the non-object %j', (value) => {
    expect(check(value)).toEqual([['MALFORMED_BUNDLE', '$.entry']]);
  });

  it.each([
    ['version 2', { ...leaf, version: 2 }, '$.entry.version'],
    ['version "1"', { ...leaf, version: '1' }, '$.entry.version'],
    ['version missing', { ...leaf, version: undefined }, '$.entry.version'],
    ['timestamp missing', { ...leaf, timestamp: undefined }, '$.entry.timestamp'],
    ['timestamp a number', { ...leaf, timestamp: 1764064805 }, '$.entry.timestamp'],
    ['timestamp without zone', { ...leaf, timestamp: '2026-11-25T10:00:05' }, '$.entry.timestamp'],
    ['entryType unknown', { ...leaf, entryType: 'other' }, '$.entry.entryType'],
    ['body missing', { ...leaf, body: undefined }, '$.entry.body'],
    ['body an array', { ...leaf, body: [] }, '$.entry.body'],
    [
      'attestationDigest bare hex',
      { ...leaf, body: { ...body, attestationDigest: LEAF_HASH } },
      '$.entry.body.attestationDigest',
    ],
    [
      'subjectDigest missing',
      { ...leaf, body: { ...body, subjectDigest: undefined } },
      '$.entry.body.subjectDigest',
    ],
    [
      'predicateType a number',
      { ...leaf, body: { ...body, predicateType: 1 } },
      '$.entry.body.predicateType',
    ],
    [
      'a revocation body on an attestation',
      { ...leaf, entryType: 'revocation' },
      '$.entry.body.revocationDigest',
    ],
  ])('rejects %s', (_name, value, path) => {
    expect(check(value)[0]).toEqual(['MALFORMED_BUNDLE', path]);
  });
});
