// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { encodeBase64, privateKeyFromSeed } from '../crypto/index.js';
import { canonicalize } from '../json/index.js';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.js';
import {
  checkStatement,
  decodeStatement,
  IN_TOTO_STATEMENT_TYPE,
  makeStatement,
  SPDX_PREDICATE_TYPE,
} from './statement.js';

const DIGEST = 'dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9';
const PREDICATE = {
  SPDXID: 'SPDXRef-DOCUMENT',
  dataLicense: 'CC0-1.0',
  name: 'hello-1.0.0',
  spdxVersion: 'SPDX-2.3',
};
/** The SBOM statement of 02 §11.1. */
const SBOM_JCS =
  '{"_type":"https://in-toto.io/Statement/v1","predicate":{"SPDXID":"SPDXRef-DOCUMENT","dataLicense":"CC0-1.0","name":"hello-1.0.0","spdxVersion":"SPDX-2.3"},"predicateType":"https://spdx.dev/Document","subject":[{"digest":{"sha256":"dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9"},"name":"hello:1.0.0"}]}';

const good = makeStatement('hello:1.0.0', DIGEST, SPDX_PREDICATE_TYPE, PREDICATE);
const envelopeOf = (payload: string) => ({
  payloadType: IN_TOTO_PAYLOAD_TYPE,
  payload: encodeBase64(payload),
});

describe('makeStatement', () => {
  it('builds the 02 §11.1 SBOM statement', () => {
    expect(canonicalize(good)).toBe(SBOM_JCS);
    expect(good._type).toBe(IN_TOTO_STATEMENT_TYPE);
  });

  it('normalises a sha256: prefix and uppercase hex; rejects anything else', () => {
    const s = makeStatement('x:1', `sha256:${DIGEST.toUpperCase()}`, 't', {});
    expect(s.subject[0]?.digest.sha256).toBe(DIGEST);
    expect(() => makeStatement('x:1', DIGEST.slice(1), 't', {})).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('checkStatement (02 §4)', () => {
  const check = (value: unknown) => checkStatement(value, '$').map((p) => [p.code, p.path]);

  it('accepts a valid statement, several subjects and unknown members', () => {
    expect(check(good)).toEqual([]);
    const nameless = { digest: good.subject[0]!.digest };
    expect(
      check({
        ...good,
        extra: 1,
        subject: [good.subject[0], { ...nameless, digest: { sha256: DIGEST, sha512: 'ab' } }],
      }),
    ).toEqual([]);
  });

  it.each([null, [], 'statement', 1])('rejects the non-object %j', (value) => {
    expect(check(value)).toEqual([['MALFORMED_BUNDLE', '$']]);
  });

  it.each([
    ['_type missing', { ...good, _type: undefined }, '$._type'],
    ['_type v0.1', { ...good, _type: 'https://in-toto.io/Statement/v0.1' }, '$._type'],
    ['_type with a trailing slash', { ...good, _type: `${IN_TOTO_STATEMENT_TYPE}/` }, '$._type'],
    ['subject missing', { ...good, subject: undefined }, '$.subject'],
    ['subject an object', { ...good, subject: good.subject[0] }, '$.subject'],
    ['subject empty', { ...good, subject: [] }, '$.subject'],
    ['a subject a string', { ...good, subject: [good.subject[0], 'x'] }, '$.subject[1]'],
    ['digest missing', { ...good, subject: [{ name: 'x' }] }, '$.subject[0].digest'],
    ['digest an array', { ...good, subject: [{ digest: [DIGEST] }] }, '$.subject[0].digest'],
    [
      'sha256 missing',
      { ...good, subject: [{ digest: { sha512: DIGEST } }] },
      '$.subject[0].digest.sha256',
    ],
    [
      'sha256 uppercase',
      { ...good, subject: [{ digest: { sha256: DIGEST.toUpperCase() } }] },
      '$.subject[0].digest.sha256',
    ],
    [
      'sha256 prefixed',
      { ...good, subject: [{ digest: { sha256: `sha256:${DIGEST}` } }] },
      '$.subject[0].digest.sha256',
    ],
    [
      'sha256 of 63 characters',
      { ...good, subject: [{ digest: { sha256: DIGEST.slice(1) } }] },
      '$.subject[0].digest.sha256',
    ],
    [
      'sha256 a number',
      { ...good, subject: [{ digest: { sha256: 1 } }] },
      '$.subject[0].digest.sha256',
    ],
    ['predicateType missing', { ...good, predicateType: undefined }, '$.predicateType'],
    ['predicateType a number', { ...good, predicateType: 1 }, '$.predicateType'],
    ['predicate missing', { ...good, predicate: undefined }, '$.predicate'],
    ['predicate an array', { ...good, predicate: [] }, '$.predicate'],
    ['predicate null', { ...good, predicate: null }, '$.predicate'],
    ['predicate a string', { ...good, predicate: '{}' }, '$.predicate'],
  ])('rejects %s', (_name, value, path) => {
    expect(check(JSON.parse(JSON.stringify(value)))).toEqual([['MALFORMED_BUNDLE', path]]);
  });

  it('collects every problem', () => {
    expect(check({ subject: [], predicate: 1 })).toEqual([
      ['MALFORMED_BUNDLE', '$._type'],
      ['MALFORMED_BUNDLE', '$.subject'],
      ['MALFORMED_BUNDLE', '$.predicateType'],
      ['MALFORMED_BUNDLE', '$.predicate'],
    ]);
  });
});

describe('decodeStatement', () => {
  const decode = (envelope: { payloadType: string; payload: string }) =>
    decodeStatement(envelope, '$.attestations[1]');

  it('decodes a signed statement and returns the payload bytes as received', () => {
    const envelope = signEnvelope(good, privateKeyFromSeed(new Uint8Array(32).fill(0x11)));
    const { statement, payloadBytes, problems } = decode(envelope);
    expect(problems).toEqual([]);
    expect(statement).toEqual(good);
    expect(new TextDecoder().decode(payloadBytes)).toBe(SBOM_JCS);
  });

  it('accepts a non-canonical payload (02 §7)', () => {
    const pretty = JSON.stringify(good, null, 2);
    const { statement, payloadBytes, problems } = decode(envelopeOf(pretty));
    expect(problems).toEqual([]);
    expect(statement?.predicateType).toBe(SPDX_PREDICATE_TYPE);
    expect(new TextDecoder().decode(payloadBytes)).toBe(pretty);
  });

  it.each([
    [
      'a duplicate key inside the payload',
      SBOM_JCS.replace('{"_type"', '{"predicateType":"x","_type"'),
    ],
    ['a nested duplicate key', SBOM_JCS.replace('"name":"hello-1.0.0"', '"name":"a","name":"b"')],
    ['a fraction', SBOM_JCS.replace('"SPDX-2.3"', '2.3')],
    ['an exponent', SBOM_JCS.replace('"SPDX-2.3"', '1e3')],
    ['2^53', SBOM_JCS.replace('"SPDX-2.3"', '9007199254740992')],
    ['a lone surrogate', SBOM_JCS.replace('hello-1.0.0', '\\ud800')],
    ['a BOM', `\uFEFF${SBOM_JCS}`],
    ['not JSON', 'hello'],
    ['an empty payload', ''],
  ])('rejects %s with MALFORMED_BUNDLE at the payload', (_name, payload) => {
    const result = decode(envelopeOf(payload));
    expect(result.statement).toBeUndefined();
    expect(result.problems.map((p) => [p.code, p.path])).toEqual([
      ['MALFORMED_BUNDLE', '$.attestations[1].payload'],
    ]);
  });

  it('rejects a payload that is not base64', () => {
    const result = decode({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload: 'e30=!' });
    expect(result.problems.map((p) => [p.code, p.path])).toEqual([
      ['MALFORMED_BUNDLE', '$.attestations[1].payload'],
    ]);
  });

  it('rejects another payload type', () => {
    const result = decode({ ...envelopeOf(SBOM_JCS), payloadType: 'application/json' });
    expect(result.problems.map((p) => [p.code, p.path])).toEqual([
      ['MALFORMED_BUNDLE', '$.attestations[1].payloadType'],
    ]);
  });

  it('reports statement problems below the payload', () => {
    const result = decode(envelopeOf(JSON.stringify({ ...good, subject: [{ digest: {} }] })));
    expect(result.problems.map((p) => [p.code, p.path])).toEqual([
      ['MALFORMED_BUNDLE', '$.attestations[1].payload.subject[0].digest.sha256'],
    ]);
  });
});
