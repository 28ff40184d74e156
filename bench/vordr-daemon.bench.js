// SPDX-License-Identifier: Apache-2.0
// The vordr daemon (issue 6): latency of `GET /v1/containers` with 50 containers in the store, and
// the daemon's RSS when idle (after start, and after serving the 50 containers).
//   Prepared through the real CLIs like vordr.bench.js: a scratch image holding the host's static
//   busybox, signed 2-of-3 and published to two file: logs (VC_BENCH_STORE=<dir> keeps and reuses it).
//   The daemon runs on a temporary socket over that store; 50 containers `/bin/sleep 300`
//   (--network none) are created through the API, the list is requested --runs times (default 200)
//   over node:http, then every container is removed and the daemon stopped.
// Needs root, runc, conmon and a static busybox; skips with a message otherwise. Prints figures, no
// assertions. Run after `pnpm build`: node bench/vordr-daemon.bench.js [--runs N] [--json]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { IMAGE, builderBin, prepareImage, staticBusybox, vordrBin } from './vordr-image.js';
import { makeExec } from './bench-kit.js';

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const RUNS = Number(option('--runs') ?? 200);
const CONTAINERS = 50;
const JSON_ONLY = args.includes('--json');
const say = (line) => {
  if (!JSON_ONLY) console.log(line);
};
const works = (cmd, argv = ['--version']) => spawnSync(cmd, argv).status === 0;

const busybox = staticBusybox();
const missing = [
  process.getuid?.() !== 0 && 'root',
  !works('runc') && 'runc',
  !works('conmon') && 'conmon',
  busybox === undefined && 'a static busybox (busybox-static)',
  !(existsSync(builderBin) && existsSync(vordrBin)) && '`pnpm build`',
].filter(Boolean);
if (missing.length > 0) {
  console.log(`vordr-daemon.bench.js: skipped (needs ${missing.join(', ')})`);
  process.exit(0);
}

const kept = process.env.VC_BENCH_STORE;
const base = kept ?? mkdtempSync(join(tmpdir(), 'vordr-bench-'));
const work = join(base, 'vordr-true');
const store = join(work, 'store');
const scratch = mkdtempSync(join(tmpdir(), 'vordr-daemon-bench-'));
const socket = join(scratch, 'vordr.sock');
const env = { ...process.env, VC_ROOT: store, VC_LOG_LEVEL: 'warn', NO_COLOR: '1' };

const exec = makeExec({ cwd: work, env });
/** The signed image in `store` (bench/vordr-image.js). */
const prepare = () => prepareImage({ work, store, busybox, exec });

/** One request on the socket: status, body and the time to the last byte (ms). */
function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        socketPath: socket,
        method,
        path,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            text: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const rssKiB = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

const prep = prepare();
say(`image: ${prep.reused ? 'reused' : `built in ${(prep.ms / 1000).toFixed(1)} s`}`);
const daemon = spawn(process.execPath, [vordrBin, '--root', store, 'daemon', '--socket', socket], {
  cwd: work,
  env,
  stdio: 'ignore',
});
const ids = [];
const results = { runs: RUNS, containers: CONTAINERS };
try {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const health = await call('GET', '/v1/healthz').catch(() => undefined);
    if (health?.status === 200) break;
    if (Date.now() > deadline) throw new Error('the daemon did not answer within 30 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  // Idle: a moment after the first answer, nothing in flight.
  await new Promise((r) => setTimeout(r, 1000));
  results.idleRssMiBEmpty = rssKiB(daemon.pid) / 1024;
  const createMs = [];
  for (let i = 0; i < CONTAINERS; i++) {
    const r = await call('POST', '/v1/containers', {
      image: IMAGE,
      command: ['/bin/sleep', '300'],
      networks: ['none'],
    });
    if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
    ids.push(JSON.parse(r.text).id);
    createMs.push(r.ms);
  }
  results.createMedianMs = quantile(createMs, 0.5);
  const listMs = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await call('GET', '/v1/containers');
    if (r.status !== 200) throw new Error(`list failed: ${r.status} ${r.text}`);
    listMs.push(r.ms);
  }
  results.listMedianMs = quantile(listMs, 0.5);
  results.listP95Ms = quantile(listMs, 0.95);
  await new Promise((r) => setTimeout(r, 1000));
  results.idleRssMiBAfter = rssKiB(daemon.pid) / 1024;
} finally {
  for (const id of ids) await call('DELETE', `/v1/containers/${id}?force=1`).catch(() => undefined);
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
  rmSync(scratch, { recursive: true, force: true });
  if (kept === undefined) rmSync(base, { recursive: true, force: true });
}

const f = (x) => x.toFixed(1);
say('');
say('| measure | value |');
say('|---|---|');
say(
  `| GET /v1/containers, ${CONTAINERS} containers, median of ${RUNS} | ${f(results.listMedianMs)} ms |`,
);
say(`| GET /v1/containers, p95 | ${f(results.listP95Ms)} ms |`);
say(`| POST /v1/containers (create + start), median | ${f(results.createMedianMs)} ms |`);
say(`| daemon RSS, idle after start | ${f(results.idleRssMiBEmpty)} MiB |`);
say(
  `| daemon RSS, idle after serving ${CONTAINERS} containers | ${f(results.idleRssMiBAfter)} MiB |`,
);
console.log(JSON.stringify(results));
