// SPDX-License-Identifier: Apache-2.0
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { HASH_SIZE, nodeHash, type SubtreeHashes } from '@verified-container/shared/merkle';

const LEVEL_FILE = /^level-(\d+)\.dat$/;

/** `hashes/level-<k>.dat` of a log directory (03 §8). */
export function levelFileName(level: number): string {
  return `level-${level}.dat`;
}

/**
 * {@link SubtreeHashes} kept in the level files of 03 §8: per level k, the 32-byte hashes of the
 * complete aligned subtrees of 2^k leaves, append-only. `get` reads the file (O(1) per hash), so
 * proofs cost O(log n) reads; `append` writes through and {@link sync} makes the writes durable.
 */
export class FileSubtreeHashes implements SubtreeHashes {
  private readonly fds: number[] = [];
  private readonly counts: number[] = [];
  private readonly dirty = new Set<number>();
  private leaves = 0;

  private constructor(private readonly dir: string) {}

  /**
   * Opens (creating) the level files under `dir` and brings them to exactly `leafHashes.length`
   * leaves: partial hashes and hashes beyond the entries are truncated, missing ones recomputed.
   * A stored leaf hash that differs from the entries' → `LOG_CORRUPT`.
   */
  static open(dir: string, leafHashes: readonly Uint8Array[]): FileSubtreeHashes {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const store = new FileSubtreeHashes(dir);
    const n = leafHashes.length;
    let maxLevel = 0;
    for (const name of readdirSync(dir)) {
      const m = LEVEL_FILE.exec(name);
      if (m !== null) maxLevel = Math.max(maxLevel, Number(m[1]));
    }
    while (2 ** (maxLevel + 1) <= n) maxLevel += 1;
    for (let level = 0; level <= maxLevel; level++) store.openLevel(level);
    store.leaves = n;
    // Level 0 must match the entries; check what is stored, append what is missing.
    const have0 = store.counts[0] ?? 0;
    for (let i = 0; i < Math.min(have0, n); i++) {
      const stored = store.get(0, i);
      const want = leafHashes[i] as Uint8Array;
      if (!stored.every((b, j) => b === want[j])) {
        store.close();
        throw new VcError(
          'LOG_CORRUPT',
          `${join(dir, levelFileName(0))}: leaf hash ${i} does not match entries.dat`,
          {
            hint: 'restore the log directory from a backup',
          },
        );
      }
    }
    for (let level = 0; level <= maxLevel; level++) {
      const expected = Math.floor(n / 2 ** level);
      const have = store.counts[level] ?? 0;
      const fd = store.fds[level] as number;
      if (have > expected) {
        ftruncateSync(fd, expected * HASH_SIZE);
        store.counts[level] = expected;
        store.dirty.add(level);
      }
      for (let i = have; i < expected; i++) {
        const hash =
          level === 0
            ? (leafHashes[i] as Uint8Array)
            : nodeHash(store.get(level - 1, 2 * i), store.get(level - 1, 2 * i + 1));
        store.write(level, hash);
      }
    }
    store.sync();
    return store;
  }

  size(): number {
    return this.leaves;
  }

  get(level: number, index: number): Uint8Array {
    const fd = this.fds[level];
    const count = this.counts[level] ?? 0;
    if (fd === undefined || !Number.isSafeInteger(index) || index < 0 || index >= count) {
      throw new VcError(
        'INVALID_ARGUMENT',
        `no complete subtree at level ${level}, index ${index} in a tree of ${this.leaves} leaves`,
      );
    }
    const out = new Uint8Array(HASH_SIZE);
    const read = readSync(fd, out, 0, HASH_SIZE, index * HASH_SIZE);
    if (read !== HASH_SIZE) {
      throw new VcError('LOG_CORRUPT', `${this.path(level)}: short read at hash ${index}`);
    }
    return out;
  }

  /** Appends a leaf hash and every subtree hash it completes (not yet durable: see {@link sync}). */
  append(leafHash: Uint8Array): number {
    let level = 0;
    let hash = leafHash;
    for (;;) {
      const count = this.write(level, hash);
      if (count % 2 !== 0) break;
      hash = nodeHash(this.get(level, count - 2), hash);
      level += 1;
    }
    this.leaves += 1;
    return this.leaves;
  }

  /** fsyncs every level file written since the last call. */
  sync(): void {
    for (const level of this.dirty) fsyncSync(this.fds[level] as number);
    this.dirty.clear();
  }

  close(): void {
    for (const fd of this.fds) closeSync(fd);
    this.fds.length = 0;
  }

  private write(level: number, hash: Uint8Array): number {
    if (this.fds[level] === undefined) this.openLevel(level);
    const count = this.counts[level] ?? 0;
    writeSync(this.fds[level] as number, hash, 0, HASH_SIZE, count * HASH_SIZE);
    this.counts[level] = count + 1;
    this.dirty.add(level);
    return count + 1;
  }

  private openLevel(level: number): void {
    const fd = openSync(this.path(level), 'a+', 0o644);
    // 'a+' appends regardless of position on Linux; reopen read-write to write at offsets.
    closeSync(fd);
    const rw = openSync(this.path(level), 'r+');
    const size = fstatSync(rw).size;
    const whole = Math.floor(size / HASH_SIZE);
    if (whole * HASH_SIZE !== size) ftruncateSync(rw, whole * HASH_SIZE);
    this.fds[level] = rw;
    this.counts[level] = whole;
  }

  private path(level: number): string {
    return join(this.dir, levelFileName(level));
  }
}
