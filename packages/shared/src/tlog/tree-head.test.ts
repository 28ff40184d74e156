// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64, privateKeyFromSeed } from '../crypto/index.js';
import { parseJson } from '../json/index.js';
import {
  checkTreeHead,
  signTreeHead,
  treeHeadSigningInput,
  verifyTreeHead,
  type SignedTreeHead,
} from './tree-head.js';

const cerroTorreLog = privateKeyFromSeed(new Uint8Array(32).fill(0x21));
const localFileLog = privateKeyFromSeed(new Uint8Array(32).fill(0x22));

/** The example of 03 §5.1, byte for byte. */
const STH_JSON =
  '{"logId":"cerro-torre-log","treeSize":7,"timestamp":"2026-11-25T10:00:05Z","rootHash":"417dc10e5d5bee38797ffdcd6721162efcf47adcf1309c3da473cf6eeebc7bfa","signature":"w6gb+GXtov8JGSCWKDrruyodp8LPIEQ0wQKglp5HZvSLlDJhCb1MAsHg5MCH0t9x/YO06SX6VeQR2+6FjDsnBQ=="}';
const sth = parseJson(STH_JSON) as unknown as SignedTreeHead;

describe('JSON signed tree heads (03 §5.1)', () => {
  it('reproduces the example', () => {
    const signed = signTreeHead(cerroTorreLog, {
      logId: 'cerro-torre-log',
      treeSize: 7,
      timestamp: '2026-11-25T10:00:05Z',
      rootHash: '417dc10e5d5bee38797ffdcd6721162efcf47adcf1309c3da473cf6eeebc7bfa',
    });
    expect(JSON.stringify(signed)).toBe(STH_JSON);
    expect(new TextDecoder().decode(treeHeadSigningInput(sth))).toBe(
      '{"logId":"cerro-torre-log","rootHash":"417dc10e5d5bee38797ffdcd6721162efcf47adcf1309c3da473cf6eeebc7bfa","timestamp":"2026-11-25T10:00:05Z","treeSize":7}',
    );
    expect(verifyTreeHead(cerroTorreLog.publicKey, sth)).toBe(true);
    expect(
      verifyTreeHead(cerroTorreLog.publicKey, { ...sth, rootHash: `sha256:${sth.rootHash}` }),
    ).toBe(true);
    expect(checkTreeHead(sth, '$')).toEqual([]);
  });

  it.each([
    ['another size', { treeSize: 6 }],
    ['another time', { timestamp: '2026-11-25T10:00:06Z' }],
    ['another root', { rootHash: `${sth.rootHash.slice(0, 63)}b` }],
    ['another log id', { logId: 'local-file-log' }],
    ['a changed signature byte', { signature: flip(sth.signature) }],
    ['a 63-byte signature', { signature: encodeBase64(decodeBase64(sth.signature)!.subarray(1)) }],
    ['a signature that is not base64', { signature: '#' }],
    ['a root that is not hex', { rootHash: 'zz' }],
  ])('rejects %s', (_name, change) => {
    expect(verifyTreeHead(cerroTorreLog.publicKey, { ...sth, ...change })).toBe(false);
  });

  it('rejects another log key', () => {
    expect(verifyTreeHead(localFileLog.publicKey, sth)).toBe(false);
  });
});

describe('checkTreeHead', () => {
  const check = (value: unknown) =>
    checkTreeHead(JSON.parse(JSON.stringify(value)), '$').map((p) => [p.code, p.path]);

  it('tolerates unknown members and an empty tree', () => {
    expect(check({ ...sth, extra: true })).toEqual([]);
    expect(check({ ...sth, treeSize: 0 })).toEqual([]);
  });

  it.each([null, [], 7])('rejects the non-object %j', (value) => {
    expect(check(value)).toEqual([['MALFORMED_BUNDLE', '$']]);
  });

  it.each([
    ['logId missing', { logId: undefined }, '$.logId'],
    ['logId with a space', { logId: 'cerro torre' }, '$.logId'],
    ['logId with a plus', { logId: 'cerro+torre' }, '$.logId'],
    ['treeSize negative', { treeSize: -1 }, '$.treeSize'],
    ['treeSize a fraction', { treeSize: 1.5 }, '$.treeSize'],
    ['treeSize a string', { treeSize: '7' }, '$.treeSize'],
    ['timestamp not RFC 3339', { timestamp: '25/11/2026' }, '$.timestamp'],
    ['rootHash uppercase', { rootHash: sth.rootHash.toUpperCase() }, '$.rootHash'],
    ['rootHash short', { rootHash: sth.rootHash.slice(2) }, '$.rootHash'],
    ['signature missing', { signature: undefined }, '$.signature'],
    ['signature a number', { signature: 1 }, '$.signature'],
  ])('rejects %s with MALFORMED_BUNDLE', (_name, change, path) => {
    expect(check({ ...sth, ...change })).toEqual([['MALFORMED_BUNDLE', path]]);
  });

  it('reports a signature that is not 64 bytes as LOG_PROOF_INVALID', () => {
    const short = encodeBase64(decodeBase64(sth.signature)!.subarray(1));
    expect(check({ ...sth, signature: short })).toEqual([['LOG_PROOF_INVALID', '$.signature']]);
    expect(check({ ...sth, signature: 'a b' })).toEqual([['LOG_PROOF_INVALID', '$.signature']]);
  });
});

function flip(base64: string): string {
  const bytes = decodeBase64(base64)!;
  bytes[0] = bytes[0]! ^ 1;
  return encodeBase64(bytes);
}
