// SPDX-License-Identifier: Apache-2.0

// Tree sizes and indexes go up to 2^53 − 1, so no bitwise operators here: they truncate to 32 bits.

/** The largest power of two strictly smaller than n (n ≥ 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** True when n is 2^j for some j ≥ 0. */
export function isPowerOfTwo(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 1) return false;
  let x = n;
  while (x % 2 === 0) x /= 2;
  return x === 1;
}

/** j for n = 2^j (n a power of two). */
export function log2Exact(n: number): number {
  let j = 0;
  for (let x = n; x > 1; x /= 2) j += 1;
  return j;
}
