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
import { constants as fsConstants, promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { VcError, formatRfc3339Utc, systemClock, type Clock } from '@verified-container/shared';
import {
  encodeBase64,
  type Ed25519PrivateKey,
  type Ed25519PublicKey,
} from '@verified-container/shared/crypto';
import {
  consistencyProof,
  hashToHex,
  inclusionProof,
  leafHash,
  rootAt,
} from '@verified-container/shared/merkle';
import {
  attestationLeaf,
  formatCheckpoint,
  leafBytes,
  revocationLeaf,
  signSet,
  signTreeHead,
  verifyTreeHead,
  type SignedTreeHead,
  type TlogEntryType,
  type TlogLeaf,
} from '@verified-container/shared/tlog';
import { pathExists, writeFileAtomic } from '../io/files.js';
import { FileSubtreeHashes } from './file-subtree-hashes.js';
import { loadLogKey, logPaths, readLogConfig } from './log-dir.js';
import { acquireLogLock, type HeldLogLock } from './log-lock.js';
import {
  decodeRecordBody,
  decodeStoredRecord,
  encodeRecord,
  readFully,
  scanRecords,
} from './record-codec.js';
import { checkSubmission, type Submission } from './submission.js';

/** `head.json` (03 §8): the latest STH plus its checkpoint text. */
export interface HeadRecord extends SignedTreeHead {
  checkpoint: string;
}

/** Inclusion proof as the API returns it (03 §7). */
export interface InclusionProofResponse {
  logIndex: number;
  treeSize: number;
  rootHash: string;
  hashes: string[];
}

/** The answer to an append, identical to `POST /api/v1/entries` (03 §7, §9). */
export interface EntryResponse {
  logId: string;
  logIndex: number;
  integratedTime: string;
  inclusionProof: InclusionProofResponse;
  signedEntryTimestamp: string;
  attestationDigest?: string;
  revocationDigest?: string;
}

/** Result of {@link FileLog.append}: `created` false for a duplicate submission. */
export interface AppendResult {
  created: boolean;
  response: EntryResponse;
}

/** `GET /api/v1/entries/{logIndex}` (03 §7). */
export interface EntryView {
  logId: string;
  logIndex: number;
  integratedTime: string;
  entryType: TlogEntryType;
  entry: TlogLeaf;
  leafHash: string;
  attestation?: string;
  revocation?: string;
}

/** `GET /api/v1/consistency` (03 §7). */
export interface ConsistencyResponse {
  first: number;
  second: number;
  firstRootHash: string;
  secondRootHash: string;
  hashes: string[];
}

export interface FileLogOptions {
  /**
   * `served`: `log serve` holds `D/lock` from open to close; `embedded` (default, `file:` logs):
   * every append takes the lock and first re-reads what other writers appended.
   */
  mode?: 'served' | 'embedded';
  /** The log key; default `D/log.key` (or `keyPath`) with `passphrase`. */
  key?: Ed25519PrivateKey;
  keyPath?: string;
  passphrase?: string;
  clock?: Clock;
}

interface Pending {
  submission: Submission;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

/** In-memory view of the storage, rebuilt from the files by {@link loadState}. */
interface LogState {
  entriesFd: number;
  entriesLength: number;
  /** Record start offsets, plus the end of the last one. */
  offsets: number[];
  byDigest: Map<string, number>;
  byRevoked: Map<string, number[]>;
  hashes: FileSubtreeHashes;
  head: HeadRecord;
  lastTime: string;
}

const CHUNK = 8 << 20;

/**
 * Opens the log directory `dir` (03 §8, §9): recovers it (torn tail truncated, level files
 * repaired, head checked: `LOG_CORRUPT` when it names entries that are gone or another root) and
 * returns the library `log serve` and `file:` clients share.
 */
export async function openFileLog(dir: string, opts: FileLogOptions = {}): Promise<FileLog> {
  const absolute = resolve(dir);
  const { config, publicKey } = await readLogConfig(absolute);
  const key =
    opts.key ??
    (await loadLogKey(opts.keyPath ?? logPaths(absolute).key, publicKey, opts.passphrase));
  if (key.publicKey.keyId !== publicKey.keyId) {
    throw new VcError('LOG_KEY_MISMATCH', `the given key is not the key of the log ${absolute}`);
  }
  const mode = opts.mode ?? 'embedded';
  const lock = await acquireLogLock(absolute, mode === 'served' ? 'log serve' : 'file-log');
  const clock = opts.clock ?? systemClock;
  try {
    const state = await loadState(absolute, config.logId, key, clock);
    const log = new FileLog(
      absolute,
      config.logId,
      key,
      clock,
      mode,
      state,
      mode === 'served' ? lock : null,
    );
    if (mode === 'embedded') await lock.release();
    return log;
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/** A transparency log stored in a directory (03 §8); one instance per process and directory. */
export class FileLog {
  readonly publicKey: Ed25519PublicKey;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private failure: VcError | null = null;
  private closed = false;

  constructor(
    readonly dir: string,
    readonly logId: string,
    private readonly key: Ed25519PrivateKey,
    private readonly clock: Clock,
    private readonly mode: 'served' | 'embedded',
    private state: LogState,
    private readonly lock: HeldLogLock | null,
  ) {
    this.publicKey = key.publicKey;
  }

  /** Current number of entries (as of the last refresh for an embedded log). */
  size(): number {
    return this.state.hashes.size();
  }

  /** Checks and appends an envelope given as its JSON bytes (03 §7 POST rules). */
  appendEnvelope(entryType: TlogEntryType, envelopeBytes: Uint8Array): Promise<AppendResult> {
    return this.append(checkSubmission(entryType, envelopeBytes));
  }

  /**
   * Appends a checked submission, or finds it already logged (same digest). Resolves only once
   * the record, its hashes and a head covering it are durable (03 §8 steps 1–5); appends made
   * together share one commit (group commit).
   */
  append(submission: Submission): Promise<AppendResult> {
    if (this.closed) return Promise.reject(unavailable('the log is closed'));
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ submission, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  /** Entry `index` as the API serves it; `LOG_NOT_FOUND` beyond the tree. */
  async entry(index: number): Promise<EntryView> {
    await this.refresh();
    const size = this.size();
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new VcError('LOG_NOT_FOUND', `entry ${index} is not in the log (size ${size})`);
    }
    const stored = this.readRecord(index);
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
  async find(
    by: 'attestationDigest' | 'revokedDigest',
    digest: string,
  ): Promise<Array<{ logIndex: number; integratedTime: string; entryType: TlogEntryType }>> {
    await this.refresh();
    const indexes =
      by === 'revokedDigest'
        ? (this.state.byRevoked.get(digest) ?? [])
        : [this.state.byDigest.get(digest)].filter((i): i is number => i !== undefined);
    return indexes
      .filter((i) => by === 'revokedDigest' || this.readRecord(i).entryType === 'attestation')
      .map((i) => {
        const stored = this.readRecord(i);
        return { logIndex: i, integratedTime: stored.leaf.timestamp, entryType: stored.entryType };
      });
  }

  /** Inclusion proof of `index` in the tree of `treeSize` (default: current). */
  async inclusionProof(index: number, treeSize?: number): Promise<InclusionProofResponse> {
    await this.refresh();
    const n = treeSize ?? this.size();
    if (treeSize === undefined && index >= n) {
      throw new VcError('LOG_NOT_FOUND', `entry ${index} is not in the log (size ${n})`);
    }
    return this.proofAt(index, n);
  }

  /** Consistency proof between sizes `first` and `second` (default: current). */
  async consistencyProof(first: number, second?: number): Promise<ConsistencyResponse> {
    await this.refresh();
    const n = second ?? this.size();
    const hashes = consistencyProof(this.state.hashes, first, n).map(hashToHex);
    return {
      first,
      second: n,
      firstRootHash: hashToHex(rootAt(this.state.hashes, first)),
      secondRootHash: hashToHex(rootAt(this.state.hashes, n)),
      hashes,
    };
  }

  /** The latest signed head (`head.json`): STH members plus the checkpoint text. */
  async head(): Promise<HeadRecord> {
    await this.refresh();
    return { ...this.state.head };
  }

  /** Whether appends can succeed: no storage failure, not closed, directory writable. */
  async health(): Promise<{ ok: boolean; detail?: string }> {
    if (this.closed) return { ok: false, detail: 'shutting down' };
    if (this.failure !== null) return { ok: false, detail: this.failure.message };
    try {
      await fs.access(this.dir, fsConstants.W_OK);
      return { ok: true };
    } catch {
      return { ok: false, detail: `${this.dir} is not writable` };
    }
  }

  /** Waits for pending appends, then releases the lock and the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing;
    closeSync(this.state.entriesFd);
    this.state.hashes.close();
    await this.lock?.release();
  }

  private proofAt(index: number, n: number): InclusionProofResponse {
    const hashes = inclusionProof(this.state.hashes, index, n).map(hashToHex);
    return {
      logIndex: index,
      treeSize: n,
      rootHash: hashToHex(rootAt(this.state.hashes, n)),
      hashes,
    };
  }

  private readRecord(index: number) {
    const start = this.state.offsets[index] as number;
    const end = this.state.offsets[index + 1] as number;
    const buf = new Uint8Array(end - start);
    readSync(this.state.entriesFd, buf, 0, buf.byteLength, start);
    return decodeRecordBody(buf.subarray(4, buf.byteLength - 4));
  }

  /** Embedded logs: re-read the directory when another process appended. */
  private async refresh(): Promise<void> {
    if (this.mode === 'served' || this.flushing !== null) return;
    const size = fstatSync(this.state.entriesFd).size;
    if (size === this.state.entriesLength) return;
    const lock = await acquireLogLock(this.dir, 'file-log');
    try {
      await this.reload();
    } finally {
      await lock.release();
    }
  }

  private async reload(): Promise<void> {
    const next = await loadState(this.dir, this.logId, this.key, this.clock);
    closeSync(this.state.entriesFd);
    this.state.hashes.close();
    this.state = next;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        try {
          const results = await this.commitLocked(batch);
          batch.forEach((p, i) => p.resolve(results[i] as AppendResult));
        } catch (err) {
          batch.forEach((p) => p.reject(err));
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  private async commitLocked(batch: Pending[]): Promise<AppendResult[]> {
    if (this.mode === 'served') return this.commit(batch);
    const lock = await acquireLogLock(this.dir, 'file-log');
    try {
      if (fstatSync(this.state.entriesFd).size !== this.state.entriesLength) await this.reload();
      return await this.commit(batch);
    } finally {
      await lock.release();
    }
  }

  /** 03 §8 append steps 1–5 for a batch. A storage failure makes the log unavailable. */
  private async commit(batch: Pending[]): Promise<AppendResult[]> {
    if (this.failure !== null) throw this.failure;
    const state = this.state;
    const now = formatRfc3339Utc(this.clock.now());
    const time = now > state.lastTime ? now : state.lastTime;
    const before = state.hashes.size();
    const fresh: Array<{
      index: number;
      leaf: TlogLeaf;
      record: Uint8Array;
      submission: Submission;
    }> = [];
    const batchIndex = new Map<string, number>();
    const indexes = batch.map(({ submission }) => {
      const known = state.byDigest.get(submission.digest) ?? batchIndex.get(submission.digest);
      if (known !== undefined) return { index: known, created: false };
      const index = before + fresh.length;
      const leaf =
        submission.entryType === 'attestation'
          ? attestationLeaf(submission.envelope, time)
          : revocationLeaf(submission.envelope, time);
      const record = encodeRecord({
        entryType: submission.entryType,
        leaf,
        envelope: encodeBase64(submission.envelopeBytes),
      });
      fresh.push({ index, leaf, record, submission });
      batchIndex.set(submission.digest, index);
      return { index, created: true };
    });
    if (fresh.length > 0) {
      try {
        // (2) records, fsync
        const total = fresh.reduce((s, f) => s + f.record.byteLength, 0);
        const all = new Uint8Array(total);
        let at = 0;
        for (const f of fresh) {
          all.set(f.record, at);
          at += f.record.byteLength;
        }
        writeAll(state.entriesFd, all, state.entriesLength);
        fsyncSync(state.entriesFd);
        // (3) leaf and subtree hashes, fsync
        for (const f of fresh) state.hashes.append(leafHash(leafBytes(f.leaf)));
        state.hashes.sync();
        let offset = state.entriesLength;
        for (const f of fresh) {
          offset += f.record.byteLength;
          state.offsets.push(offset);
          state.byDigest.set(f.submission.digest, f.index);
          if (f.leaf.entryType === 'revocation')
            addRevoked(state.byRevoked, f.leaf.body.revokedDigest, f.index);
        }
        state.entriesLength = offset;
        state.lastTime = time;
        // (4) root, signed head
        state.head = await writeHead(this.dir, this.logId, this.key, state.hashes, this.clock);
      } catch (cause) {
        this.failure = unavailable('the log storage failed; restart to recover', cause);
        throw this.failure;
      }
    }
    // (5) answers with proof and SET for the tree now committed
    const treeSize = state.hashes.size();
    const rootHash = hashToHex(rootAt(state.hashes, treeSize));
    return batch.map(({ submission }, i) => {
      const { index, created } = indexes[i] as { index: number; created: boolean };
      const leaf = created
        ? (fresh.find((f) => f.index === index) as { leaf: TlogLeaf }).leaf
        : this.readRecord(index).leaf;
      const hash = hashToHex(leafHash(leafBytes(leaf)));
      const response: EntryResponse = {
        logId: this.logId,
        logIndex: index,
        integratedTime: leaf.timestamp,
        inclusionProof: {
          logIndex: index,
          rootHash,
          treeSize,
          hashes: inclusionProof(state.hashes, index, treeSize).map(hashToHex),
        },
        signedEntryTimestamp: signSet(this.key, {
          logId: this.logId,
          logIndex: index,
          integratedTime: leaf.timestamp,
          leafHash: hash,
          treeSize,
          rootHash,
        }),
      };
      if (submission.entryType === 'attestation') response.attestationDigest = submission.digest;
      else response.revocationDigest = submission.digest;
      return { created, response };
    });
  }
}

function unavailable(message: string, cause?: unknown): VcError {
  return new VcError('LOG_UNAVAILABLE', message, { cause, hint: 'retry later' });
}

function addRevoked(map: Map<string, number[]>, digest: string, index: number): void {
  const list = map.get(digest);
  if (list === undefined) map.set(digest, [index]);
  else list.push(index);
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.byteLength) {
    done += writeSync(fd, data, done, data.byteLength - done, position + done);
  }
}

/** Signs the head of the current tree and replaces `head.json` (temp, fsync, rename, dir fsync). */
async function writeHead(
  dir: string,
  logId: string,
  key: Ed25519PrivateKey,
  hashes: FileSubtreeHashes,
  clock: Clock,
): Promise<HeadRecord> {
  const treeSize = hashes.size();
  const root = rootAt(hashes, treeSize);
  const sth = signTreeHead(key, {
    logId,
    treeSize,
    timestamp: formatRfc3339Utc(clock.now()),
    rootHash: hashToHex(root),
  });
  const head: HeadRecord = { ...sth, checkpoint: formatCheckpoint(key, logId, treeSize, root) };
  await writeFileAtomic(logPaths(dir).head, `${JSON.stringify(head)}\n`, { mode: 0o644 });
  return head;
}

/** Start-up recovery (03 §8), run under the writer lock. */
async function loadState(
  dir: string,
  logId: string,
  key: Ed25519PrivateKey,
  clock: Clock,
): Promise<LogState> {
  const paths = logPaths(dir);
  await removeHeadTemps(dir);
  const entriesFd = openSync(paths.entries, 'a+');
  closeSync(entriesFd);
  const fd = openSync(paths.entries, 'r+');
  try {
    const fileSize = fstatSync(fd).size;
    const offsets: number[] = [0];
    const byDigest = new Map<string, number>();
    const byRevoked = new Map<string, number[]>();
    const leafHashes: Uint8Array[] = [];
    let lastTime = '';
    let position = 0;
    let chunkSize = CHUNK;
    // Scan in chunks so a large log is never read into one buffer.
    while (position < fileSize) {
      const length = Math.min(chunkSize, fileSize - position);
      const chunk = new Uint8Array(length);
      readFully(fd, chunk, position);
      const scan = scanRecords(chunk);
      for (const rec of scan.records) {
        const stored = decodeStoredRecord(rec.body, paths.entries, position + rec.offset);
        const index = leafHashes.length;
        leafHashes.push(leafHash(leafBytes(stored.leaf)));
        offsets.push(position + rec.offset + rec.body.byteLength + 8);
        lastTime = stored.leaf.timestamp;
        if (stored.leaf.entryType === 'attestation') {
          byDigest.set(stored.leaf.body.attestationDigest, index);
        } else {
          byDigest.set(stored.leaf.body.revocationDigest, index);
          addRevoked(byRevoked, stored.leaf.body.revokedDigest, index);
        }
      }
      const atEnd = position + length === fileSize;
      position += scan.validLength;
      if (scan.validLength < length) {
        if (atEnd) break; // a torn tail: truncated below
        if (scan.validLength === 0) chunkSize *= 2; // a record larger than the chunk
      }
    }
    if (position < fileSize) {
      // (recovery) a final record that is incomplete or fails its check bytes
      ftruncateSync(fd, position);
      fsyncSync(fd);
    }
    const hashes = FileSubtreeHashes.open(paths.hashes, leafHashes);
    const n = hashes.size();
    let head = await readHead(paths.head);
    if (head !== null) {
      if (head.logId !== logId || !verifyTreeHead(key.publicKey, head)) {
        throw corrupt(`${paths.head}: the head is not signed by this log's key`);
      }
      if (head.treeSize > n) {
        throw corrupt(
          `${paths.head} names ${head.treeSize} entries but only ${n} are stored in entries.dat`,
        );
      }
      if (hashToHex(rootAt(hashes, head.treeSize)) !== head.rootHash) {
        throw corrupt(
          `${paths.head}: its root differs from the stored entries at size ${head.treeSize}`,
        );
      }
    }
    if (head === null || head.treeSize < n) {
      head = await writeHead(dir, logId, key, hashes, clock);
    }
    return {
      entriesFd: fd,
      entriesLength: position,
      offsets,
      byDigest,
      byRevoked,
      hashes,
      head,
      lastTime,
    };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * Removes the `head.json` temp files (`writeFileAtomic`'s `.head.json.<hex>.tmp`) of writers killed
 * before their rename; without this every `kill -9` during a head write leaves one behind. Only
 * called under the writer lock, so no live writer owns one.
 */
async function removeHeadTemps(dir: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (name.startsWith('.head.json.') && name.endsWith('.tmp')) {
      await fs.rm(join(dir, name), { force: true });
    }
  }
}

function corrupt(message: string): VcError {
  return new VcError('LOG_CORRUPT', message, {
    hint: 'restore the log directory from a backup',
  });
}

async function readHead(path: string): Promise<HeadRecord | null> {
  if (!(await pathExists(path))) return null;
  try {
    const value = JSON.parse(await fs.readFile(path, 'utf8')) as HeadRecord;
    if (typeof value.treeSize !== 'number' || typeof value.rootHash !== 'string') {
      throw new Error('missing treeSize or rootHash');
    }
    return value;
  } catch (cause) {
    throw new VcError('LOG_CORRUPT', `${path}: not a head record`, { cause });
  }
}
