// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import {
  EMPTY_ROOT,
  HASH_SIZE,
  MemorySubtreeHashes,
  consistencyProof,
  hashEquals,
  hashFromHex,
  hashToHex,
  inclusionProof,
  leafHash,
  nodeHash,
  rootAt,
  subtreeRoot,
  verifyConsistency,
  verifyInclusion,
} from './index.js';
import type { SubtreeHashes } from './index.js';

// ---------------------------------------------------------------------------------------------
// Naive reference: RFC 9162 §2.1.1 MTH, §2.1.3.1 PATH and §2.1.4.1 PROOF/SUBPROOF written as the
// recursive definitions over the list of leaf byte strings. MTH is memoised by range only so that
// every size and index up to 300 stays fast; the values are exactly the definitions'.
// ---------------------------------------------------------------------------------------------

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** The largest power of two smaller than n (n > 1). */
function kOf(n: number): number {
  // Start from log2 so that sizes near 2^53 take a step or two, then correct any rounding.
  let k = 2 ** Math.floor(Math.log2(n));
  while (k >= n) k /= 2;
  while (k * 2 < n) k *= 2;
  return k;
}

class NaiveTree {
  private readonly memo = new Map<string, Uint8Array>();
  constructor(readonly leaves: readonly Uint8Array[]) {}

  /** MTH(D[a:b]). */
  mth(a: number, b: number): Uint8Array {
    const key = `${a}:${b}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const n = b - a;
    let out: Uint8Array;
    if (n === 0) out = sha256();
    else if (n === 1) out = sha256(Uint8Array.of(0), this.leaves[a]!);
    else {
      const k = kOf(n);
      out = sha256(Uint8Array.of(1), this.mth(a, a + k), this.mth(a + k, b));
    }
    this.memo.set(key, out);
    return out;
  }

  /** PATH(m, D[a:b]). */
  path(m: number, a: number, b: number): Uint8Array[] {
    const n = b - a;
    if (n === 1) return [];
    const k = kOf(n);
    return m < k
      ? [...this.path(m, a, a + k), this.mth(a + k, b)]
      : [...this.path(m - k, a + k, b), this.mth(a, a + k)];
  }

  /** PROOF(m, D[0:n]); empty for m = 0 and m = n (03 §6.2). */
  proof(m: number, n: number): Uint8Array[] {
    return m === 0 || m === n ? [] : this.subproof(m, 0, n, true);
  }

  /** SUBPROOF(m, D[a:b], b). */
  private subproof(m: number, a: number, b: number, whole: boolean): Uint8Array[] {
    const n = b - a;
    if (m === n) return whole ? [] : [this.mth(a, b)];
    const k = kOf(n);
    return m <= k
      ? [...this.subproof(m, a, a + k, whole), this.mth(a + k, b)]
      : [...this.subproof(m - k, a + k, b, false), this.mth(a, a + k)];
  }
}

/**
 * The sides of PATH(i, D[n]) from the leaf up ('L': sibling on the left). A verifier sees only
 * this shape, so a proof for (i, n) also verifies for any (i', n') of the same shape: the tree size
 * is bound by the signed head, not by the proof.
 */
function pathShape(i: number, n: number): string | null {
  if (!Number.isSafeInteger(i) || !Number.isSafeInteger(n) || i < 0 || i >= n) return null;
  if (n === 1) return '';
  const k = kOf(n);
  return i < k ? `${pathShape(i, k)}R` : `${pathShape(i - k, n - k)}L`;
}

/** The shape of SUBPROOF(m, D[n], true) for 0 < m < n: 'T'/'F' for b at the end, then sides. */
function subproofShape(m: number, n: number, whole: boolean): string {
  if (m === n) return whole ? 'T' : 'F';
  const k = kOf(n);
  return m <= k ? `${subproofShape(m, k, whole)}R` : `${subproofShape(m - k, n - k, false)}L`;
}

function consistencyShape(m: number, n: number): string | null {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m <= 0 || m >= n) return null;
  return subproofShape(m, n, true);
}

// Deterministic pseudo-random numbers (Park–Miller), so failures reproduce.
function prng(seed: number): (below: number) => number {
  let x = seed;
  return (below) => {
    x = (x * 48271) % 2147483647;
    return x % below;
  };
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  const byte = Math.floor(bit / 8);
  out[byte] = out[byte]! ^ (1 << (bit % 8));
  return out;
}

/** x with bit b flipped, without 32-bit bitwise operators. */
function flipNumberBit(x: number, b: number): number {
  const p = 2 ** b;
  return Math.floor(x / p) % 2 === 1 ? x - p : x + p;
}

const enc = new TextEncoder();
const hex = (s: string): Uint8Array => hashFromHex(s)!;
const toHexList = (l: readonly Uint8Array[]): string[] => l.map(hashToHex);

const MAX_SIZE = 300;
const LEAVES = Array.from({ length: MAX_SIZE }, (_, i) => enc.encode(`leaf ${i}`));
const NAIVE = new NaiveTree(LEAVES);
const STORE = new MemorySubtreeHashes();
for (const leaf of LEAVES) STORE.append(leafHash(leaf));

// ---------------------------------------------------------------------------------------------

describe('hash', () => {
  it('hashes leaves and nodes with the RFC 9162 domain-separation prefixes', () => {
    const a = enc.encode('a');
    expect(leafHash(a)).toEqual(sha256(Uint8Array.of(0), a));
    const l = leafHash(a);
    const r = leafHash(enc.encode('b'));
    expect(nodeHash(l, r)).toEqual(sha256(Uint8Array.of(1), l, r));
    expect(leafHash(a)).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(leafHash(a))).toBe(false);
  });

  it('MTH({}) is SHA-256 of the empty string', () => {
    expect(hashToHex(EMPTY_ROOT)).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(hashToHex(rootAt(new MemorySubtreeHashes(), 0))).toBe(hashToHex(EMPTY_ROOT));
    expect(hashToHex(NAIVE.mth(0, 0))).toBe(hashToHex(EMPTY_ROOT));
  });

  it('parses hex hashes with either case and an optional sha256: prefix', () => {
    const lower = '7b24640e096d782f96d59039b2ecd21776d91bb1991fe435d06905453b898ef2';
    const bytes = hashFromHex(lower);
    expect(bytes).toHaveLength(HASH_SIZE);
    expect(hashToHex(bytes!)).toBe(lower);
    expect(hashFromHex(lower.toUpperCase())).toEqual(bytes);
    expect(hashFromHex(`sha256:${lower}`)).toEqual(bytes);
    for (const bad of [
      '',
      lower.slice(1),
      `${lower}0`,
      `${lower}\n`,
      ` ${lower}`,
      `sha512:${lower}`,
      `SHA256:${lower}`,
      `sha256:`,
      lower.replace('7', 'g'),
    ]) {
      expect(hashFromHex(bad), bad).toBeNull();
    }
  });

  it('compares hashes by bytes and length', () => {
    expect(hashEquals(EMPTY_ROOT, EMPTY_ROOT.slice())).toBe(true);
    expect(hashEquals(EMPTY_ROOT, flipBit(EMPTY_ROOT, 255))).toBe(false);
    expect(hashEquals(EMPTY_ROOT, EMPTY_ROOT.subarray(0, 31))).toBe(false);
  });
});

describe('MemorySubtreeHashes', () => {
  it('stores every complete aligned subtree and nothing else', () => {
    const store = new MemorySubtreeHashes();
    for (let n = 1; n <= 70; n++) {
      expect(store.append(leafHash(LEAVES[n - 1]!))).toBe(n);
      expect(store.size()).toBe(n);
    }
    for (let level = 0; 2 ** level <= 70; level++) {
      const width = 2 ** level;
      const count = Math.floor(70 / width);
      for (let j = 0; j < count; j++) {
        expect(hashToHex(store.get(level, j))).toBe(
          hashToHex(NAIVE.mth(j * width, (j + 1) * width)),
        );
      }
      expect(() => store.get(level, count)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
    expect(() => store.get(7, 0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => store.get(0, -1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => store.get(0, 0.5)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('hands out copies, so callers cannot corrupt the store', () => {
    const store = new MemorySubtreeHashes();
    store.append(leafHash(LEAVES[0]!));
    store.get(0, 0).fill(0);
    expect(hashToHex(store.get(0, 0))).toBe(hashToHex(leafHash(LEAVES[0]!)));
    inclusionProof(STORE, 0, 2)[0]!.fill(0);
    expect(hashToHex(inclusionProof(STORE, 0, 2)[0]!)).toBe(hashToHex(leafHash(LEAVES[1]!)));
  });

  it('refuses a leaf hash that is not 32 bytes', () => {
    const store = new MemorySubtreeHashes();
    expect(() => store.append(new Uint8Array(31))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(store.size()).toBe(0);
  });
});

describe('roots and inclusion proofs, every size 1..300 and every index', () => {
  it('rootAt and subtreeRoot equal the naive MTH', () => {
    const failures: string[] = [];
    for (let n = 1; n <= MAX_SIZE; n++) {
      if (!hashEquals(rootAt(STORE, n), NAIVE.mth(0, n))) failures.push(`rootAt ${n}`);
      if (!hashEquals(subtreeRoot(STORE, 0, n), NAIVE.mth(0, n)))
        failures.push(`subtreeRoot 0 ${n}`);
    }
    // Unaligned ranges are not used by proofs but must still be right.
    for (const [a, b] of [
      [1, 2],
      [1, 300],
      [3, 17],
      [5, 6],
      [100, 299],
      [255, 257],
    ] as const) {
      if (!hashEquals(subtreeRoot(STORE, a, b), NAIVE.mth(a, b))) failures.push(`range ${a} ${b}`);
    }
    expect(failures).toEqual([]);
  });

  it('inclusion proofs equal the naive PATH and verify', () => {
    const failures: string[] = [];
    for (let n = 1; n <= MAX_SIZE; n++) {
      const rootHash = rootAt(STORE, n);
      for (let i = 0; i < n; i++) {
        const hashes = inclusionProof(STORE, i, n);
        const expected = NAIVE.path(i, 0, n);
        if (toHexList(hashes).join() !== toHexList(expected).join())
          failures.push(`PATH(${i}, ${n})`);
        const lh = STORE.get(0, i);
        if (!verifyInclusion({ index: i, treeSize: n, leafHash: lh, hashes, rootHash })) {
          failures.push(`verify ${i} of ${n}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('rejects every mutation of a genuine inclusion proof', () => {
    const rand = prng(9162);
    const failures: string[] = [];
    let sameShapeSizes = 0;
    for (let n = 1; n <= MAX_SIZE; n++) {
      const rootHash = rootAt(STORE, n);
      for (let i = 0; i < n; i++) {
        const hashes = inclusionProof(STORE, i, n);
        const lh = STORE.get(0, i);
        const base = { index: i, treeSize: n, leafHash: lh, hashes, rootHash };
        const reject = (what: string, input: typeof base): void => {
          if (verifyInclusion(input)) failures.push(`${what} accepted for ${i} of ${n}`);
        };
        hashes.forEach((h, j) => {
          const mutated = hashes.slice();
          mutated[j] = flipBit(h, rand(256));
          reject(`flip hashes[${j}]`, { ...base, hashes: mutated });
        });
        reject('flip leafHash', { ...base, leafHash: flipBit(lh, rand(256)) });
        reject('flip rootHash', { ...base, rootHash: flipBit(rootHash, rand(256)) });
        // Length changes on a sample of indexes: hashing is the whole cost of this test.
        if (i % 8 === 0 || i === n - 1) {
          if (hashes.length > 0) reject('dropped hash', { ...base, hashes: hashes.slice(1) });
          reject('extra hash', { ...base, hashes: [...hashes, lh] });
        }
        // Another index in the same tree always has another path shape. Bit 40 checks that
        // nothing truncates to 32 bits.
        for (const index of [i - 1, i + 1, flipNumberBit(i, rand(9)), flipNumberBit(i, 40)]) {
          reject(`index ${index}`, { ...base, index });
        }
        // Another size is rejected unless its path for this index has the very same shape; then
        // only the signed head can tell (e.g. leaf 0 of 3 and of 4: both are [R, R]).
        const sizes = [n - 1, n + 1, flipNumberBit(n, rand(9))];
        if (i % 8 === 0) sizes.push(flipNumberBit(n, 40));
        for (const treeSize of sizes) {
          const expected = pathShape(i, treeSize) === pathShape(i, n);
          if (expected) sameShapeSizes += 1;
          if (verifyInclusion({ ...base, treeSize }) !== expected) {
            failures.push(`size ${treeSize} for ${i} of ${n}: expected ${expected}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sameShapeSizes).toBeGreaterThan(0);
  });

  it('rejects hashes of the wrong length and non-integer positions', () => {
    const n = 7;
    const rootHash = rootAt(STORE, n);
    const hashes = inclusionProof(STORE, 3, n);
    const base = { index: 3, treeSize: n, leafHash: STORE.get(0, 3), hashes, rootHash };
    expect(verifyInclusion(base)).toBe(true);
    expect(verifyInclusion({ ...base, leafHash: base.leafHash.subarray(1) })).toBe(false);
    expect(verifyInclusion({ ...base, rootHash: new Uint8Array(33) })).toBe(false);
    expect(
      verifyInclusion({ ...base, hashes: [hashes[0]!.subarray(0, 31), ...hashes.slice(1)] }),
    ).toBe(false);
    expect(verifyInclusion({ ...base, index: 3.5 })).toBe(false);
    expect(verifyInclusion({ ...base, index: -1 })).toBe(false);
    expect(verifyInclusion({ ...base, treeSize: Number.NaN })).toBe(false);
    expect(verifyInclusion({ ...base, treeSize: 2 ** 53 })).toBe(false);
  });
});

describe('consistency proofs, every pair 0 ≤ m ≤ n ≤ 128', () => {
  it('equal the naive PROOF and verify', () => {
    const failures: string[] = [];
    for (let n = 0; n <= 128; n++) {
      for (let m = 0; m <= n; m++) {
        const hashes = consistencyProof(STORE, m, n);
        if (toHexList(hashes).join() !== toHexList(NAIVE.proof(m, n)).join()) {
          failures.push(`PROOF(${m}, ${n})`);
        }
        const input = {
          first: m,
          second: n,
          firstRoot: rootAt(STORE, m),
          secondRoot: rootAt(STORE, n),
          hashes,
        };
        if (!verifyConsistency(input)) failures.push(`verify ${m} → ${n}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('rejects every mutation of a genuine consistency proof', () => {
    const rand = prng(2026);
    const failures: string[] = [];
    let sameShapeSizes = 0;
    for (let n = 0; n <= 128; n++) {
      for (let m = 0; m <= n; m++) {
        const hashes = consistencyProof(STORE, m, n);
        const firstRoot = rootAt(STORE, m);
        const secondRoot = rootAt(STORE, n);
        const base = { first: m, second: n, firstRoot, secondRoot, hashes };
        const reject = (what: string, input: typeof base): void => {
          if (verifyConsistency(input)) failures.push(`${what} accepted for ${m} → ${n}`);
        };
        hashes.forEach((h, j) => {
          const mutated = hashes.slice();
          mutated[j] = flipBit(h, rand(256));
          reject(`flip hashes[${j}]`, { ...base, hashes: mutated });
        });
        if (hashes.length > 0) reject('dropped hash', { ...base, hashes: hashes.slice(0, -1) });
        reject('extra hash', { ...base, hashes: [...hashes, secondRoot] });
        reject('extra leading hash', { ...base, hashes: [firstRoot, ...hashes] });
        // The spec compares no roots for m = 0: every tree extends the empty tree.
        if (m > 0 || n === 0) {
          reject('flip firstRoot', { ...base, firstRoot: flipBit(firstRoot, rand(256)) });
          reject('flip secondRoot', { ...base, secondRoot: flipBit(secondRoot, rand(256)) });
        } else {
          expect(verifyConsistency({ ...base, firstRoot: flipBit(firstRoot, 0) })).toBe(true);
        }
        // Other sizes are rejected unless they give the proof the same shape (then only the
        // signed heads bind the sizes), or are the m = 0 case with its empty proof.
        const shape = consistencyShape(m, n);
        const expectedFor = (m2: number, n2: number): boolean => {
          if (!Number.isSafeInteger(m2) || !Number.isSafeInteger(n2) || m2 < 0 || m2 > n2)
            return false;
          if (m2 === n2) return hashes.length === 0 && hashEquals(firstRoot, secondRoot);
          if (m2 === 0) return hashes.length === 0;
          return shape !== null && consistencyShape(m2, n2) === shape;
        };
        const flips = [0, 1, rand(8), 40];
        const pairs: [number, number][] = [
          [m - 1, n],
          [m + 1, n],
          [m, n - 1],
          [m, n + 1],
          ...flips.map((b): [number, number] => [flipNumberBit(m, b), n]),
          ...flips.map((b): [number, number] => [m, flipNumberBit(n, b)]),
        ];
        for (const [first, second] of pairs) {
          const expected = expectedFor(first, second);
          if (expected && (first !== m || second !== n)) sameShapeSizes += 1;
          if (verifyConsistency({ ...base, first, second }) !== expected) {
            failures.push(`sizes ${first} → ${second} for ${m} → ${n}: expected ${expected}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sameShapeSizes).toBeGreaterThan(0);
  });

  it('follows 03 §6.2 for m = n, m = 0, m > n and oversize proofs', () => {
    const r5 = rootAt(STORE, 5);
    const r9 = rootAt(STORE, 9);
    expect(
      verifyConsistency({ first: 5, second: 5, firstRoot: r5, secondRoot: r5, hashes: [] }),
    ).toBe(true);
    expect(
      verifyConsistency({ first: 5, second: 5, firstRoot: r5, secondRoot: r9, hashes: [] }),
    ).toBe(false);
    expect(
      verifyConsistency({ first: 5, second: 5, firstRoot: r5, secondRoot: r5, hashes: [r5] }),
    ).toBe(false);
    expect(
      verifyConsistency({ first: 0, second: 9, firstRoot: r5, secondRoot: r9, hashes: [] }),
    ).toBe(true);
    expect(
      verifyConsistency({
        first: 0,
        second: 9,
        firstRoot: EMPTY_ROOT,
        secondRoot: r9,
        hashes: [r9],
      }),
    ).toBe(false);
    const hashes = consistencyProof(STORE, 5, 9);
    expect(verifyConsistency({ first: 9, second: 5, firstRoot: r9, secondRoot: r5, hashes })).toBe(
      false,
    );
    expect(
      verifyConsistency({ first: 5, second: 9, firstRoot: r5, secondRoot: r9, hashes: [] }),
    ).toBe(false);
    const padded = [...hashes, ...Array.from({ length: 65 - hashes.length }, () => r9)];
    expect(
      verifyConsistency({ first: 5, second: 9, firstRoot: r5, secondRoot: r9, hashes: padded }),
    ).toBe(false);
    expect(
      verifyConsistency({
        first: 5,
        second: 9,
        firstRoot: r5,
        secondRoot: r9,
        hashes: [hashes[0]!.subarray(1), ...hashes.slice(1)],
      }),
    ).toBe(false);
    expect(
      verifyConsistency({ first: 5, second: 9, firstRoot: r5.subarray(1), secondRoot: r9, hashes }),
    ).toBe(false);
    expect(
      verifyConsistency({ first: 5, second: 9.5, firstRoot: r5, secondRoot: r9, hashes }),
    ).toBe(false);
  });
});

describe('argument validation', () => {
  const bad = expect.objectContaining({ code: 'LOG_BAD_REQUEST' });

  it('rejects impossible sizes and indexes with LOG_BAD_REQUEST', () => {
    expect(() => rootAt(STORE, MAX_SIZE + 1)).toThrow(bad);
    expect(() => rootAt(STORE, -1)).toThrow(bad);
    expect(() => rootAt(STORE, 1.5)).toThrow(bad);
    expect(() => subtreeRoot(STORE, 3, 3)).toThrow(bad);
    expect(() => subtreeRoot(STORE, -1, 3)).toThrow(bad);
    expect(() => subtreeRoot(STORE, 0, MAX_SIZE + 1)).toThrow(bad);
    expect(() => inclusionProof(STORE, 5, 5)).toThrow(bad);
    expect(() => inclusionProof(STORE, -1, 5)).toThrow(bad);
    expect(() => inclusionProof(STORE, 0, 0)).toThrow(bad);
    expect(() => inclusionProof(STORE, 0, MAX_SIZE + 1)).toThrow(bad);
    expect(() => inclusionProof(STORE, 0.5, 5)).toThrow(bad);
    expect(() => consistencyProof(STORE, 6, 5)).toThrow(bad);
    expect(() => consistencyProof(STORE, -1, 5)).toThrow(bad);
    expect(() => consistencyProof(STORE, 1, MAX_SIZE + 1)).toThrow(bad);
    expect(() => consistencyProof(STORE, 1, Number.NaN)).toThrow(bad);
  });
});

describe('facts of 03 §6', () => {
  it('the forged proof [rootHash] fails for every index and every size ≥ 2', () => {
    const failures: string[] = [];
    for (let n = 2; n <= MAX_SIZE; n++) {
      const rootHash = rootAt(STORE, n);
      for (let i = 0; i < n; i++) {
        if (
          verifyInclusion({
            index: i,
            treeSize: n,
            leafHash: STORE.get(0, i),
            hashes: [rootHash],
            rootHash,
          })
        ) {
          failures.push(`${i} of ${n}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('the genuine proof for the last leaf of an unbalanced tree (6 of 7) succeeds', () => {
    const rootHash = rootAt(STORE, 7);
    const hashes = inclusionProof(STORE, 6, 7);
    expect(hashes).toHaveLength(2);
    expect(
      verifyInclusion({ index: 6, treeSize: 7, leafHash: STORE.get(0, 6), hashes, rootHash }),
    ).toBe(true);
  });

  it('rejects more than 64 hashes before looking at them', () => {
    const rootHash = rootAt(STORE, 7);
    const hashes = inclusionProof(STORE, 6, 7);
    const padded = [...hashes, ...Array.from({ length: 63 }, () => rootHash)];
    expect(padded).toHaveLength(65);
    expect(
      verifyInclusion({
        index: 6,
        treeSize: 7,
        leafHash: STORE.get(0, 6),
        hashes: padded,
        rootHash,
      }),
    ).toBe(false);
  });

  it('a size-3 proof of leaf 0 also verifies at size 4: the size must come from the signed head', () => {
    const rootHash = rootAt(STORE, 3);
    const hashes = inclusionProof(STORE, 0, 3);
    const base = { index: 0, leafHash: STORE.get(0, 0), hashes, rootHash };
    expect(verifyInclusion({ ...base, treeSize: 3 })).toBe(true);
    expect(verifyInclusion({ ...base, treeSize: 4 })).toBe(true);
  });
});

describe('worked examples of 03 §3.1 and 02 §11.1', () => {
  const subject = 'sha256:dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9';
  const entry = (attestationDigest: string, predicateType: string, timestamp: string): Uint8Array =>
    enc.encode(
      `{"body":{"attestationDigest":"sha256:${attestationDigest}","predicateType":"${predicateType}","subjectDigest":"${subject}"},"entryType":"attestation","timestamp":"${timestamp}","version":1}`,
    );
  const provenance = (ts: string): Uint8Array =>
    entry(
      '4bb4785ef80922bcc971536454daeba5ab56c3b5892a4c1aab34d759c251ae5a',
      'https://slsa.dev/provenance/v1',
      ts,
    );
  const sbom = (ts: string): Uint8Array =>
    entry(
      '174a5bb5c909e9a2f58936308c2a3399a021415b73cbc38855c118bda2d7e320',
      'https://spdx.dev/Document',
      ts,
    );

  function logWith(logId: string, previous: number, ...leaves: Uint8Array[]): MemorySubtreeHashes {
    const store = new MemorySubtreeHashes();
    for (let i = 0; i < previous; i++)
      store.append(leafHash(enc.encode(`previous entry ${logId} ${i}`)));
    for (const leaf of leaves) store.append(leafHash(leaf));
    return store;
  }

  function expectEntry(store: SubtreeHashes, index: number, root: string, proof: string[]): void {
    const treeSize = index + 1;
    expect(hashToHex(rootAt(store, treeSize))).toBe(root);
    const hashes = inclusionProof(store, index, treeSize);
    expect(toHexList(hashes)).toEqual(proof);
    expect(
      verifyInclusion({
        index,
        treeSize,
        leafHash: store.get(0, index),
        hashes: proof.map(hex),
        rootHash: hex(root),
      }),
    ).toBe(true);
  }

  it('03 §3.1: the leaf hash of the first entry', () => {
    expect(hashToHex(leafHash(provenance('2026-11-25T10:00:05Z')))).toBe(
      '7b24640e096d782f96d59039b2ecd21776d91bb1991fe435d06905453b898ef2',
    );
  });

  it('02 §11.1: cerro-torre-log at sizes 6 and 7', () => {
    const ts = '2026-11-25T10:00:05Z';
    const store = logWith('cerro-torre-log', 5, provenance(ts), sbom(ts));
    expect(hashToHex(store.get(0, 5))).toBe(
      '7b24640e096d782f96d59039b2ecd21776d91bb1991fe435d06905453b898ef2',
    );
    expectEntry(store, 5, '674186eb87530119f11c4630ff0497a96c667a88bdf20675649784f14eab284f', [
      'bb8f53dfb4e12273d95d1255c76c35659aee10e356f5beb533a6a64460b00965',
      'f20a5c913e76e61415050ae1264d93311ab512a22171c37fe0410625e5b346d8',
    ]);
    expectEntry(store, 6, '417dc10e5d5bee38797ffdcd6721162efcf47adcf1309c3da473cf6eeebc7bfa', [
      '683dc17d2a63f72eff8aacf4e767be3d89e159b6612766db410ec27670230ca0',
      'f20a5c913e76e61415050ae1264d93311ab512a22171c37fe0410625e5b346d8',
    ]);
    const hashes = consistencyProof(store, 6, 7);
    expect(
      verifyConsistency({
        first: 6,
        second: 7,
        firstRoot: rootAt(store, 6),
        secondRoot: rootAt(store, 7),
        hashes,
      }),
    ).toBe(true);
  });

  it('02 §11.1: local-file-log at sizes 3 and 4', () => {
    const ts = '2026-11-25T10:00:06Z';
    const store = logWith('local-file-log', 2, provenance(ts), sbom(ts));
    expectEntry(store, 2, '2904b3a795a2e9460b6b5ecfa2e5ccefb8c92b034b06fd76bcad1f437a5a164d', [
      '49c8119e7354a3235671af7f903a8a0fa157cdc20e56929cfb5c28a09549a346',
    ]);
    expectEntry(store, 3, '77adc13c0668c81de674e63894f15cb4ae27de5528088d06798c4c876798f985', [
      '3e4625bab4b57841226f1198c47f6bf7d1060227b1f2fe07a085eb2ce50e31d8',
      '49c8119e7354a3235671af7f903a8a0fa157cdc20e56929cfb5c28a09549a346',
    ]);
  });
});

describe('sizes beyond 2^32', () => {
  // A tree whose leaves are all equal: every complete subtree of 2^k leaves has the same hash, so
  // a store of any size costs O(1) per read and is exactly consistent.
  const LEAF = leafHash(enc.encode('same'));
  const levelHashes: Uint8Array[] = [LEAF];
  for (let k = 1; k < 53; k++) levelHashes.push(nodeHash(levelHashes[k - 1]!, levelHashes[k - 1]!));

  class UniformStore implements SubtreeHashes {
    reads = 0;
    constructor(private readonly n: number) {}
    size(): number {
      return this.n;
    }
    get(level: number, index: number): Uint8Array {
      if ((index + 1) * 2 ** level > this.n) throw new Error(`no subtree ${level}/${index}`);
      this.reads += 1;
      return levelHashes[level]!.slice();
    }
  }

  // Naive MTH of n equal leaves; depends only on n.
  const uniformMemo = new Map<number, Uint8Array>();
  function uniformRoot(n: number): Uint8Array {
    if (n === 1) return LEAF;
    const hit = uniformMemo.get(n);
    if (hit) return hit;
    const k = kOf(n);
    const out = sha256(Uint8Array.of(1), uniformRoot(k), uniformRoot(n - k));
    uniformMemo.set(n, out);
    return out;
  }

  const SIZES = [2 ** 32 + 1, 2 ** 40 + 12_345, 2 ** 45 - 1, 2 ** 52 + 3, Number.MAX_SAFE_INTEGER];

  it('roots, inclusion proofs and consistency proofs use arithmetic safe up to 2^53 − 1', () => {
    for (const n of SIZES) {
      const store = new UniformStore(n);
      const rootHash = rootAt(store, n);
      expect(hashToHex(rootHash)).toBe(hashToHex(uniformRoot(n)));
      for (const index of [0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, Math.floor(n / 3), n - 2, n - 1]) {
        store.reads = 0;
        const hashes = inclusionProof(store, index, n);
        // O(log n): at most one partial right edge besides one stored hash per level.
        expect(store.reads).toBeLessThanOrEqual(2 * 54);
        expect(hashes.length).toBeLessThanOrEqual(53);
        expect(
          verifyInclusion({ index, treeSize: n, leafHash: LEAF, hashes, rootHash }),
          `${index} of ${n}`,
        ).toBe(true);
        expect(
          verifyInclusion({
            index,
            treeSize: n,
            leafHash: LEAF,
            hashes: hashes.slice(1),
            rootHash,
          }),
        ).toBe(false);
      }
      for (const m of [1, 2 ** 31 + 7, 2 ** 32, 2 ** 32 + 1, Math.floor(n / 2) + 1, n - 1]) {
        if (m > n) continue;
        store.reads = 0;
        const hashes = consistencyProof(store, m, n);
        expect(store.reads).toBeLessThanOrEqual(2 * 54);
        const input = {
          first: m,
          second: n,
          firstRoot: uniformRoot(m),
          secondRoot: rootHash,
          hashes,
        };
        expect(verifyConsistency(input), `${m} → ${n}`).toBe(true);
        if (hashes.length > 0) {
          expect(verifyConsistency({ ...input, hashes: hashes.slice(0, -1) })).toBe(false);
        }
      }
    }
  });
});
