// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { privateKeyFromSeed } from '../crypto/index.js';
import {
  checkLogEntry,
  LOG_ENTRY_NO_ATTESTATION_DIGEST,
  MAX_PROOF_HASHES,
  setInputOfEntry,
  toBundleLogEntry,
  type BundleLogEntry,
} from './log-entry.js';
import { verifySet } from './set.js';

/** The first log entry of 02 §11.1. */
const ENTRY: BundleLogEntry = {
  logId: 'cerro-torre-log',
  logIndex: 5,
  integratedTime: '2026-11-25T10:00:05Z',
  inclusionProof: {
    logIndex: 5,
    treeSize: 6,
    rootHash: '674186eb87530119f11c4630ff0497a96c667a88bdf20675649784f14eab284f',
    hashes: [
      'bb8f53dfb4e12273d95d1255c76c35659aee10e356f5beb533a6a64460b00965',
      'f20a5c913e76e61415050ae1264d93311ab512a22171c37fe0410625e5b346d8',
    ],
  },
  signedEntryTimestamp:
    'b3h63BYA8zR9xf+L3JM7GyVjSwk02opqJ2pgqAhOOMO/9vOixV4QXeHyM7mDmvjzjdqT915xbNzNso5xzI4wDg==',
  attestationDigest: 'sha256:4bb4785ef80922bcc971536454daeba5ab56c3b5892a4c1aab34d759c251ae5a',
};
const LEAF_HASH = '7b24640e096d782f96d59039b2ecd21776d91bb1991fe435d06905453b898ef2';
const HASH = ENTRY.inclusionProof.rootHash;

const check = (value: unknown) => {
  const { errors, warnings } = checkLogEntry(JSON.parse(JSON.stringify(value)), '$.logEntries[2]');
  return {
    errors: errors.map((p) => [p.code, p.path]),
    warnings: warnings.map((p) => [p.code, p.path]),
  };
};
const withProof = (change: object) => ({
  ...ENTRY,
  inclusionProof: { ...ENTRY.inclusionProof, ...change },
});

describe('checkLogEntry (02 §11)', () => {
  it('accepts the 02 §11.1 entry, unknown members and sha256:-prefixed hashes', () => {
    expect(check(ENTRY)).toEqual({ errors: [], warnings: [] });
    expect(
      check({
        ...withProof({ rootHash: `sha256:${HASH}`, hashes: [`sha256:${HASH}`], extra: 1 }),
        extra: 2,
      }),
    ).toEqual({ errors: [], warnings: [] });
    expect(check(withProof({ hashes: [] }))).toEqual({ errors: [], warnings: [] });
  });

  it('warns (only) about a missing attestationDigest', () => {
    expect(check({ ...ENTRY, attestationDigest: undefined })).toEqual({
      errors: [],
      warnings: [[LOG_ENTRY_NO_ATTESTATION_DIGEST, '$.logEntries[2].attestationDigest']],
    });
  });

  it.each([null, [], 'entry', 5])('rejects the non-object %j', (value) => {
    expect(check(value)).toEqual({
      errors: [['MALFORMED_BUNDLE', '$.logEntries[2]']],
      warnings: [],
    });
  });

  it.each([
    ['logId missing', { ...ENTRY, logId: undefined }, 'logId'],
    ['logId a number', { ...ENTRY, logId: 1 }, 'logId'],
    ['logId with a space', { ...ENTRY, logId: 'cerro torre' }, 'logId'],
    ['logId with a plus', { ...ENTRY, logId: 'a+b' }, 'logId'],
    ['logId empty', { ...ENTRY, logId: '' }, 'logId'],
    ['logId of 129 characters', { ...ENTRY, logId: 'a'.repeat(129) }, 'logId'],
    ['logIndex missing', { ...ENTRY, logIndex: undefined }, 'logIndex'],
    ['logIndex negative', { ...ENTRY, logIndex: -1 }, 'logIndex'],
    ['logIndex a fraction', { ...ENTRY, logIndex: 1.5 }, 'logIndex'],
    ['logIndex a string', { ...ENTRY, logIndex: '5' }, 'logIndex'],
    ['logIndex 2^53', { ...ENTRY, logIndex: 2 ** 53 }, 'logIndex'],
    ['integratedTime missing', { ...ENTRY, integratedTime: undefined }, 'integratedTime'],
    ['integratedTime a number', { ...ENTRY, integratedTime: 1764064805 }, 'integratedTime'],
    ['inclusionProof missing', { ...ENTRY, inclusionProof: undefined }, 'inclusionProof'],
    ['inclusionProof an array', { ...ENTRY, inclusionProof: [] }, 'inclusionProof'],
    ['proof logIndex missing', withProof({ logIndex: undefined }), 'inclusionProof.logIndex'],
    ['proof logIndex negative', withProof({ logIndex: -1 }), 'inclusionProof.logIndex'],
    ['proof treeSize 0', withProof({ treeSize: 0 }), 'inclusionProof.treeSize'],
    ['proof treeSize a string', withProof({ treeSize: '6' }), 'inclusionProof.treeSize'],
    ['proof rootHash missing', withProof({ rootHash: undefined }), 'inclusionProof.rootHash'],
    [
      'proof rootHash uppercase',
      withProof({ rootHash: HASH.toUpperCase() }),
      'inclusionProof.rootHash',
    ],
    ['proof rootHash short', withProof({ rootHash: HASH.slice(1) }), 'inclusionProof.rootHash'],
    [
      'proof rootHash base64',
      withProof({ rootHash: 'Z0GG64dTARnxHEYw/wSXqWxmeoi98gZ1ZJeE8U6rKE8=' }),
      'inclusionProof.rootHash',
    ],
    ['proof hashes missing', withProof({ hashes: undefined }), 'inclusionProof.hashes'],
    ['proof hashes a string', withProof({ hashes: HASH }), 'inclusionProof.hashes'],
    ['a proof hash a number', withProof({ hashes: [HASH, 1] }), 'inclusionProof.hashes[1]'],
    ['a proof hash sha512:', withProof({ hashes: [`sha512:${HASH}`] }), 'inclusionProof.hashes[0]'],
    [
      '65 proof hashes',
      withProof({ hashes: Array(MAX_PROOF_HASHES + 1).fill(HASH) }),
      'inclusionProof.hashes',
    ],
    [
      'signedEntryTimestamp missing',
      { ...ENTRY, signedEntryTimestamp: undefined },
      'signedEntryTimestamp',
    ],
    [
      'signedEntryTimestamp an object',
      { ...ENTRY, signedEntryTimestamp: {} },
      'signedEntryTimestamp',
    ],
    ['attestationDigest bare hex', { ...ENTRY, attestationDigest: HASH }, 'attestationDigest'],
    ['attestationDigest null', { ...ENTRY, attestationDigest: null }, 'attestationDigest'],
    [
      'attestationDigest uppercase',
      { ...ENTRY, attestationDigest: `sha256:${HASH.toUpperCase()}` },
      'attestationDigest',
    ],
  ])('rejects %s with MALFORMED_BUNDLE', (_name, value, member) => {
    expect(check(value).errors).toEqual([['MALFORMED_BUNDLE', `$.logEntries[2].${member}`]]);
  });

  it('accepts 64 proof hashes and collects every problem', () => {
    expect(check(withProof({ hashes: Array(MAX_PROOF_HASHES).fill(HASH) })).errors).toEqual([]);
    expect(check({ logIndex: -1, inclusionProof: {} }).errors.map(([, path]) => path)).toEqual([
      '$.logEntries[2].logId',
      '$.logEntries[2].logIndex',
      '$.logEntries[2].integratedTime',
      '$.logEntries[2].inclusionProof.logIndex',
      '$.logEntries[2].inclusionProof.treeSize',
      '$.logEntries[2].inclusionProof.rootHash',
      '$.logEntries[2].inclusionProof.hashes',
      '$.logEntries[2].signedEntryTimestamp',
    ]);
  });
});

describe('toBundleLogEntry', () => {
  it('orders a log response (03 §7) as 02 §11 writes it, unknown members last', () => {
    const response = {
      extra: 'x',
      attestationDigest: ENTRY.attestationDigest,
      signedEntryTimestamp: ENTRY.signedEntryTimestamp,
      inclusionProof: {
        hashes: ENTRY.inclusionProof.hashes,
        treeSize: 6,
        rootHash: HASH,
        logIndex: 5,
      },
      integratedTime: ENTRY.integratedTime,
      logIndex: 5,
      logId: ENTRY.logId,
    };
    const ordered = toBundleLogEntry(response);
    expect(Object.keys(ordered)).toEqual([
      'logId',
      'logIndex',
      'integratedTime',
      'inclusionProof',
      'signedEntryTimestamp',
      'attestationDigest',
      'extra',
    ]);
    expect(Object.keys(ordered.inclusionProof)).toEqual([
      'logIndex',
      'treeSize',
      'rootHash',
      'hashes',
    ]);
    expect(ordered).toEqual(response);
    const bare = { ...ENTRY, attestationDigest: undefined };
    expect('attestationDigest' in toBundleLogEntry(bare)).toBe(false);
  });
});

describe('setInputOfEntry', () => {
  it('verifies the SET of the 02 §11.1 entry from the rebuilt leaf hash', () => {
    const log = privateKeyFromSeed(new Uint8Array(32).fill(0x21)).publicKey;
    expect(verifySet(log, setInputOfEntry(ENTRY, LEAF_HASH), ENTRY.signedEntryTimestamp)).toBe(
      true,
    );
    const otherTime = { ...ENTRY, integratedTime: '2026-11-25T10:00:06Z' };
    expect(verifySet(log, setInputOfEntry(otherTime, LEAF_HASH), ENTRY.signedEntryTimestamp)).toBe(
      false,
    );
    const otherSize = withProof({ treeSize: 7 });
    expect(verifySet(log, setInputOfEntry(otherSize, LEAF_HASH), ENTRY.signedEntryTimestamp)).toBe(
      false,
    );
  });
});
