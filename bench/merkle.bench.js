// SPDX-License-Identifier: Apache-2.0
// RFC 9162 Merkle tree over stored subtree hashes (03 §6.3): appending 1,000,000 leaves, the root
// at full size, inclusion and consistency proofs (generation and verification) at random
// positions, and the naive recursive root over the same leaves for comparison.
// Run after `pnpm build`: node bench/merkle.bench.js [--json]
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const {
  MemorySubtreeHashes,
  consistencyProof,
  hashEquals,
  hashToHex,
  inclusionProof,
  leafHash,
  nodeHash,
  rootAt,
  verifyConsistency,
  verifyInclusion,
} = await import(`${root}packages/shared/dist/merkle/index.js`);

const LEAVES = 1_000_000;
const PROOFS = 10_000;

// Deterministic pseudo-random integers in [0, below) (Park–Miller), so runs are comparable.
let seed = 9162;
const rand = (below) => {
  seed = (seed * 48271) % 2147483647;
  return Math.floor((seed / 2147483647) * below);
};

const ms = (start) => performance.now() - start;

function leafData(i) {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(i));
  return bytes;
}

// Append: leaf hash of each 8-byte index, plus every subtree hash it completes.
const store = new MemorySubtreeHashes();
let start = performance.now();
for (let i = 0; i < LEAVES; i++) store.append(leafHash(leafData(i)));
const appendMs = ms(start);

start = performance.now();
const ROOT_RUNS = 10_000;
let fullRoot;
for (let i = 0; i < ROOT_RUNS; i++) fullRoot = rootAt(store, LEAVES);
const rootAtUs = (ms(start) * 1000) / ROOT_RUNS;

// Inclusion proofs at random (index, size ≥ index + 1); roots are computed outside the timings.
const incl = Array.from({ length: PROOFS }, () => {
  const treeSize = 1 + rand(LEAVES);
  return { index: rand(treeSize), treeSize };
});
for (const q of incl) {
  q.rootHash = rootAt(store, q.treeSize);
  q.leafHash = store.get(0, q.index);
}
start = performance.now();
for (const q of incl) q.hashes = inclusionProof(store, q.index, q.treeSize);
const inclGenMs = ms(start);
start = performance.now();
let inclOk = 0;
for (const q of incl) if (verifyInclusion(q)) inclOk += 1;
const inclVerifyMs = ms(start);

// Consistency proofs at random 0 < m ≤ n.
const cons = Array.from({ length: PROOFS }, () => {
  const second = 1 + rand(LEAVES);
  return { first: 1 + rand(second), second };
});
for (const q of cons) {
  q.firstRoot = rootAt(store, q.first);
  q.secondRoot = rootAt(store, q.second);
}
start = performance.now();
for (const q of cons) q.hashes = consistencyProof(store, q.first, q.second);
const consGenMs = ms(start);
start = performance.now();
let consOk = 0;
for (const q of cons) if (verifyConsistency(q)) consOk += 1;
const consVerifyMs = ms(start);

// Naive RFC 9162 MTH over the leaf data, recursively, once: what a log without stored subtree
// hashes pays for every root.
function naiveRoot(lo, hi) {
  const n = hi - lo;
  if (n === 1) return leafHash(leafData(lo));
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHash(naiveRoot(lo, lo + k), naiveRoot(lo + k, hi));
}
start = performance.now();
const naive = naiveRoot(0, LEAVES);
const naiveMs = ms(start);

const mem = process.memoryUsage();
const opsPerSec = (count, millis) => (count * 1000) / millis;
const result = {
  leaves: LEAVES,
  appendMs,
  appendPerSec: opsPerSec(LEAVES, appendMs),
  rootAtUs,
  root: hashToHex(fullRoot),
  naiveRootMs: naiveMs,
  naiveMatches: hashEquals(naive, fullRoot),
  naiveOverStoredRatio: (naiveMs * 1000) / rootAtUs,
  inclusion: {
    proofs: PROOFS,
    generatePerSec: opsPerSec(PROOFS, inclGenMs),
    verifyPerSec: opsPerSec(PROOFS, inclVerifyMs),
    verified: inclOk,
  },
  consistency: {
    proofs: PROOFS,
    generatePerSec: opsPerSec(PROOFS, consGenMs),
    verifyPerSec: opsPerSec(PROOFS, consVerifyMs),
    verified: consOk,
  },
  memory: { heapUsedMiB: mem.heapUsed / 2 ** 20, arrayBuffersMiB: mem.arrayBuffers / 2 ** 20 },
};

if (inclOk !== PROOFS || consOk !== PROOFS || !result.naiveMatches) {
  process.exitCode = 1;
  console.error('merkle bench: a proof failed to verify or the roots differ');
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  const f = (x, d = 0) =>
    x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const rows = [
    [`append ${f(LEAVES)} leaves`, `${f(appendMs)} ms`, `${f(result.appendPerSec)} leaves/s`],
    [`rootAt(${f(LEAVES)}) from stored subtrees`, `${f(rootAtUs, 2)} µs`, ''],
    [
      `naive recursive root over ${f(LEAVES)} leaves`,
      `${f(naiveMs)} ms`,
      `${f(result.naiveOverStoredRatio)}× rootAt`,
    ],
    [
      `inclusion proof, generate (${f(PROOFS)})`,
      `${f(inclGenMs)} ms`,
      `${f(result.inclusion.generatePerSec)} ops/s`,
    ],
    [
      `inclusion proof, verify (${f(PROOFS)})`,
      `${f(inclVerifyMs)} ms`,
      `${f(result.inclusion.verifyPerSec)} ops/s`,
    ],
    [
      `consistency proof, generate (${f(PROOFS)})`,
      `${f(consGenMs)} ms`,
      `${f(result.consistency.generatePerSec)} ops/s`,
    ],
    [
      `consistency proof, verify (${f(PROOFS)})`,
      `${f(consVerifyMs)} ms`,
      `${f(result.consistency.verifyPerSec)} ops/s`,
    ],
  ];
  console.log(`${'merkle (1M leaves)'.padEnd(46)}${'time'.padStart(12)}  rate`);
  for (const [name, time, rate] of rows)
    console.log(`${name.padEnd(46)}${time.padStart(12)}  ${rate}`);
  console.log(
    `root ${result.root} (naive ${result.naiveMatches ? 'matches' : 'DIFFERS'}); ` +
      `heap ${f(result.memory.heapUsedMiB)} MiB, array buffers ${f(result.memory.arrayBuffersMiB)} MiB`,
  );
}
