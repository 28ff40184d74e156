// SPDX-License-Identifier: Apache-2.0
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { publicKeyFromBase64 } from '@verified-container/shared/crypto';
import { hashFromHex, verifyConsistency, verifyInclusion } from '@verified-container/shared/merkle';
import {
  verifyCheckpoint,
  verifySet,
  verifyTreeHead,
  type SignedTreeHead,
} from '@verified-container/shared/tlog';
import { tempDir } from '../support.js';
import { submissionBody } from '../tlog-support.js';
import { BIN, hasBuiltCli, killHard, serveLog, type ServedLog } from '../tlog-server.js';
import { runCrashTest } from '../tlog-crash.js';

const h = (hex: string) => hashFromHex(hex) as Uint8Array;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function newLogDir(id: string): { dir: string; publicKey: string } {
  const tmp = tempDir('ct-tlog-int-');
  cleanup.push(() => tmp[Symbol.dispose]());
  const dir = join(tmp.path, id);
  const out = spawnSync(process.execPath, [BIN, 'log', 'init', '--dir', dir, '--no-passphrase'], {
    encoding: 'utf8',
  });
  expect(out.status, out.stderr).toBe(0);
  const entry = JSON.parse(out.stdout) as Record<string, { publicKey: string; url: string }>;
  expect(entry[id]?.url).toBe(`file:${dir}`);
  return { dir, publicKey: entry[id]?.publicKey as string };
}

async function served(dir: string, extra: string[] = []): Promise<ServedLog> {
  const s = await serveLog(dir, extra);
  cleanup.push(async () => {
    if (s.child.exitCode === null && s.child.signalCode === null) await killHard(s);
  });
  return s;
}

describe.skipIf(!hasBuiltCli)('log serve (real child process on loopback)', () => {
  it('appends over HTTP; proofs and SETs verify against the served heads', async () => {
    const { dir, publicKey: pub } = newLogDir('int-log');
    const key = publicKeyFromBase64(pub);
    const s = await served(dir);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const heads: SignedTreeHead[] = [];
    for (let i = 0; i < 9; i++) {
      const res = await fetch(`${s.url}/api/v1/entries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: submissionBody(i),
      });
      expect(res.status).toBe(201);
      const answer = (await res.json()) as {
        logIndex: number;
        integratedTime: string;
        inclusionProof: { treeSize: number; rootHash: string; hashes: string[] };
        signedEntryTimestamp: string;
      };
      const entry = (await (await fetch(`${s.url}/api/v1/entries/${answer.logIndex}`)).json()) as {
        leafHash: string;
      };
      const p = answer.inclusionProof;
      expect(
        verifyInclusion({
          index: answer.logIndex,
          treeSize: p.treeSize,
          leafHash: h(entry.leafHash),
          hashes: p.hashes.map(h),
          rootHash: h(p.rootHash),
        }),
      ).toBe(true);
      expect(
        verifySet(
          key,
          {
            logId: 'int-log',
            logIndex: answer.logIndex,
            integratedTime: answer.integratedTime,
            leafHash: entry.leafHash,
            treeSize: p.treeSize,
            rootHash: p.rootHash,
          },
          answer.signedEntryTimestamp,
        ),
      ).toBe(true);
      const sth = (await (await fetch(`${s.url}/api/v1/sth`)).json()) as SignedTreeHead;
      expect(verifyTreeHead(key, sth)).toBe(true);
      const checkpoint = await (await fetch(`${s.url}/checkpoint`)).text();
      const cp = verifyCheckpoint(checkpoint, 'int-log', key);
      expect(cp.valid).toBe(true);
      expect([
        cp.checkpoint?.treeSize,
        Buffer.from(cp.checkpoint?.rootHash ?? []).toString('hex'),
      ]).toEqual([sth.treeSize, sth.rootHash]);
      heads.push(sth);
    }
    for (const a of heads) {
      for (const b of heads) {
        if (a.treeSize > b.treeSize) continue;
        const c = (await (
          await fetch(`${s.url}/api/v1/consistency?first=${a.treeSize}&second=${b.treeSize}`)
        ).json()) as { hashes: string[] };
        expect(
          verifyConsistency({
            first: a.treeSize,
            second: b.treeSize,
            firstRoot: h(a.rootHash),
            secondRoot: h(b.rootHash),
            hashes: c.hashes.map(h),
          }),
        ).toBe(true);
      }
    }
    // SIGTERM: clean stop, exit 0.
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('refuses a body over --max-body (413), a second server (exit 3) and a foreign key (exit 2)', async () => {
    const { dir } = newLogDir('limits-log');
    const other = newLogDir('other-log');
    const s = await served(dir, ['--max-body', '100']);
    const big = await fetch(`${s.url}/api/v1/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: submissionBody(1),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { code: string }).code).toBe('LOG_PAYLOAD_TOO_LARGE');
    const second = spawnSync(process.execPath, [BIN, 'log', 'serve', '--dir', dir, '--port', '0'], {
      encoding: 'utf8',
    });
    expect([second.status, second.stderr]).toEqual([3, expect.stringContaining('LOG_UNAVAILABLE')]);
    await killHard(s);
    const mismatch = spawnSync(
      process.execPath,
      [BIN, 'log', 'serve', '--dir', dir, '--port', '0', '--key', join(other.dir, 'log.key')],
      { encoding: 'utf8' },
    );
    expect([mismatch.status, mismatch.stderr]).toEqual([
      2,
      expect.stringContaining('LOG_KEY_MISMATCH'),
    ]);
  });

  it('loses no acknowledged entry across random kill -9', async () => {
    const { dir } = newLogDir('crash-log');
    const total = Number(process.env['CT_TLOG_CRASH_N'] ?? 500);
    let seed = 0x2545f491;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const kills = await runCrashTest(dir, total, random);
    expect(kills).toBeGreaterThan(0);
  });
});
