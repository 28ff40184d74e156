// SPDX-License-Identifier: Apache-2.0
// Transparency log (03 §7, §8): durable appends per second through the library (`file:` logs) and
// over HTTP (`cerro-torre log serve`), then a log of 1,000,000 entries built through the library
// (group commit, batches of 10,000: appending 1M entries one HTTP request at a time is too slow for
// a benchmark), the `log serve` start-up (recovery) time at that size, and inclusion/consistency
// proof latency at 1M, in process and over HTTP. Every append is acknowledged only after fsync.
// Run after `pnpm build`: node bench/tlog.bench.js [--entries N] [--json]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { initLog, openFileLog } = await import(`${root}packages/builder/dist/tlog/index.js`);
const BIN = `${root}packages/builder/dist/bin.js`;

const args = process.argv.slice(2);
const json = args.includes('--json');
const entriesArg = args.indexOf('--entries');
const BIG = entriesArg >= 0 ? Number(args[entriesArg + 1]) : 1_000_000;

const encoder = new TextEncoder();
// The log verifies no signature (03 §7), so one fixed 64-byte sig keeps envelope generation cheap.
const SIG = Buffer.alloc(64, 7).toString('base64');
function envelope(i) {
  const hex = i.toString(16).padStart(64, '0');
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: `artifact-${i}`, digest: { sha256: hex } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {},
  };
  return encoder.encode(
    JSON.stringify({
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
      signatures: [{ keyid: 'bench', sig: SIG }],
    }),
  );
}

const ms = (start) => performance.now() - start;
const pct = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
let seed = 9162;
const rand = (below) => {
  seed = (seed * 48271) % 2147483647;
  return Math.floor((seed / 2147483647) * below);
};

async function newLog(tmp, id) {
  const dir = join(tmp, id);
  await initLog({ dir, logId: id });
  return dir;
}

async function serve(dir) {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'log', 'serve', '--dir', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`log serve exited ${code}`)));
  });
  return { url: JSON.parse(line).listening, child, startMs: ms(started) };
}

async function stop(server) {
  const exited = new Promise((done) => server.child.once('exit', done));
  server.child.kill('SIGTERM');
  await exited;
}

async function timeRequests(count, inFlight, make) {
  let next = 0;
  const lat = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await make(i);
        lat.push(ms(t));
      }
    }),
  );
  const total = ms(start);
  lat.sort((a, b) => a - b);
  return { perSecond: Math.round((count / total) * 1000), p50: pct(lat, 50), p99: pct(lat, 99) };
}

const tmp = mkdtempSync(join(tmpdir(), 'ct-tlog-bench-'));
const results = {};
try {
  // (a) durable appends through the library: one at a time, then 64 in flight (group commit).
  {
    const log = await openFileLog(await newLog(tmp, 'lib-seq'), { mode: 'served' });
    results.librarySequential = await timeRequests(500, 1, (i) =>
      log.appendEnvelope('attestation', envelope(i)),
    );
    await log.close();
    const log2 = await openFileLog(await newLog(tmp, 'lib-conc'), { mode: 'served' });
    results.libraryConcurrent64 = await timeRequests(5000, 64, (i) =>
      log2.appendEnvelope('attestation', envelope(i)),
    );
    await log2.close();
  }
  // (b) durable appends over HTTP (log serve on loopback).
  {
    const server = await serve(await newLog(tmp, 'http-log'));
    const post = async (i) => {
      const res = await fetch(`${server.url}/api/v1/entries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ attestation: Buffer.from(envelope(i)).toString('base64') }),
      });
      if (res.status !== 201) throw new Error(`POST: ${res.status}`);
      await res.arrayBuffer();
    };
    results.httpSequential = await timeRequests(300, 1, post);
    results.httpConcurrent16 = await timeRequests(3000, 16, (i) => post(i + 1_000_000_000));
    await stop(server);
  }
  // (c) a log of BIG entries through the library, in batches of 10,000 appends.
  const bigDir = await newLog(tmp, 'big-log');
  {
    const log = await openFileLog(bigDir, { mode: 'served' });
    const start = performance.now();
    for (let base = 0; base < BIG; base += 10_000) {
      const batch = [];
      for (let i = base; i < Math.min(BIG, base + 10_000); i++) {
        batch.push(log.appendEnvelope('attestation', envelope(i)));
      }
      await Promise.all(batch);
      if (!json && base % 100_000 === 0) process.stderr.write(`  built ${base + batch.length}\n`);
    }
    results.build = { entries: BIG, seconds: Math.round(ms(start) / 100) / 10 };
    // In-process proof latency at full size.
    const inc = [];
    for (let k = 0; k < 2000; k++) {
      const t = performance.now();
      await log.inclusionProof(rand(BIG), BIG);
      inc.push(ms(t));
    }
    const cons = [];
    for (let k = 0; k < 2000; k++) {
      const t = performance.now();
      await log.consistencyProof(1 + rand(BIG - 1), BIG);
      cons.push(ms(t));
    }
    inc.sort((a, b) => a - b);
    cons.sort((a, b) => a - b);
    results.libraryProofs = {
      inclusionP50: pct(inc, 50),
      inclusionP99: pct(inc, 99),
      consistencyP50: pct(cons, 50),
      consistencyP99: pct(cons, 99),
    };
    await log.close();
  }
  // (d) log serve at BIG entries: start-up recovery, then proof latency over HTTP.
  {
    const server = await serve(bigDir);
    results.serveStartMs = Math.round(server.startMs);
    const get = async (url) => {
      const res = await fetch(url);
      if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
      await res.arrayBuffer();
    };
    results.httpInclusion = await timeRequests(2000, 1, () =>
      get(`${server.url}/api/v1/proof?logIndex=${rand(BIG)}`),
    );
    results.httpConsistency = await timeRequests(2000, 1, () =>
      get(`${server.url}/api/v1/consistency?first=${1 + rand(BIG - 1)}`),
    );
    await stop(server);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const f = (x) => (typeof x === 'number' ? x.toFixed(2) : String(x));
if (!json) {
  const rows = [
    ['library, 1 in flight', results.librarySequential],
    ['library, 64 in flight', results.libraryConcurrent64],
    ['HTTP, 1 in flight', results.httpSequential],
    ['HTTP, 16 in flight', results.httpConcurrent16],
  ];
  console.log('durable appends            per s    p50 ms   p99 ms');
  for (const [name, r] of rows) {
    console.log(
      `${name.padEnd(26)} ${String(r.perSecond).padStart(6)} ${f(r.p50).padStart(9)} ${f(r.p99).padStart(8)}`,
    );
  }
  console.log(`\nlog of ${BIG} entries built through the library in ${results.build.seconds} s`);
  console.log(`log serve start-up (recovery) at ${BIG}: ${results.serveStartMs} ms`);
  const p = results.libraryProofs;
  console.log(
    `proofs at ${BIG}, in process: inclusion p50 ${f(p.inclusionP50)} ms p99 ${f(p.inclusionP99)} ms; consistency p50 ${f(p.consistencyP50)} ms p99 ${f(p.consistencyP99)} ms`,
  );
  console.log(
    `proofs at ${BIG}, over HTTP:  inclusion p50 ${f(results.httpInclusion.p50)} ms p99 ${f(results.httpInclusion.p99)} ms; consistency p50 ${f(results.httpConsistency.p50)} ms p99 ${f(results.httpConsistency.p99)} ms`,
  );
}
console.log(JSON.stringify({ bench: 'tlog', ...results }));
