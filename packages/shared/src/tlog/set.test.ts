// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64, privateKeyFromSeed } from '../crypto/index.js';
import { setSigningInput, signSet, verifySet, type SetInput } from './set.js';
import { signTreeHead } from './tree-head.js';

const cerroTorreLog = privateKeyFromSeed(new Uint8Array(32).fill(0x21));
const localFileLog = privateKeyFromSeed(new Uint8Array(32).fill(0x22));

/** The first entry of 02 §11.1. */
const INPUT: SetInput = {
  logId: 'cerro-torre-log',
  logIndex: 5,
  integratedTime: '2026-11-25T10:00:05Z',
  leafHash: '7b24640e096d782f96d59039b2ecd21776d91bb1991fe435d06905453b898ef2',
  treeSize: 6,
  rootHash: '674186eb87530119f11c4630ff0497a96c667a88bdf20675649784f14eab284f',
};
const SIGNING_INPUT =
  '{"integratedTime":"2026-11-25T10:00:05Z","leafHash":"7b24640e096d782f96d59039b2ecd21776d91bb1991fe435d06905453b898ef2","logId":"cerro-torre-log","logIndex":5,"rootHash":"674186eb87530119f11c4630ff0497a96c667a88bdf20675649784f14eab284f","treeSize":6}';
const SET =
  'b3h63BYA8zR9xf+L3JM7GyVjSwk02opqJ2pgqAhOOMO/9vOixV4QXeHyM7mDmvjzjdqT915xbNzNso5xzI4wDg==';

describe('signed entry timestamps (03 §4)', () => {
  it('signs the input printed in 03 §4 and reproduces the SET of 02 §11.1', () => {
    expect(new TextDecoder().decode(setSigningInput(INPUT))).toBe(SIGNING_INPUT);
    expect(signSet(cerroTorreLog, INPUT)).toBe(SET);
    expect(verifySet(cerroTorreLog.publicKey, INPUT, SET)).toBe(true);
  });

  it('reads hashes with a sha256: prefix as the same hex', () => {
    const prefixed = {
      ...INPUT,
      leafHash: `sha256:${INPUT.leafHash}`,
      rootHash: `sha256:${INPUT.rootHash}`,
    };
    expect(new TextDecoder().decode(setSigningInput(prefixed))).toBe(SIGNING_INPUT);
    expect(verifySet(cerroTorreLog.publicKey, prefixed, SET)).toBe(true);
  });

  it.each([
    ['a different integratedTime', { integratedTime: '2026-11-25T10:00:06Z' }],
    ['the same time written differently', { integratedTime: '2026-11-25T10:00:05.000Z' }],
    ['a different logIndex', { logIndex: 6 }],
    ['a different treeSize', { treeSize: 7 }],
    ['a different logId', { logId: 'local-file-log' }],
    ['a different leafHash', { leafHash: `${INPUT.leafHash.slice(0, 63)}3` }],
    ['a different rootHash', { rootHash: `0${INPUT.rootHash.slice(1)}` }],
  ])('rejects %s', (_name, change) => {
    expect(verifySet(cerroTorreLog.publicKey, { ...INPUT, ...change }, SET)).toBe(false);
  });

  it('rejects the other log key, tampered and malformed SETs', () => {
    expect(verifySet(localFileLog.publicKey, INPUT, SET)).toBe(false);
    expect(verifySet(cerroTorreLog.publicKey, INPUT, signSet(localFileLog, INPUT))).toBe(false);
    const bytes = decodeBase64(SET)!;
    const flipped = bytes.slice();
    flipped[10] = flipped[10]! ^ 0x80;
    expect(verifySet(cerroTorreLog.publicKey, INPUT, encodeBase64(flipped))).toBe(false);
    expect(verifySet(cerroTorreLog.publicKey, INPUT, encodeBase64(bytes.subarray(0, 63)))).toBe(
      false,
    );
    expect(verifySet(cerroTorreLog.publicKey, INPUT, `${SET} `)).toBe(false);
    expect(verifySet(cerroTorreLog.publicKey, INPUT, '')).toBe(false);
  });

  it('is not a tree-head signature (different member names)', () => {
    const sth = signTreeHead(cerroTorreLog, {
      logId: INPUT.logId,
      treeSize: INPUT.treeSize,
      timestamp: INPUT.integratedTime,
      rootHash: INPUT.rootHash,
    });
    expect(verifySet(cerroTorreLog.publicKey, INPUT, sth.signature)).toBe(false);
  });

  it('refuses hashes that are not 64 lowercase hex', () => {
    for (const leafHash of [INPUT.leafHash.toUpperCase(), INPUT.leafHash.slice(2), 'sha512:00']) {
      expect(() => setSigningInput({ ...INPUT, leafHash })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
      expect(verifySet(cerroTorreLog.publicKey, { ...INPUT, leafHash }, SET)).toBe(false);
    }
  });
});
