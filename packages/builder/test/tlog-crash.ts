// SPDX-License-Identifier: Apache-2.0
import { expect } from 'vitest';
import { publicKeyFromBase64, type Ed25519PublicKey } from '@verified-container/shared/crypto';
import { hashFromHex, verifyConsistency, verifyInclusion } from '@verified-container/shared/merkle';
import { verifyTreeHead, type SignedTreeHead } from '@verified-container/shared/tlog';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { submissionBody } from './tlog-support.js';
import { killHard, serveLog, type ServedLog } from './tlog-server.js';

interface EntryAnswer {
  logIndex: number;
  attestationDigest: string;
}

const h = (hex: string) => hashFromHex(hex) as Uint8Array;

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Checks entry `index` is served with `digest`, and its proof verifies against `head`. */
async function checkEntry(url: string, index: number, digest: string, head: SignedTreeHead) {
  const entry = await getJson<{ entry: { body: { attestationDigest: string } }; leafHash: string }>(
    `${url}/api/v1/entries/${index}`,
  );
  expect(entry.entry.body.attestationDigest).toBe(digest);
  const proof = await getJson<{ hashes: string[]; rootHash: string }>(
    `${url}/api/v1/proof?logIndex=${index}&treeSize=${head.treeSize}`,
  );
  expect(proof.rootHash).toBe(head.rootHash);
  const ok = verifyInclusion({
    index,
    treeSize: head.treeSize,
    leafHash: h(entry.leafHash),
    hashes: proof.hashes.map(h),
    rootHash: h(head.rootHash),
  });
  expect(ok, `inclusion of ${index} in ${head.treeSize}`).toBe(true);
}

/**
 * 03 §8's guarantee under `kill -9`: appends `total` entries to a served log over HTTP (4 in
 * flight), SIGKILLing the server after a random number of acknowledgements and restarting it;
 * after each restart every acknowledged entry is at its index, proofs verify against the served
 * head, and every served head is consistent with the previous one. Returns the number of kills.
 */
export async function runCrashTest(
  dir: string,
  total: number,
  random: () => number,
): Promise<number> {
  const publicKey: Ed25519PublicKey = publicKeyFromBase64(
    (JSON.parse(readFileSync(join(dir, 'log.json'), 'utf8')) as { publicKey: string }).publicKey,
  );
  const acked = new Map<number, string>();
  const pending: number[] = [];
  let next = 0;
  let kills = 0;
  let previous: SignedTreeHead | null = null;
  const take = () => (pending.length > 0 ? pending.shift() : next < total ? next++ : undefined);
  while (acked.size < total) {
    const served: ServedLog = await serveLog(dir);
    const head = await getJson<SignedTreeHead>(`${served.url}/api/v1/sth`);
    expect(verifyTreeHead(publicKey, head)).toBe(true);
    expect(head.treeSize).toBeGreaterThanOrEqual(acked.size);
    if (previous !== null) {
      const c = await getJson<{ hashes: string[]; firstRootHash: string }>(
        `${served.url}/api/v1/consistency?first=${previous.treeSize}&second=${head.treeSize}`,
      );
      expect(c.firstRootHash).toBe(previous.rootHash);
      const consistent = verifyConsistency({
        first: previous.treeSize,
        second: head.treeSize,
        firstRoot: h(previous.rootHash),
        secondRoot: h(head.rootHash),
        hashes: c.hashes.map(h),
      });
      expect(consistent, `head ${previous.treeSize} → ${head.treeSize}`).toBe(true);
    }
    // Every acknowledged entry survives: all of them at the end, a sample on the way.
    const indexes = [...acked.keys()];
    const sample =
      acked.size === total ? indexes : indexes.filter(() => random() < 40 / (indexes.length + 1));
    for (const i of sample) await checkEntry(served.url, i, acked.get(i) as string, head);
    previous = head;
    if (acked.size === total) {
      await killHard(served);
      break;
    }
    const killAfter = 1 + Math.floor(random() * 60);
    let ackedThisRound = 0;
    let killed = false;
    const worker = async () => {
      for (;;) {
        if (killed) return;
        const n = take();
        if (n === undefined) return;
        try {
          const res = await fetch(`${served.url}/api/v1/entries`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: submissionBody(n),
          });
          if (res.status !== 201 && res.status !== 200) throw new Error(`status ${res.status}`);
          const answer = (await res.json()) as EntryAnswer;
          const before = acked.get(answer.logIndex);
          expect(before === undefined || before === answer.attestationDigest).toBe(true);
          acked.set(answer.logIndex, answer.attestationDigest);
          ackedThisRound += 1;
          if (ackedThisRound >= killAfter && !killed) {
            killed = true;
            served.child.kill('SIGKILL');
          }
        } catch {
          pending.push(n); // not acknowledged: resubmitted later (a duplicate if it was durable)
          return;
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    if (!killed) served.child.kill('SIGKILL');
    await killHard(served);
    kills += 1;
  }
  return kills;
}
