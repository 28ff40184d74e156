// SPDX-License-Identifier: Apache-2.0
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '@verified-container/shared';
import { hashFromHex, verifyConsistency, verifyInclusion } from '@verified-container/shared/merkle';
import { leafHash } from '@verified-container/shared/merkle';
import {
  leafBytes,
  setInputOfEntry,
  verifyCheckpoint,
  verifySet,
  verifyTreeHead,
} from '@verified-container/shared/tlog';
import { tempDir } from '../../test/support.js';
import { envelopeBytes } from '../../test/tlog-support.js';
import { openFileLog, type FileLog } from './file-log.js';
import { initLog } from './init-log.js';

const clock = fixedClock(new Date('2026-11-25T10:00:05Z'));
const dirs: Array<{ [Symbol.dispose](): void }> = [];
const logs: FileLog[] = [];

afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
  for (const d of dirs.splice(0)) d[Symbol.dispose]();
});

async function newLog(): Promise<string> {
  const tmp = tempDir('ct-tlog-');
  dirs.push(tmp);
  const dir = join(tmp.path, 'unit-log');
  await initLog({ dir, logId: 'unit-log', clock });
  return dir;
}

async function open(dir: string, mode: 'served' | 'embedded' = 'embedded'): Promise<FileLog> {
  const log = await openFileLog(dir, { clock, mode });
  logs.push(log);
  return log;
}

async function closeLast(): Promise<void> {
  await logs.pop()?.close();
}

function h(hex: string): Uint8Array {
  return hashFromHex(hex) as Uint8Array;
}

describe('openFileLog', () => {
  it('appends, answers with a proof and a SET that verify, and finds duplicates', async () => {
    const log = await open(await newLog());
    const results = [];
    for (let i = 0; i < 7; i++)
      results.push(await log.appendEnvelope('attestation', envelopeBytes(i)));
    expect(results.map((r) => r.response.logIndex)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(results.every((r) => r.created)).toBe(true);
    for (const { response } of results) {
      const view = await log.entry(response.logIndex);
      const lh = leafHash(leafBytes(view.entry));
      const p = response.inclusionProof;
      expect(
        verifyInclusion({
          index: p.logIndex,
          treeSize: p.treeSize,
          leafHash: lh,
          hashes: p.hashes.map(h),
          rootHash: h(p.rootHash),
        }),
      ).toBe(true);
      expect(
        verifySet(
          log.publicKey,
          setInputOfEntry(response, view.leafHash),
          response.signedEntryTimestamp,
        ),
      ).toBe(true);
      expect(Buffer.from(view.attestation ?? '', 'base64')).toEqual(
        Buffer.from(envelopeBytes(response.logIndex)),
      );
    }
    const dup = await log.appendEnvelope('attestation', envelopeBytes(3));
    expect(dup.created).toBe(false);
    expect(dup.response.logIndex).toBe(3);
    expect(dup.response.inclusionProof.treeSize).toBe(7);
    const head = await log.head();
    expect(head.treeSize).toBe(7);
    expect(verifyTreeHead(log.publicKey, head)).toBe(true);
    expect(verifyCheckpoint(head.checkpoint, 'unit-log', log.publicKey).valid).toBe(true);
    expect(await log.find('attestationDigest', dup.response.attestationDigest ?? '')).toEqual([
      { logIndex: 3, integratedTime: '2026-11-25T10:00:05Z', entryType: 'attestation' },
    ]);
  });

  it('gives concurrent identical submissions one index (group commit)', async () => {
    const log = await open(await newLog());
    const all = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => log.appendEnvelope('attestation', envelopeBytes(i))),
      log.appendEnvelope('attestation', envelopeBytes(5)),
    ]);
    expect(all[20]?.response.logIndex).toBe(5);
    expect(log.size()).toBe(20);
  });

  it('serves consistency proofs between every pair of sizes that verify', async () => {
    const log = await open(await newLog());
    const roots: string[] = [(await log.head()).rootHash];
    for (let i = 0; i < 12; i++) {
      await log.appendEnvelope('attestation', envelopeBytes(i));
      roots.push((await log.head()).rootHash);
    }
    for (let m = 0; m <= 12; m++) {
      for (let n = m; n <= 12; n++) {
        const c = await log.consistencyProof(m, n);
        expect(c.firstRootHash).toBe(roots[m]);
        expect(c.secondRootHash).toBe(roots[n]);
        expect(
          verifyConsistency({
            first: m,
            second: n,
            firstRoot: h(c.firstRootHash),
            secondRoot: h(c.secondRootHash),
            hashes: c.hashes.map(h),
          }),
        ).toBe(true);
      }
    }
  });

  it('keeps every entry across reopen, and a second served writer is refused', async () => {
    const dir = await newLog();
    const log = await open(dir, 'served');
    for (let i = 0; i < 5; i++) await log.appendEnvelope('attestation', envelopeBytes(i));
    const root = (await log.head()).rootHash;
    await expect(openFileLog(dir, { clock })).rejects.toMatchObject({ code: 'LOG_UNAVAILABLE' });
    await closeLast();
    const again = await open(dir);
    expect(again.size()).toBe(5);
    expect((await again.head()).rootHash).toBe(root);
  });
});

describe('crash recovery', () => {
  it('truncates a torn final record and repairs the level files', async () => {
    const dir = await newLog();
    const log = await open(dir);
    for (let i = 0; i < 6; i++) await log.appendEnvelope('attestation', envelopeBytes(i));
    const head = await log.head();
    await closeLast();
    const entries = join(dir, 'entries.dat');
    const good = statSync(entries).size;
    // A torn tail: half of a record, as a kill -9 during write(2) leaves it.
    const fd = openSync(entries, 'a');
    writeSync(fd, new Uint8Array([0, 0, 1, 0, 0x7b, 0x22]));
    closeSync(fd);
    // Level files: a partial hash at level 0 and a lost level 1 hash.
    writeFileSync(join(dir, 'hashes', 'level-0.dat'), new Uint8Array(5), { flag: 'a' });
    truncateSync(join(dir, 'hashes', 'level-1.dat'), 32);
    const reopened = await open(dir);
    expect(statSync(entries).size).toBe(good);
    expect(reopened.size()).toBe(6);
    expect((await reopened.head()).rootHash).toBe(head.rootHash);
    expect(statSync(join(dir, 'hashes', 'level-1.dat')).size).toBe(3 * 32);
    const next = await reopened.appendEnvelope('attestation', envelopeBytes(6));
    expect(next.response.logIndex).toBe(6);
  });

  it('a record whose check bytes fail is a torn tail too', async () => {
    const dir = await newLog();
    const log = await open(dir);
    for (let i = 0; i < 3; i++) await log.appendEnvelope('attestation', envelopeBytes(i));
    await closeLast();
    const entries = join(dir, 'entries.dat');
    const bytes = readFileSync(entries);
    bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 0xff, bytes.length - 1);
    writeFileSync(entries, bytes);
    // The head names 3 entries, only 2 survive: the acknowledged third is gone → refuse.
    await expect(openFileLog(dir, { clock })).rejects.toMatchObject({ code: 'LOG_CORRUPT' });
  });

  it('signs a head for durable entries that were never acknowledged', async () => {
    const dir = await newLog();
    const log = await open(dir);
    await log.appendEnvelope('attestation', envelopeBytes(0));
    const oldHead = readFileSync(join(dir, 'head.json'));
    await log.appendEnvelope('attestation', envelopeBytes(1));
    await closeLast();
    writeFileSync(join(dir, 'head.json'), oldHead); // crash between steps 3 and 4
    const reopened = await open(dir);
    expect((await reopened.head()).treeSize).toBe(2);
  });

  it('removes the head temp files of a writer killed before its rename', async () => {
    const dir = await newLog();
    const log = await open(dir);
    await log.appendEnvelope('attestation', envelopeBytes(0));
    await closeLast();
    const left = join(dir, '.head.json.0123456789ab.tmp');
    writeFileSync(left, '{"treeSize":'); // kill -9 between the temp write and the rename
    writeFileSync(join(dir, 'keep.tmp'), 'not ours');
    const reopened = await open(dir);
    expect((await reopened.head()).treeSize).toBe(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual(['keep.tmp']);
  });

  it('refuses a head whose root differs from the entries', async () => {
    const dir = await newLog();
    const log = await open(dir);
    await log.appendEnvelope('attestation', envelopeBytes(0));
    await closeLast();
    const headPath = join(dir, 'head.json');
    const head = JSON.parse(readFileSync(headPath, 'utf8')) as { rootHash: string };
    head.rootHash = '00'.repeat(32);
    writeFileSync(headPath, JSON.stringify(head));
    await expect(openFileLog(dir, { clock })).rejects.toMatchObject({ code: 'LOG_CORRUPT' });
  });
});
