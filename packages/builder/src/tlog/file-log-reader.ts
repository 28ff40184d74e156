// SPDX-License-Identifier: Apache-2.0
// Reading a log directory without its key and without the writer lock (03 §9 reads, §12).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { VcError } from '@verified-container/shared';
import {
  HASH_SIZE,
  consistencyProof,
  hashToHex,
  inclusionProof,
  leafHash,
  rootAt,
  type SubtreeHashes,
} from '@verified-container/shared/merkle';
import { leafBytes, type TlogEntryType } from '@verified-container/shared/tlog';
import type {
  ConsistencyResponse,
  EntryView,
  HeadRecord,
  InclusionProofResponse,
} from './file-log.js';
import { levelFileName } from './file-subtree-hashes.js';
import { logPaths, readLogConfig } from './log-dir.js';
import { decodeStoredRecord, readFully, scanRecords, type StoredEntry } from './record-codec.js';

const CHUNK = 8 << 20;

/** A hit of {@link FileLogReader.find} (03 §7 `GET /api/v1/entries?…`). */
export interface FoundEntry {
  logIndex: number;
  integratedTime: string;
  entryType: TlogEntryType;
}

/**
 * Opens a log directory for reading only: no key, no lock, nothing written. The view is the tree
 * of the `head.json` read at open. A writer commits records and subtree hashes before it replaces
 * `head.json` (03 §8), and storage is append-only, so everything up to that head is stable while a
 * concurrent writer (embedded or `log serve`) appends; bytes beyond it are never read.
 */
export async function openFileLogReader(dir: string): Promise<FileLogReader> {
  const absolute = resolve(dir);
  const { config } = await readLogConfig(absolute);
  const head = await readHeadRecord(logPaths(absolute).head);
  return new FileLogReader(absolute, config.logId, head);
}

/** A read-only, fixed-size view of a log directory; see {@link openFileLogReader}. */
export class FileLogReader {
  private readonly hashes: ReadOnlySubtreeHashes;
  private scanned: StoredEntry[] | null = null;

  constructor(
    readonly dir: string,
    readonly logId: string,
    private readonly headRecord: HeadRecord,
  ) {
    this.hashes = new ReadOnlySubtreeHashes(logPaths(dir).hashes, headRecord.treeSize);
  }

  /** Number of entries of the view (the head's tree size). */
  size(): number {
    return this.headRecord.treeSize;
  }

  /** The head read at open: STH members plus the checkpoint text, unverified. */
  head(): HeadRecord {
    return { ...this.headRecord };
  }

  /** Consistency proof between sizes `first` ≤ `second` ≤ {@link size}. */
  consistencyProof(first: number, second = this.size()): ConsistencyResponse {
    this.checkRange(first, second, 'first');
    return {
      first,
      second,
      firstRootHash: hashToHex(rootAt(this.hashes, first)),
      secondRootHash: hashToHex(rootAt(this.hashes, second)),
      hashes: consistencyProof(this.hashes, first, second).map(hashToHex),
    };
  }

  /** Inclusion proof of `index` in the tree of `treeSize` (default {@link size}). */
  inclusionProof(index: number, treeSize = this.size()): InclusionProofResponse {
    this.checkRange(index + 1, treeSize, 'logIndex');
    return {
      logIndex: index,
      treeSize,
      rootHash: hashToHex(rootAt(this.hashes, treeSize)),
      hashes: inclusionProof(this.hashes, index, treeSize).map(hashToHex),
    };
  }

  /** Entry `index` as the API serves it (03 §7). */
  entry(index: number): EntryView {
    const records = this.scan();
    const stored = records[index];
    if (!Number.isSafeInteger(index) || index < 0 || stored === undefined) {
      throw new VcError('LOG_NOT_FOUND', `entry ${index} is not in the log (size ${this.size()})`);
    }
    const view: EntryView = {
      logId: this.logId,
      logIndex: index,
      integratedTime: stored.leaf.timestamp,
      entryType: stored.entryType,
      entry: stored.leaf,
      leafHash: hashToHex(leafHash(leafBytes(stored.leaf))),
    };
    if (stored.entryType === 'attestation') view.attestation = stored.envelope;
    else view.revocation = stored.envelope;
    return view;
  }

  /** Entries whose `attestationDigest` (or `revokedDigest`) is `digest`, in log order. */
  find(by: 'attestationDigest' | 'revokedDigest', digest: string): FoundEntry[] {
    const records = this.scan();
    const found: FoundEntry[] = [];
    records.forEach((stored, logIndex) => {
      const leaf = stored.leaf;
      const hit =
        by === 'attestationDigest'
          ? leaf.entryType === 'attestation' && leaf.body.attestationDigest === digest
          : leaf.entryType === 'revocation' && leaf.body.revokedDigest === digest;
      if (hit) found.push({ logIndex, integratedTime: leaf.timestamp, entryType: leaf.entryType });
    });
    return found;
  }

  /** Closes the level files. */
  close(): void {
    this.hashes.close();
  }

  private checkRange(low: number, high: number, what: string): void {
    const n = this.size();
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || low < 0 || low > high) {
      throw new VcError('LOG_BAD_REQUEST', `${what} ${low} is out of range for tree size ${high}`);
    }
    if (high > n) {
      throw new VcError('LOG_NOT_FOUND', `tree size ${high} is larger than the log (${n})`);
    }
  }

  /** Reads the first {@link size} records of `entries.dat` once, in chunks. */
  private scan(): StoredEntry[] {
    if (this.scanned !== null) return this.scanned;
    const path = logPaths(this.dir).entries;
    const fd = openSync(path, 'r');
    try {
      const fileSize = fstatSync(fd).size;
      const records: StoredEntry[] = [];
      let position = 0;
      let chunkSize = CHUNK;
      while (records.length < this.size() && position < fileSize) {
        const length = Math.min(chunkSize, fileSize - position);
        const chunk = new Uint8Array(length);
        readFully(fd, chunk, position);
        const scan = scanRecords(chunk);
        for (const rec of scan.records) {
          if (records.length === this.size()) break;
          records.push(decodeStoredRecord(rec.body, path, position + rec.offset));
        }
        if (scan.validLength === 0) {
          if (position + length === fileSize) break;
          chunkSize *= 2; // a record larger than the chunk
          continue;
        }
        position += scan.validLength;
      }
      if (records.length < this.size()) {
        throw new VcError(
          'LOG_CORRUPT',
          `${path} holds ${records.length} entries but head.json names ${this.size()}`,
          { hint: 'restore the log directory from a backup' },
        );
      }
      this.scanned = records;
      return this.scanned;
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * {@link SubtreeHashes} read from the level files (03 §8) for a tree of a fixed size: only the
 * hashes that tree needs are read, so hashes a writer appends meanwhile are never seen.
 */
class ReadOnlySubtreeHashes implements SubtreeHashes {
  private readonly fds = new Map<number, number>();

  constructor(
    private readonly dir: string,
    private readonly leaves: number,
  ) {}

  size(): number {
    return this.leaves;
  }

  get(level: number, index: number): Uint8Array {
    const count = Math.floor(this.leaves / 2 ** level);
    if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
      throw new VcError(
        'INVALID_ARGUMENT',
        `no complete subtree at level ${level}, index ${index} in a tree of ${this.leaves} leaves`,
      );
    }
    const path = join(this.dir, levelFileName(level));
    let fd = this.fds.get(level);
    if (fd === undefined) {
      try {
        fd = openSync(path, 'r');
      } catch (cause) {
        throw new VcError('LOG_CORRUPT', `${path} cannot be read`, { cause });
      }
      this.fds.set(level, fd);
    }
    const out = new Uint8Array(HASH_SIZE);
    const read = readSync(fd, out, 0, HASH_SIZE, index * HASH_SIZE);
    if (read !== HASH_SIZE) {
      throw new VcError('LOG_CORRUPT', `${path}: short read at hash ${index}`);
    }
    return out;
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}

/** `head.json`; a log that has none yet (never opened by a writer) → `LOG_UNAVAILABLE`. */
async function readHeadRecord(path: string): Promise<HeadRecord> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (cause) {
    throw new VcError('LOG_UNAVAILABLE', `${path} cannot be read`, {
      cause,
      hint: 'a log has a head once log init or a writer has opened it',
    });
  }
  try {
    const value = JSON.parse(text) as HeadRecord;
    if (
      !Number.isSafeInteger(value.treeSize) ||
      value.treeSize < 0 ||
      typeof value.rootHash !== 'string' ||
      typeof value.checkpoint !== 'string'
    ) {
      throw new Error('missing treeSize, rootHash or checkpoint');
    }
    return value;
  } catch (cause) {
    throw new VcError('LOG_CORRUPT', `${path}: not a head record`, { cause });
  }
}
