// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  attestationDigest,
  checkEnvelope,
  decodeStatement,
  verifySignature,
} from '@verified-container/shared/attestation';
import { fromHex, sha256, toHex } from '@verified-container/shared/crypto';
import { canonicalize } from '@verified-container/shared/json';
import {
  attestationLeaf,
  checkLogEntry,
  leafBytes,
  setInputOfEntry,
  verifySet,
} from '@verified-container/shared/tlog';
import { SPEC_KEYS } from './keys.js';
import {
  WORKED_EXAMPLE_ATTESTATION_DIGESTS,
  WORKED_EXAMPLE_IMAGE_DIGEST,
  WORKED_EXAMPLE_PREVIOUS_LEAVES,
  WORKED_EXAMPLE_STATEMENTS,
  workedExampleBundle,
} from './worked-example.js';

// A naive RFC 9162 tree (03 §2, §6.1), so this cross-check does not depend on the Merkle module.
const cat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));
const leafHash = (bytes: Uint8Array) => sha256(cat(new Uint8Array([0]), bytes));
const nodeHash = (l: Uint8Array, r: Uint8Array) => sha256(cat(new Uint8Array([1]), l, r));
function root(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(root(leaves.slice(0, k)), root(leaves.slice(k)));
}
function verifyInclusion(i: number, n: number, leaf: Uint8Array, hashes: string[]): string {
  let fn = i;
  let sn = n - 1;
  let r = leaf;
  for (const hex of hashes) {
    const p = fromHex(hex)!;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        do {
          fn >>= 1;
          sn >>= 1;
        } while (fn % 2 === 0 && fn !== 0);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  expect(sn).toBe(0);
  return toHex(r);
}

describe('the worked example of 02 §11.1', () => {
  const bundle = workedExampleBundle();
  const envelopes = bundle.attestations;
  const logKey = (id: string) => SPEC_KEYS[id as 'cerro-torre-log' | 'local-file-log'].publicKey;

  it('has the printed statements, signatures and attestation digests', () => {
    envelopes.forEach((envelope, i) => {
      expect(checkEnvelope(envelope, `$.attestations[${i}]`)).toEqual([]);
      const { statement, problems } = decodeStatement(envelope, `$.attestations[${i}]`);
      expect(problems).toEqual([]);
      expect(canonicalize(statement)).toBe(WORKED_EXAMPLE_STATEMENTS[i]);
      expect(`sha256:${statement?.subject[0]?.digest.sha256}`).toBe(WORKED_EXAMPLE_IMAGE_DIGEST);
      expect(attestationDigest(envelope)).toBe(WORKED_EXAMPLE_ATTESTATION_DIGESTS[i]);
      expect(
        verifySignature(envelope, envelope.signatures[0]!, SPEC_KEYS['maintainer-1'].publicKey),
      ).toBe(true);
      expect(
        verifySignature(envelope, envelope.signatures[1]!, SPEC_KEYS['maintainer-2'].publicKey),
      ).toBe(true);
    });
  });

  it('has log entries whose leaves, proofs, roots and SETs all verify', () => {
    const trees: Record<string, Uint8Array[]> = {};
    for (const [logId, count] of Object.entries(WORKED_EXAMPLE_PREVIOUS_LEAVES)) {
      trees[logId] = Array.from({ length: count }, (_, i) =>
        leafHash(new TextEncoder().encode(`previous entry ${logId} ${i}`)),
      );
    }
    bundle.logEntries.forEach((entry, i) => {
      expect(checkLogEntry(entry, `$.logEntries[${i}]`)).toEqual({ errors: [], warnings: [] });
      const envelope = envelopes.find((e) => attestationDigest(e) === entry.attestationDigest)!;
      const leaf = leafHash(leafBytes(attestationLeaf(envelope, entry.integratedTime)));
      const tree = trees[entry.logId]!;
      tree.push(leaf);
      const { logIndex, treeSize, rootHash, hashes } = entry.inclusionProof;
      expect([logIndex, treeSize]).toEqual([entry.logIndex, tree.length]);
      expect(toHex(root(tree))).toBe(rootHash);
      expect(verifyInclusion(logIndex, treeSize, leaf, hashes)).toBe(rootHash);
      const input = setInputOfEntry(entry, toHex(leaf));
      expect(verifySet(logKey(entry.logId), input, entry.signedEntryTimestamp)).toBe(true);
      const other = entry.logId === 'cerro-torre-log' ? 'local-file-log' : 'cerro-torre-log';
      expect(verifySet(logKey(other), input, entry.signedEntryTimestamp)).toBe(false);
    });
  });

  it('returns a fresh copy each time', () => {
    const a = workedExampleBundle();
    a.logEntries[0]!.logIndex = 99;
    expect(workedExampleBundle().logEntries[0]!.logIndex).toBe(5);
  });
});
