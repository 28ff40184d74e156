// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64, privateKeyFromSeed, signBytes } from '../crypto/index.js';
import { canonicalize, parseJson } from '../json/index.js';
import {
  addSignature,
  attestationDigest,
  checkEnvelope,
  DSSE_MAX_SIGNATURES,
  IN_TOTO_PAYLOAD_TYPE,
  pae,
  signEnvelope,
  verifySignature,
  type DsseEnvelope,
} from './dsse.js';

const seedKey = (b: number) => privateKeyFromSeed(new Uint8Array(32).fill(b));
const maintainer1 = seedKey(0x11);
const maintainer2 = seedKey(0x12);
const releaseBot = seedKey(0x13);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const utf8 = (s: string) => new TextEncoder().encode(s);

/** The two statements of 02 §11.1, as the JCS printed there. */
const PROVENANCE_JCS =
  '{"_type":"https://in-toto.io/Statement/v1","predicate":{"buildDefinition":{"buildType":"https://verified-container.org/cerro-torre/build/v1","externalParameters":{"lock":{"digest":{"sha256":"acac86c0e609ca906f632b0e2dacccb2b77d22b0621f20ebece1a4835b93f6f0"},"path":"hello.lock.json"},"manifest":{"digest":{"sha256":"62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a"},"path":"hello.ctp"},"sourceDateEpoch":0},"internalParameters":{"builderVersion":"0.1.0"},"resolvedDependencies":[{"digest":{"sha256":"9d75f0d7c398df565d7ac04c6819b62d6d8f9560f5eb4672596ecd8f7e96ae91"},"name":"busybox","uri":"pkg:deb/debian/busybox@1%3A1.35.0-4%2Bb3?arch=amd64&distro=debian-12"}]},"runDetails":{"builder":{"id":"https://verified-container.org/cerro-torre/builder/local/v1","version":{"cerro-torre":"0.1.0"}},"metadata":{"finishedOn":"2026-11-25T10:00:04Z","invocationId":"7d0c3a52-3b9e-4f1e-9a57-0c2f7a3e1b11","startedOn":"2026-11-25T10:00:00Z"}}},"predicateType":"https://slsa.dev/provenance/v1","subject":[{"digest":{"sha256":"dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9"},"name":"hello:1.0.0"}]}';
const SBOM_JCS =
  '{"_type":"https://in-toto.io/Statement/v1","predicate":{"SPDXID":"SPDXRef-DOCUMENT","dataLicense":"CC0-1.0","name":"hello-1.0.0","spdxVersion":"SPDX-2.3"},"predicateType":"https://spdx.dev/Document","subject":[{"digest":{"sha256":"dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9"},"name":"hello:1.0.0"}]}';

/** What 02 §11.1 prints for the two envelopes (Ed25519 is deterministic). */
const EXPECTED = [
  {
    jcs: PROVENANCE_JCS,
    sigs: [
      'usYh7zcv/eleSyXDrahVRWmX9dhg2kQeWybjpjd7Aeza1x+MFco2gd96tAIqug81OHINR6bTPZkxxrhn7ThSCw==',
      'Pt84ipzEdai0i5Zkr8x4+fW1GzXgaad1HitiGGTyvIC9kzrcY3G8rG+UkCtJjtnWtpd0Hy4hGVz1nmSeT3KcCA==',
    ],
    digest: 'sha256:4bb4785ef80922bcc971536454daeba5ab56c3b5892a4c1aab34d759c251ae5a',
    payloadPrefix:
      'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsiYnVpbGRE',
  },
  {
    jcs: SBOM_JCS,
    sigs: [
      'xcwLm2muty6UUzpAd1S+Bm3mU/YRT40PMbvYLIvk8YhC9FCeiWlHkmWoGQ2lwbz7LuEsG7rf7Nw0oBKQsmCeDQ==',
      'eecMuOvk7rKoQSvlwKPdKX+0IRVWS1EPN21DUXTfkic64Ys56JPNHbqZAZ5kbq6B0+RKNUmFi6NE9xVNS5ouBA==',
    ],
    digest: 'sha256:174a5bb5c909e9a2f58936308c2a3399a021415b73cbc38855c118bda2d7e320',
    payloadPrefix:
      'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsiU1BEWElE',
  },
];

function flipByte(base64: string, index: number): string {
  const bytes = decodeBase64(base64)!;
  bytes[index] = bytes[index]! ^ 0x01;
  return encodeBase64(bytes);
}

describe('pae (02 §7)', () => {
  it('encodes the DSSE example exactly', () => {
    expect(text(pae('http://example.com/HelloWorld', utf8('hello world')))).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  it('uses byte lengths, not string lengths, and allows an empty body', () => {
    expect(text(pae('tÿpe', utf8('€')))).toBe('DSSEv1 5 tÿpe 3 €');
    expect(text(pae('', new Uint8Array()))).toBe('DSSEv1 0  0 ');
  });

  it('has the shape of 02 §7 for the worked-example provenance', () => {
    const body = utf8(PROVENANCE_JCS);
    const bytes = pae(IN_TOTO_PAYLOAD_TYPE, body);
    expect(text(bytes.subarray(0, 52))).toBe(
      'DSSEv1 28 application/vnd.in-toto+json 1119 {"_type"',
    );
    expect(bytes.byteLength).toBe(44 + 1119);
    expect(bytes.subarray(44)).toEqual(body);
  });
});

describe('02 §11.1 worked example', () => {
  it.each(EXPECTED)('reproduces the envelope $digest', ({ jcs, sigs, digest, payloadPrefix }) => {
    const statement = parseJson(jcs) as object;
    expect(canonicalize(statement)).toBe(jcs);
    const envelope = addSignature(signEnvelope(statement, maintainer1), maintainer2);
    expect(envelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
    expect(envelope.payload.startsWith(payloadPrefix)).toBe(true);
    expect(text(decodeBase64(envelope.payload)!)).toBe(jcs);
    expect(envelope.signatures).toEqual([
      {
        keyid: 'sha256:503d8ee46d581c649966569ae095e27041de83322e8e0480e5539e00d2d5d874',
        sig: sigs[0],
      },
      {
        keyid: 'sha256:00d6fd7a8269ddd8fb018e1275a05a6e55ba3fe4ea8eb9a07f9a8b5a37eeccd1',
        sig: sigs[1],
      },
    ]);
    expect(attestationDigest(envelope)).toBe(digest);
    // The digest of the envelope as read back from JSON is the same.
    expect(attestationDigest(parseJson(JSON.stringify(envelope, null, 2)))).toBe(digest);
    expect(verifySignature(envelope, envelope.signatures[0]!, maintainer1.publicKey)).toBe(true);
    expect(verifySignature(envelope, envelope.signatures[1]!, maintainer2.publicKey)).toBe(true);
    expect(checkEnvelope(envelope, '$.attestations[0]')).toEqual([]);
  });
});

describe('signEnvelope / verifySignature', () => {
  const statement = parseJson(SBOM_JCS) as object;
  const envelope = signEnvelope(statement, maintainer1);
  const signature = envelope.signatures[0]!;

  it('round-trips objects and raw payload bytes', () => {
    expect(verifySignature(envelope, signature, maintainer1.publicKey)).toBe(true);
    const raw = signEnvelope(utf8('not json at all'), releaseBot, 'text/plain');
    expect(raw.payloadType).toBe('text/plain');
    expect(raw.payload).toBe(encodeBase64('not json at all'));
    expect(verifySignature(raw, raw.signatures[0]!, releaseBot.publicKey)).toBe(true);
  });

  it('accepts a URL-safe, unpadded payload and sig (02 §1 readers)', () => {
    const urlSafe = (s: string) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const env = { ...envelope, payload: urlSafe(envelope.payload) };
    expect(
      verifySignature(env, { ...signature, sig: urlSafe(signature.sig) }, maintainer1.publicKey),
    ).toBe(true);
  });

  it('rejects one changed payload byte', () => {
    for (const i of [0, 100, SBOM_JCS.length - 1]) {
      const tampered = { ...envelope, payload: flipByte(envelope.payload, i) };
      expect(verifySignature(tampered, signature, maintainer1.publicKey)).toBe(false);
    }
  });

  it('rejects one changed signature byte and a 63- or 65-byte signature', () => {
    const key = maintainer1.publicKey;
    expect(verifySignature(envelope, { ...signature, sig: flipByte(signature.sig, 0) }, key)).toBe(
      false,
    );
    expect(verifySignature(envelope, { ...signature, sig: flipByte(signature.sig, 63) }, key)).toBe(
      false,
    );
    const bytes = decodeBase64(signature.sig)!;
    const short = encodeBase64(bytes.subarray(0, 63));
    const long = encodeBase64(new Uint8Array([...bytes, 0]));
    expect(verifySignature(envelope, { ...signature, sig: short }, key)).toBe(false);
    expect(verifySignature(envelope, { ...signature, sig: long }, key)).toBe(false);
    expect(verifySignature(envelope, { ...signature, sig: 'not base64!' }, key)).toBe(false);
    expect(verifySignature(envelope, { ...signature, sig: '' }, key)).toBe(false);
  });

  it('rejects a signature over the base64 text instead of the decoded bytes', () => {
    const sig = signBytes(maintainer1, pae(IN_TOTO_PAYLOAD_TYPE, utf8(envelope.payload)));
    const forged = { keyid: maintainer1.publicKey.keyId, sig: encodeBase64(sig) };
    expect(verifySignature(envelope, forged, maintainer1.publicKey)).toBe(false);
  });

  it('verifies the bytes received, not a re-serialisation', () => {
    // A non-canonical payload: verifiers must not reject it (02 §7) and must not canonicalise it.
    const pretty = utf8(JSON.stringify(statement, null, 2));
    const received: DsseEnvelope = signEnvelope(pretty, maintainer1);
    expect(verifySignature(received, received.signatures[0]!, maintainer1.publicKey)).toBe(true);
    // A signature over the re-serialised (JCS) form does not verify the received bytes.
    const overJcs = signEnvelope(statement, maintainer1).signatures[0]!;
    expect(verifySignature(received, overJcs, maintainer1.publicKey)).toBe(false);
  });

  it('rejects another payload type (the PAE binds it)', () => {
    const relabelled = { ...envelope, payloadType: 'application/json' };
    expect(verifySignature(relabelled, signature, maintainer1.publicKey)).toBe(false);
  });

  it('rejects key-id mismatches and wrong keys', () => {
    // The right signature, checked with another key.
    expect(verifySignature(envelope, signature, maintainer2.publicKey)).toBe(false);
    // The right signature labelled with another key id.
    const relabelled = { ...signature, keyid: maintainer2.publicKey.keyId };
    expect(verifySignature(envelope, relabelled, maintainer1.publicKey)).toBe(false);
    expect(verifySignature(envelope, relabelled, maintainer2.publicKey)).toBe(false);
    // Key ids compare exactly.
    const upper = { ...signature, keyid: signature.keyid.toUpperCase() };
    expect(verifySignature(envelope, upper, maintainer1.publicKey)).toBe(false);
  });

  it('rejects a payload that is not base64', () => {
    expect(verifySignature({ ...envelope, payload: '@@@' }, signature, maintainer1.publicKey)).toBe(
      false,
    );
  });
});

describe('addSignature', () => {
  const envelope = signEnvelope(parseJson(SBOM_JCS) as object, maintainer1);

  it('returns the envelope unchanged when the key already signed', () => {
    expect(addSignature(envelope, maintainer1)).toBe(envelope);
  });

  it('appends, keeps unknown members, and changes the attestation digest', () => {
    const withExtra = { ...envelope, annotation: 'kept' };
    const signed = addSignature(withExtra, releaseBot);
    expect(signed.annotation).toBe('kept');
    expect(signed.signatures.map((s) => s.keyid)).toEqual([
      maintainer1.publicKey.keyId,
      releaseBot.publicKey.keyId,
    ]);
    expect(signed.payload).toBe(envelope.payload);
    expect(withExtra.signatures).toHaveLength(1);
    expect(verifySignature(signed, signed.signatures[1]!, releaseBot.publicKey)).toBe(true);
    expect(attestationDigest(signed)).not.toBe(attestationDigest(withExtra));
  });

  it('throws MALFORMED_BUNDLE for a payload that is not base64', () => {
    expect(() => addSignature({ ...envelope, payload: '***' }, releaseBot)).toThrow(
      expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
    );
  });
});

describe('attestationDigest', () => {
  it('covers unknown members and is independent of member order', () => {
    const envelope = signEnvelope(parseJson(SBOM_JCS) as object, maintainer1);
    const reordered = {
      signatures: envelope.signatures,
      payload: envelope.payload,
      payloadType: envelope.payloadType,
    };
    expect(attestationDigest(reordered)).toBe(attestationDigest(envelope));
    expect(attestationDigest({ ...envelope, x: 1 })).not.toBe(attestationDigest(envelope));
    expect(attestationDigest(envelope)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('checkEnvelope', () => {
  const good = signEnvelope(parseJson(SBOM_JCS) as object, maintainer1);
  const sig = good.signatures[0]!;
  const check = (value: unknown) =>
    checkEnvelope(value, '$.attestations[0]').map((p) => [p.code, p.path]);

  it('accepts a valid envelope with unknown members', () => {
    expect(checkEnvelope(good, '$')).toEqual([]);
    expect(checkEnvelope({ ...good, extra: true, signatures: [{ ...sig, x: 1 }] }, '$')).toEqual(
      [],
    );
  });

  it.each([null, [], 'envelope', 3])('rejects the non-object %j', (value) => {
    expect(check(value)).toEqual([['MALFORMED_BUNDLE', '$.attestations[0]']]);
  });

  it.each([
    [
      'payloadType missing',
      { payload: good.payload, signatures: [sig] },
      '$.attestations[0].payloadType',
    ],
    ['payloadType a number', { ...good, payloadType: 1 }, '$.attestations[0].payloadType'],
    [
      'payload missing',
      { payloadType: good.payloadType, signatures: [sig] },
      '$.attestations[0].payload',
    ],
    ['payload null', { ...good, payload: null }, '$.attestations[0].payload'],
    ['payload with a space', { ...good, payload: 'eyJh IjoxfQ==' }, '$.attestations[0].payload'],
    [
      'payload with a non-base64 character',
      { ...good, payload: 'eyJhIjox*Q==' },
      '$.attestations[0].payload',
    ],
    [
      'payload with a newline',
      { ...good, payload: `${good.payload}\n` },
      '$.attestations[0].payload',
    ],
    [
      'signatures missing',
      { payloadType: good.payloadType, payload: good.payload },
      '$.attestations[0].signatures',
    ],
    ['signatures an object', { ...good, signatures: sig }, '$.attestations[0].signatures'],
    ['a signature a string', { ...good, signatures: ['sig'] }, '$.attestations[0].signatures[0]'],
    [
      'keyid missing',
      { ...good, signatures: [{ sig: sig.sig }] },
      '$.attestations[0].signatures[0].keyid',
    ],
    [
      'keyid a number',
      { ...good, signatures: [{ ...sig, keyid: 5 }] },
      '$.attestations[0].signatures[0].keyid',
    ],
    [
      'sig missing',
      { ...good, signatures: [{ keyid: sig.keyid }] },
      '$.attestations[0].signatures[0].sig',
    ],
    [
      'sig null',
      { ...good, signatures: [sig, { ...sig, sig: null }] },
      '$.attestations[0].signatures[1].sig',
    ],
  ])('rejects %s with MALFORMED_BUNDLE', (_name, value, path) => {
    expect(check(value)).toEqual([['MALFORMED_BUNDLE', path]]);
  });

  it('rejects more than 64 signatures', () => {
    const many = Array.from({ length: DSSE_MAX_SIGNATURES + 1 }, () => sig);
    expect(check({ ...good, signatures: many })).toEqual([
      ['MALFORMED_BUNDLE', '$.attestations[0].signatures'],
    ]);
    expect(check({ ...good, signatures: many.slice(1) })).toEqual([]);
  });

  it('reports no signatures and bad sig lengths as INVALID_SIGNATURE, after structure', () => {
    expect(check({ ...good, signatures: [] })).toEqual([
      ['INVALID_SIGNATURE', '$.attestations[0].signatures'],
    ]);
    const short = encodeBase64(decodeBase64(sig.sig)!.subarray(0, 63));
    expect(
      check({
        ...good,
        payloadType: 7,
        signatures: [
          sig,
          { ...sig, sig: short },
          { ...sig, sig: 'a b' },
          { keyid: 1, sig: sig.sig },
        ],
      }),
    ).toEqual([
      ['MALFORMED_BUNDLE', '$.attestations[0].payloadType'],
      ['MALFORMED_BUNDLE', '$.attestations[0].signatures[3].keyid'],
      ['INVALID_SIGNATURE', '$.attestations[0].signatures[1].sig'],
      ['INVALID_SIGNATURE', '$.attestations[0].signatures[2].sig'],
    ]);
  });
});
