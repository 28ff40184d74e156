// SPDX-License-Identifier: Apache-2.0
// monitorLog against a real `file:` log read through FileLogClient, with readers that misbehave
// the way a dishonest or racing log would.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VcError, fixedClock } from '@verified-container/shared';
import type { TrustStore } from '@verified-container/shared/attestation';
import { publicKeyFromBase64 } from '@verified-container/shared/crypto';
import { seedKey } from '@verified-container/testkit';
import { tempDir } from '../../test/support.js';
import { envelopeBytes } from '../../test/tlog-support.js';
import { FileLogClient } from '../publish/file-log-client.js';
import { initLog, openFileLog } from '../tlog/index.js';
import type { LogReader } from './log-reader.js';
import { monitorLog, type MonitorLogInput } from './monitor-log.js';
import type { StoredHead } from './stored-heads.js';

const clock = fixedClock(new Date('2026-11-25T10:00:05Z'));
const NOW = new Date('2026-11-26T00:00:00Z');
const EMPTY_STORE = { keys: {}, logs: {}, thresholds: {} } as unknown as TrustStore;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A log of `size` entries, a reader of it, and the head (with checkpoint) at every size. */
async function logOf(
  size: number,
): Promise<{ input: MonitorLogInput; heads: Array<{ checkpoint: string }> }> {
  const tmp = tempDir('ct-monitor-');
  cleanup.push(() => tmp[Symbol.dispose]());
  const dir = join(tmp.path, 'm-log');
  const { trustStoreEntry } = await initLog({ dir, logId: 'm-log', clock });
  const log = await openFileLog(dir, { clock });
  const heads = [await log.head()];
  for (let i = 0; i < size; i++) {
    await log.appendEnvelope('attestation', envelopeBytes(i));
    heads.push(await log.head());
  }
  await log.close();
  const reader = new FileLogClient({ dir });
  cleanup.push(() => reader.close());
  const entry = Object.values(trustStoreEntry)[0] as { publicKey: string };
  return {
    heads,
    input: {
      logId: 'm-log',
      publicKey: publicKeyFromBase64(entry.publicKey),
      reader,
      previous: undefined,
      entryTrees: [],
      revocationDigests: [],
      imageDigest: undefined,
      store: EMPTY_STORE,
      now: NOW,
    },
  };
}

async function headOf(input: MonitorLogInput): Promise<StoredHead> {
  const r = await monitorLog(input);
  expect(r.errors).toEqual([]);
  return r.head as StoredHead;
}

describe('monitorLog', () => {
  it('a verified head is storable; the same head again is consistent', async () => {
    const { input } = await logOf(5);
    const first = await monitorLog(input);
    expect(first).toMatchObject({ errors: [], storable: true, head: { treeSize: 5 } });
    expect(first.head?.verifiedAt).toBe('2026-11-26T00:00:00Z');
    const again = await monitorLog({ ...input, previous: first.head });
    expect(again).toMatchObject({ errors: [], storable: true });
  });

  it('an STH signed by another key → LOG_PROOF_INVALID', async () => {
    const { input } = await logOf(3);
    const r = await monitorLog({ ...input, publicKey: seedKey(0x21).publicKey });
    expect(r.errors).toEqual([
      expect.objectContaining({
        code: 'LOG_PROOF_INVALID',
        message: 'the signed tree head does not verify with the trust-store key',
      }),
    ]);
    expect(r.storable).toBe(false);
  });

  it('an STH and a checkpoint of different trees: read again, LOG_INCONSISTENT if it persists', async () => {
    const { input, heads } = await logOf(4);
    const inner = input.reader;
    const older = (heads[3] as { checkpoint: string }).checkpoint;
    // An append between the two requests: the first two reads pair the new STH with the old
    // checkpoint, the third agrees.
    let reads = 0;
    const racing: LogReader = {
      ...bind(inner),
      readTreeHead: async () => {
        reads++;
        const real = await inner.readTreeHead();
        return reads < 3 ? { sth: real.sth, checkpoint: older } : real;
      },
    };
    expect((await monitorLog({ ...input, reader: racing })).errors).toEqual([]);
    expect(reads).toBe(3);

    const stuck: LogReader = {
      ...bind(inner),
      readTreeHead: async () => ({ sth: (await inner.readTreeHead()).sth, checkpoint: older }),
    };
    expect((await monitorLog({ ...input, reader: stuck })).errors).toEqual([
      expect.objectContaining({
        code: 'LOG_INCONSISTENT',
        message: 'the signed tree head (size 4) and the checkpoint (size 3) name different trees',
      }),
    ]);
  });

  it('a bundle entry logged at a larger tree than the head → LOG_ROLLBACK', async () => {
    const { input } = await logOf(2);
    const head = await headOf(input);
    const r = await monitorLog({
      ...input,
      entryTrees: [{ logIndex: 1, treeSize: 9, rootHash: head.rootHash }],
    });
    expect(r.errors).toEqual([
      expect.objectContaining({
        code: 'LOG_ROLLBACK',
        message:
          "the bundle's entry #1 was logged at tree size 9, but the log's head is 2 (rolled back)",
      }),
    ]);
  });

  it('a consistency proof the log garbles → LOG_INCONSISTENT; a refused one too', async () => {
    const { input } = await logOf(6);
    const previous = { ...(await headOf(input)), treeSize: 3 };
    previous.rootHash = (
      (await input.reader.readConsistencyProof(3, 6)) as { firstRootHash: string }
    ).firstRootHash;
    expect((await monitorLog({ ...input, previous })).errors).toEqual([]);

    const garbled: LogReader = {
      ...bind(input.reader),
      readConsistencyProof: async (m, n) => {
        const p = (await input.reader.readConsistencyProof(m, n)) as { hashes: string[] };
        return { ...p, hashes: p.hashes.slice(1) };
      },
    };
    const r = await monitorLog({ ...input, reader: garbled, previous });
    expect(r.errors[0]).toMatchObject({ code: 'LOG_INCONSISTENT' });
    expect(r.errors[0]?.message).toMatch(/^head 6 is not an extension of head 3 seen /);

    const refusing: LogReader = {
      ...bind(input.reader),
      readConsistencyProof: () => Promise.reject(new VcError('LOG_REJECTED', 'HTTP 404')),
    };
    const refused = await monitorLog({ ...input, reader: refusing, previous });
    expect(refused.errors).toEqual([
      expect.objectContaining({
        code: 'LOG_INCONSISTENT',
        message: 'the log refused a proof: HTTP 404',
      }),
    ]);

    const down: LogReader = {
      ...bind(input.reader),
      readTreeHead: () => Promise.reject(new VcError('LOG_UNAVAILABLE', 'cannot reach it')),
    };
    expect(await monitorLog({ ...input, reader: down, previous })).toMatchObject({
      errors: [],
      unavailable: 'cannot reach it',
      storable: false,
    });
  });
});

/** The reader's methods bound to it, so a spread copy still works. */
function bind(reader: LogReader): LogReader {
  return {
    readTreeHead: () => reader.readTreeHead(),
    readConsistencyProof: (m, n) => reader.readConsistencyProof(m, n),
    readInclusionProof: (i, n) => reader.readInclusionProof(i, n),
    readEntry: (i) => reader.readEntry(i),
    findRevocations: (d) => reader.findRevocations(d),
  };
}
