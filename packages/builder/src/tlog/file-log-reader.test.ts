// SPDX-License-Identifier: Apache-2.0
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '@verified-container/shared';
import { hashFromHex, verifyConsistency, verifyInclusion } from '@verified-container/shared/merkle';
import { tempDir } from '../../test/support.js';
import { envelopeBytes } from '../../test/tlog-support.js';
import { openFileLog, type FileLog } from './file-log.js';
import { openFileLogReader } from './file-log-reader.js';
import { initLog } from './init-log.js';

const clock = fixedClock(new Date('2026-11-25T10:00:05Z'));
const dirs: Array<{ [Symbol.dispose](): void }> = [];
const logs: FileLog[] = [];

afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
  for (const d of dirs.splice(0)) d[Symbol.dispose]();
});

async function newLog(): Promise<string> {
  const tmp = tempDir('ct-tlog-reader-');
  dirs.push(tmp);
  const dir = join(tmp.path, 'reader-log');
  await initLog({ dir, logId: 'reader-log', clock });
  return dir;
}

const h = (hex: string) => hashFromHex(hex) as Uint8Array;

/** Every file of the log directory with its size and mtime, to show a reader writes nothing. */
function snapshot(dir: string): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? walk(join(d, e.name))
        : [
            `${join(d, e.name)} ${statSync(join(d, e.name)).size} ${statSync(join(d, e.name)).mtimeMs}`,
          ],
    );
  return walk(dir).sort();
}

describe('openFileLogReader', () => {
  it('serves the same head and proofs as the writer, while `log serve` holds the lock', async () => {
    const dir = await newLog();
    const writer = await openFileLog(dir, { clock, mode: 'served' });
    logs.push(writer);
    for (let i = 0; i < 13; i++) await writer.appendEnvelope('attestation', envelopeBytes(i));
    const before = snapshot(dir);

    const reader = await openFileLogReader(dir);
    try {
      const head = await writer.head();
      expect(reader.head()).toEqual(head);
      expect(reader.size()).toBe(13);
      for (const [m, n] of [
        [0, 13],
        [1, 13],
        [5, 13],
        [8, 13],
        [13, 13],
        [3, 7],
      ] as const) {
        const proof = reader.consistencyProof(m, n);
        expect(proof).toEqual(await writer.consistencyProof(m, n));
        expect(
          verifyConsistency({
            first: m,
            second: n,
            firstRoot: h(proof.firstRootHash),
            secondRoot: h(proof.secondRootHash),
            hashes: proof.hashes.map(h),
          }),
        ).toBe(true);
      }
      const entry = reader.entry(6);
      expect(entry).toEqual(await writer.entry(6));
      const proof = reader.inclusionProof(6);
      expect(
        verifyInclusion({
          index: 6,
          treeSize: 13,
          leafHash: h(entry.leafHash),
          hashes: proof.hashes.map(h),
          rootHash: h(head.rootHash),
        }),
      ).toBe(true);
      expect(reader.find('revokedDigest', 'sha256:' + '0'.repeat(64))).toEqual([]);

      // Reading wrote nothing: no lock taken, no file touched.
      expect(snapshot(dir)).toEqual(before);

      // The view is fixed at the head read at open: later appends are not seen.
      await writer.appendEnvelope('attestation', envelopeBytes(99));
      expect(reader.size()).toBe(13);
      expect(() => reader.consistencyProof(13, 14)).toThrow(
        expect.objectContaining({ code: 'LOG_NOT_FOUND' }),
      );
      expect(() => reader.entry(13)).toThrow(expect.objectContaining({ code: 'LOG_NOT_FOUND' }));
    } finally {
      reader.close();
    }
  });

  it('a log without head.json → LOG_UNAVAILABLE; a directory that is no log → an error', async () => {
    const dir = await newLog();
    rmSync(join(dir, 'head.json'));
    await expect(openFileLogReader(dir)).rejects.toMatchObject({ code: 'LOG_UNAVAILABLE' });
    const tmp = tempDir('ct-tlog-reader-');
    dirs.push(tmp);
    await expect(openFileLogReader(join(tmp.path, 'none'))).rejects.toMatchObject({
      code: expect.stringMatching(/^(READ_FAILED|LOG_CORRUPT)$/),
    });
  });
});
