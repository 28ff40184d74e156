// SPDX-License-Identifier: Apache-2.0
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { attestationDigest, type DsseEnvelope } from '@verified-container/shared/attestation';
import { publicKeyFromBase64, type Ed25519PublicKey } from '@verified-container/shared/crypto';
import {
  hashFromHex,
  hashToHex,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from '@verified-container/shared/merkle';
import {
  attestationLeaf,
  leafBytes,
  verifyCheckpoint,
  verifySet,
  verifyTreeHead,
  type SignedTreeHead,
} from '@verified-container/shared/tlog';
import { envelopeBytes } from './tlog-support.js';
import { BIN } from './tlog-server.js';

/** Options of {@link runCrashTest}. */
export interface CrashTestOptions {
  /** Entries to append (distinct submissions). */
  total: number;
  /** Source of randomness in [0, 1): kill points, samples. */
  random: () => number;
  /** Concurrent POST clients (default 8: group commits of several entries). */
  clients?: number;
  /** The server is killed after 1..maxAcks acknowledgements (default 200), then 0–3 ms later. */
  maxAcks?: number;
  /** Share of restarts killed during start-up recovery instead (default 0.1). */
  recoveryKillRate?: number;
  /** The `cerro-torre` entry point to run `log serve` with (default the built CLI). */
  bin?: string;
}

/** What {@link runCrashTest} did; every check it counts has passed. */
export interface CrashTestReport {
  kills: number;
  /** Kills that landed while `log serve` was starting (recovering). */
  recoveryKills: number;
  acknowledged: number;
  /** Resubmissions answered 200 (the first attempt was durable but not acknowledged). */
  duplicates: number;
  /** Distinct heads seen: signed (STH, checkpoint) and the roots of 201 answers. */
  signedHeads: number;
  answerHeads: number;
  inclusionProofs: number;
  consistencyProofs: number;
  entriesRead: number;
  /** `.head.json.*.tmp` files in the log directory at the end. */
  leftoverTempFiles: number;
  /** Wall-clock milliseconds in start-ups, under load, in the checks after restarts, at the end. */
  ms: { start: number; load: number; restartChecks: number; finalCheck: number };
}

interface Submission {
  n: number;
  body: string;
  digest: string;
  envelope: DsseEnvelope;
  envelopeBase64: string;
}

interface Acked {
  n: number;
  leafHash: string;
  integratedTime: string;
}

interface EntryAnswer {
  logId: string;
  logIndex: number;
  integratedTime: string;
  attestationDigest: string;
  signedEntryTimestamp: string;
  inclusionProof: { logIndex: number; treeSize: number; rootHash: string; hashes: string[] };
}

interface Head {
  treeSize: number;
  rootHash: string;
}

const h = (hex: string) => {
  const bytes = hashFromHex(hex);
  if (bytes === null) throw new Error(`not a hash: ${hex}`);
  return bytes;
};

function submission(n: number): Submission {
  const bytes = envelopeBytes(n);
  const envelope = JSON.parse(Buffer.from(bytes).toString('utf8')) as DsseEnvelope;
  const envelopeBase64 = Buffer.from(bytes).toString('base64');
  return {
    n,
    body: JSON.stringify({ attestation: envelopeBase64 }),
    digest: attestationDigest(envelope),
    envelope,
    envelopeBase64,
  };
}

/** A `log serve` child: `ready` resolves with its URL, or rejects when it exits first. */
interface Server {
  child: ChildProcess;
  ready: Promise<string>;
  exited: Promise<number | string>;
}

function startServer(bin: string, dir: string): Server {
  const child = spawn(process.execPath, [bin, 'log', 'serve', '--dir', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal ?? -1)),
  );
  const ready = new Promise<string>((resolveUrl, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => {
      try {
        resolveUrl((JSON.parse(line) as { listening: string }).listening);
      } catch (e) {
        reject(new Error(`unexpected ready line ${line}: ${String(e)}`));
      }
    });
    void exited.then((code) => reject(new Error(`log serve exited ${code}: ${stderr}`)));
  });
  return { child, ready, exited };
}

/** {@link crashTestLog} with the default options; resolves with the number of kills. */
export async function runCrashTest(
  dir: string,
  total: number,
  random: () => number,
): Promise<number> {
  return (await crashTestLog(dir, { total, random })).kills;
}

/** Runs `tasks` with at most `width` in flight. */
async function pool<T>(items: readonly T[], width: number, task: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

/**
 * 03 §8's guarantee under `kill -9`, against a real `log serve` over HTTP. `clients` POST the
 * `total` entries concurrently while a poller reads the STH and the checkpoint; the server is
 * SIGKILLed at a random moment after a random number of acknowledgements (sometimes during its
 * start-up recovery instead) and restarted, until every entry is acknowledged. Checked:
 * - every answer: digest, inclusion proof (leaf hash rebuilt from the envelope) and SET verify;
 *   a resubmission answers the index of its first acknowledgement; no index is answered twice;
 * - every STH and checkpoint verifies; two heads of the same size have the same root;
 * - after each restart: the head covers every acknowledged entry and every head seen before the
 *   kill, with consistency proofs from the heads of the last round; the entries acknowledged in
 *   that round (and a sample of older ones) are served at their index with the submitted bytes,
 *   and their proofs verify against the new head and the last signed head before the kill;
 * - at the end: every entry, its inclusion in the final head, and a consistency proof from every
 *   distinct head seen (signed or answered) to the final one, plus one inclusion per signed head.
 */
export async function crashTestLog(dir: string, opts: CrashTestOptions): Promise<CrashTestReport> {
  const { total, random } = opts;
  const clients = opts.clients ?? 8;
  const maxAcks = opts.maxAcks ?? 200;
  const recoveryKillRate = opts.recoveryKillRate ?? 0.1;
  const bin = opts.bin ?? BIN;
  const config = JSON.parse(readFileSync(join(dir, 'log.json'), 'utf8')) as {
    logId: string;
    publicKey: string;
  };
  const logId = config.logId;
  const publicKey: Ed25519PublicKey = publicKeyFromBase64(config.publicKey);
  const report: CrashTestReport = {
    kills: 0,
    recoveryKills: 0,
    acknowledged: 0,
    duplicates: 0,
    signedHeads: 0,
    answerHeads: 0,
    inclusionProofs: 0,
    consistencyProofs: 0,
    entriesRead: 0,
    leftoverTempFiles: 0,
    ms: { start: 0, load: 0, restartChecks: 0, finalCheck: 0 },
  };
  const timed = async <T>(phase: keyof CrashTestReport['ms'], fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      report.ms[phase] += Math.round(performance.now() - t);
    }
  };

  const acked = new Map<number, Acked>();
  const indexOf = new Map<number, number>();
  /** Every distinct head seen, by size; `signed` once an STH or checkpoint named it. */
  const heads = new Map<number, { rootHash: string; signed: boolean }>();
  const pending: number[] = [];
  let next = 0;
  const take = () => (pending.length > 0 ? pending.shift() : next < total ? next++ : undefined);

  const recordHead = (head: Head, signed: boolean) => {
    const seen = heads.get(head.treeSize);
    if (seen === undefined) {
      heads.set(head.treeSize, { rootHash: head.rootHash, signed });
      if (signed) report.signedHeads += 1;
      else report.answerHeads += 1;
      return;
    }
    expect(seen.rootHash, `two roots for tree size ${head.treeSize}`).toBe(head.rootHash);
    if (signed && !seen.signed) {
      seen.signed = true;
      report.signedHeads += 1;
      report.answerHeads -= 1;
    }
  };

  async function getJson<T>(url: string): Promise<T> {
    const res = await fetch(url);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** The served STH and checkpoint (both verified, recorded as signed heads). */
  async function servedHead(url: string): Promise<Head> {
    const sth = await getJson<SignedTreeHead>(`${url}/api/v1/sth`);
    expect(sth.logId).toBe(logId);
    expect(verifyTreeHead(publicKey, sth), `STH ${sth.treeSize} signature`).toBe(true);
    recordHead(sth, true);
    const res = await fetch(`${url}/checkpoint`);
    const text = await res.text();
    expect(res.status).toBe(200);
    const checked = verifyCheckpoint(text, logId, publicKey);
    expect(checked.problems).toEqual([]);
    const cp = checked.checkpoint!;
    recordHead({ treeSize: cp.treeSize, rootHash: hashToHex(cp.rootHash) }, true);
    return { treeSize: sth.treeSize, rootHash: sth.rootHash };
  }

  /** Entry `index` is served with the submitted bytes, its leaf hash and time. */
  async function checkEntry(url: string, index: number): Promise<void> {
    const want = acked.get(index)!;
    const entry = await getJson<{
      logIndex: number;
      integratedTime: string;
      entryType: string;
      attestation: string;
      leafHash: string;
    }>(`${url}/api/v1/entries/${index}`);
    expect(entry.logIndex).toBe(index);
    expect(entry.entryType).toBe('attestation');
    expect(entry.leafHash, `leaf hash of entry ${index}`).toBe(want.leafHash);
    expect(entry.integratedTime).toBe(want.integratedTime);
    expect(entry.attestation, `bytes of entry ${index}`).toBe(submission(want.n).envelopeBase64);
    report.entriesRead += 1;
  }

  async function checkInclusion(url: string, index: number, head: Head): Promise<void> {
    const proof = await getJson<{ hashes: string[]; rootHash: string }>(
      `${url}/api/v1/proof?logIndex=${index}&treeSize=${head.treeSize}`,
    );
    expect(proof.rootHash, `root at ${head.treeSize}`).toBe(head.rootHash);
    const ok = verifyInclusion({
      index,
      treeSize: head.treeSize,
      leafHash: h(acked.get(index)!.leafHash),
      hashes: proof.hashes.map(h),
      rootHash: h(head.rootHash),
    });
    expect(ok, `inclusion of ${index} in ${head.treeSize}`).toBe(true);
    report.inclusionProofs += 1;
  }

  async function checkConsistency(url: string, from: Head, to: Head): Promise<void> {
    const c = await getJson<{ hashes: string[]; firstRootHash: string; secondRootHash: string }>(
      `${url}/api/v1/consistency?first=${from.treeSize}&second=${to.treeSize}`,
    );
    expect(c.firstRootHash, `root at ${from.treeSize}`).toBe(from.rootHash);
    expect(c.secondRootHash, `root at ${to.treeSize}`).toBe(to.rootHash);
    const ok = verifyConsistency({
      first: from.treeSize,
      second: to.treeSize,
      firstRoot: h(from.rootHash),
      secondRoot: h(to.rootHash),
      hashes: c.hashes.map(h),
    });
    expect(ok, `consistency ${from.treeSize} → ${to.treeSize}`).toBe(true);
    report.consistencyProofs += 1;
  }

  /** Checks one POST answer as a client would (03 §7), then records the acknowledgement. */
  function acknowledge(sub: Submission, status: number, answer: EntryAnswer): void {
    expect(answer.logId).toBe(logId);
    expect(answer.attestationDigest).toBe(sub.digest);
    const index = answer.logIndex;
    const leaf = hashToHex(
      leafHash(leafBytes(attestationLeaf(sub.envelope, answer.integratedTime))),
    );
    const proof = answer.inclusionProof;
    expect(proof.logIndex).toBe(index);
    const included = verifyInclusion({
      index,
      treeSize: proof.treeSize,
      leafHash: h(leaf),
      hashes: proof.hashes.map(h),
      rootHash: h(proof.rootHash),
    });
    expect(included, `answer's inclusion proof of ${index} in ${proof.treeSize}`).toBe(true);
    const set = {
      logId,
      logIndex: index,
      integratedTime: answer.integratedTime,
      leafHash: leaf,
      treeSize: proof.treeSize,
      rootHash: proof.rootHash,
    };
    expect(verifySet(publicKey, set, answer.signedEntryTimestamp), `SET of ${index}`).toBe(true);
    report.inclusionProofs += 1;
    recordHead(proof, false);
    const earlier = indexOf.get(sub.n);
    if (earlier !== undefined) {
      expect(index, `submission ${sub.n} answered twice`).toBe(earlier);
      expect(acked.get(index)).toEqual({
        n: sub.n,
        leafHash: leaf,
        integratedTime: answer.integratedTime,
      });
    } else {
      const holder = acked.get(index);
      expect(holder, `index ${index} answered for two submissions`).toBeUndefined();
      acked.set(index, { n: sub.n, leafHash: leaf, integratedTime: answer.integratedTime });
      indexOf.set(sub.n, index);
      report.acknowledged += 1;
    }
    if (status === 200) report.duplicates += 1;
  }

  /** One server lifetime under load; resolves once it is killed and gone. */
  async function loadRound(server: Server, url: string) {
    const killAfter = 1 + Math.floor(random() * maxAcks);
    let acksThisRound = 0;
    let killing = false;
    const killSoon = () => {
      if (killing) return;
      killing = true;
      setTimeout(() => server.child.kill('SIGKILL'), Math.floor(random() * 4));
    };
    const roundAcked: number[] = [];
    const roundHeads: Head[] = [];
    let lastSigned: Head | null = null;
    const worker = async () => {
      for (;;) {
        const n = take();
        if (n === undefined) return;
        const sub = submission(n);
        let status: number;
        let answer: EntryAnswer;
        try {
          const res = await fetch(`${url}/api/v1/entries`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: sub.body,
          });
          status = res.status;
          const text = await res.text();
          if (status !== 201 && status !== 200) throw new Error(`POST: ${status} ${text}`);
          answer = JSON.parse(text) as EntryAnswer;
        } catch (err) {
          pending.push(n); // not acknowledged: resubmitted later (200 if it was durable)
          if (!killing) throw err;
          return;
        }
        acknowledge(sub, status, answer);
        roundAcked.push(answer.logIndex);
        roundHeads.push(answer.inclusionProof);
        acksThisRound += 1;
        if (acksThisRound >= killAfter) killSoon();
      }
    };
    const poller = async () => {
      let previous = -1;
      while (!killing) {
        let head: Head;
        try {
          head = await servedHead(url);
        } catch (err) {
          if (!killing) throw err;
          return;
        }
        expect(head.treeSize).toBeGreaterThanOrEqual(previous);
        previous = head.treeSize;
        roundHeads.push(head);
        lastSigned = head;
        await sleep(Math.floor(random() * 20));
      }
    };
    const workers = Promise.all(Array.from({ length: clients }, worker)).then(
      killSoon, // all acknowledged: the next start-up checks everything
      (err: unknown) => {
        killSoon();
        throw err;
      },
    );
    await Promise.all([workers, poller()]);
    await server.exited;
    report.kills += 1;
    return { roundAcked, roundHeads, lastSigned: lastSigned as Head | null };
  }

  let last: Awaited<ReturnType<typeof loadRound>> | null = null;
  let startMs = 0;
  let current: Server | null = null;
  try {
    for (;;) {
      if (last !== null && random() < recoveryKillRate) {
        // A kill late in the start-up, while `log serve` recovers (truncates, rewrites the head).
        const server = (current = startServer(bin, dir));
        server.ready.catch(() => undefined);
        setTimeout(
          () => server.child.kill('SIGKILL'),
          Math.floor(startMs * (0.6 + 0.4 * random())),
        );
        await timed('start', () => server.exited);
        report.recoveryKills += 1;
        continue;
      }
      const started = performance.now();
      const server = (current = startServer(bin, dir));
      const url = await timed('start', () => server.ready);
      startMs = performance.now() - started;
      const checks = performance.now();
      const head = await servedHead(url);
      const maxAcked = Math.max(-1, ...acked.keys());
      expect(head.treeSize, 'the head covers every acknowledged entry').toBeGreaterThan(maxAcked);
      expect(head.treeSize, 'no served head is lost').toBe(Math.max(...heads.keys()));
      if (last !== null) {
        // The heads seen before the kill: all signed ones, and a sample of the answered ones.
        const froms = last.roundHeads.filter(
          (_, i) => i >= last!.roundHeads.length - 4 || random() < 0.2,
        );
        for (const from of froms) await checkConsistency(url, from, head);
        // The entries answered last before the kill, a sample of the round's, and older ones;
        // the final check reads every entry.
        const round = last.roundAcked.filter(
          (_, i) => i >= last!.roundAcked.length - 8 || random() < 0.15,
        );
        const older = [...acked.keys()].filter(() => random() < 4 / (acked.size + 1));
        await pool([...round, ...older], clients, async (i) => {
          await checkEntry(url, i);
          await checkInclusion(url, i, head);
          const before = last!.lastSigned;
          if (before !== null && i < before.treeSize && random() < 0.2) {
            await checkInclusion(url, i, before);
          }
        });
      }
      report.ms.restartChecks += Math.round(performance.now() - checks);
      if (acked.size === total) {
        await timed('finalCheck', () => finalCheck(url, head));
        server.child.kill('SIGKILL');
        await server.exited;
        break;
      }
      last = await timed('load', () => loadRound(server, url));
    }
  } finally {
    if (current !== null && current.child.exitCode === null && current.child.signalCode === null) {
      current.child.kill('SIGKILL');
      await current.exited;
    }
  }
  report.leftoverTempFiles = readdirSync(dir).filter((f) => f.endsWith('.tmp')).length;
  return report;

  async function finalCheck(url: string, head: Head): Promise<void> {
    expect(head.treeSize).toBe(total);
    const indexes = [...acked.keys()].sort((a, b) => a - b);
    expect(indexes).toEqual(Array.from({ length: total }, (_, i) => i));
    await pool(indexes, clients, async (i) => {
      await checkEntry(url, i);
      await checkInclusion(url, i, head);
    });
    const all = [...heads.entries()].map(([treeSize, v]) => ({ treeSize, ...v }));
    await pool(all, clients, async (from) => {
      await checkConsistency(url, from, head);
      if (from.signed && from.treeSize > 0) {
        await checkInclusion(url, Math.floor(random() * from.treeSize), from);
      }
    });
  }
}
