// SPDX-License-Identifier: Apache-2.0
import { readSync } from 'node:fs';
import { VcError } from '@verified-container/shared';
import { sha256 } from '@verified-container/shared/crypto';
import { canonicalBytes } from '@verified-container/shared/json';
import type { TlogEntryType, TlogLeaf } from '@verified-container/shared/tlog';

/** Bytes of the length prefix and of the check suffix of an `entries.dat` record (03 §8). */
const LENGTH_BYTES = 4;
const CHECK_BYTES = 4;

/** One stored entry: what `entries.dat` holds per record (03 §8). */
export interface StoredEntry {
  entryType: TlogEntryType;
  leaf: TlogLeaf;
  /** Base64 of the envelope bytes exactly as submitted. */
  envelope: string;
}

/** `[u32 BE length L][L bytes of JCS record][first 4 bytes of SHA-256(L bytes)]`. */
export function encodeRecord(entry: StoredEntry): Uint8Array {
  const body = canonicalBytes({
    entryType: entry.entryType,
    leaf: entry.leaf,
    envelope: entry.envelope,
  });
  const out = new Uint8Array(LENGTH_BYTES + body.byteLength + CHECK_BYTES);
  new DataView(out.buffer).setUint32(0, body.byteLength, false);
  out.set(body, LENGTH_BYTES);
  out.set(sha256(body).subarray(0, CHECK_BYTES), LENGTH_BYTES + body.byteLength);
  return out;
}

/** A record found by {@link scanRecords}: its offset in the file and its JCS body. */
export interface ScannedRecord {
  offset: number;
  body: Uint8Array;
}

/** Result of {@link scanRecords}: the complete records, and where the valid prefix ends. */
export interface RecordScan {
  records: ScannedRecord[];
  /** Bytes of complete, checked records; anything after is a torn tail to truncate. */
  validLength: number;
}

/**
 * Splits `entries.dat` bytes into records, stopping at the first record that is incomplete or
 * fails its check bytes (a torn tail left by a crash mid-append).
 */
export function scanRecords(data: Uint8Array): RecordScan {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const records: ScannedRecord[] = [];
  let offset = 0;
  while (offset + LENGTH_BYTES <= data.byteLength) {
    const length = view.getUint32(offset, false);
    const end = offset + LENGTH_BYTES + length + CHECK_BYTES;
    if (length === 0 || end > data.byteLength) break;
    const body = data.subarray(offset + LENGTH_BYTES, offset + LENGTH_BYTES + length);
    const check = data.subarray(end - CHECK_BYTES, end);
    const want = sha256(body).subarray(0, CHECK_BYTES);
    if (!want.every((b, i) => b === check[i])) break;
    records.push({ offset, body });
    offset = end;
  }
  return { records, validLength: offset };
}

/** Parses a record body (as written by {@link encodeRecord}); throws on anything else. */
export function decodeRecordBody(body: Uint8Array): StoredEntry {
  const value = JSON.parse(new TextDecoder().decode(body)) as Partial<StoredEntry>;
  if (
    (value.entryType !== 'attestation' && value.entryType !== 'revocation') ||
    typeof value.envelope !== 'string' ||
    typeof value.leaf !== 'object' ||
    value.leaf === null
  ) {
    throw new Error('not an entries.dat record');
  }
  return { entryType: value.entryType, leaf: value.leaf, envelope: value.envelope };
}

/** {@link decodeRecordBody} of the record at byte `offset` of `path`; LOG_CORRUPT when it is not one. */
export function decodeStoredRecord(body: Uint8Array, path: string, offset: number): StoredEntry {
  try {
    return decodeRecordBody(body);
  } catch (cause) {
    throw new VcError('LOG_CORRUPT', `${path}: the record at byte ${offset} is not an entry`, {
      cause,
    });
  }
}

/** Reads `buf.byteLength` bytes at `position` of `fd` (fewer only at the end of the file). */
export function readFully(fd: number, buf: Uint8Array, position: number): void {
  let done = 0;
  while (done < buf.byteLength) {
    const n = readSync(fd, buf, done, buf.byteLength - done, position + done);
    if (n === 0) break;
    done += n;
  }
}
