// SPDX-License-Identifier: Apache-2.0
// `cerro-torre verify` (04): what a verification costs as a process and in process.
//   Prepared once through the real CLI: examples/hello built on cerro-torre/debian:bookworm-slim
//   (the base is built from manifests/base the first time, ~40 s, needs root and the Debian
//   mirror), signed 2-of-3 with --key flags (keys from keygen and `trust init --dev`) and published
//   to two file: logs. VC_BENCH_STORE=<dir> keeps and reuses that preparation.
//   Then, in one hyperfine run: `node -e ''` (the floor), `verify --bundle … --no-cache`, and
//   `verify --bundle …` with its result cache (04 §10); `verify hello:1.0.0` (the store-image form)
//   too when this CLI has it. Last, `verifyBundle` from packages/shared/dist, median of 1000 runs
//   after a warm-up. No timing assertions.
// Run after `pnpm build`: node bench/verify.bench.js [--runs N] [--json] [--md <file>]
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/builder/dist/bin.js');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const RUNS = Number(option('--runs') ?? 30);
const JSON_ONLY = args.includes('--json');
const MD = option('--md');
if (!Number.isInteger(RUNS) || RUNS < 2) {
  console.error('usage: node bench/verify.bench.js [--runs N] [--json] [--md <file>]');
  process.exit(2);
}
const say = (line) => {
  if (!JSON_ONLY) console.log(line);
};
const hasHyperfine = spawnSync('hyperfine', ['--version']).status === 0;
if (!hasHyperfine || process.getuid?.() !== 0) {
  console.log(
    `verify.bench.js: skipped (needs ${hasHyperfine ? 'root for the hello build' : 'hyperfine'})`,
  );
  process.exit(0);
}

// The hello example with its two logs replaced by file: logs (no server to run for the build).
const HELLO_LOGS = `logs = [
    { name = "log-a", url = "file:logs/log-a" },
    { name = "log-b", url = "file:logs/log-b" },
]`;

const kept = process.env.VC_BENCH_STORE;
const base = kept ?? mkdtempSync(join(tmpdir(), 'ct-verify-bench-'));
const work = join(base, 'hello');
const vcRoot = join(base, 'store');
const env = { ...process.env, VC_ROOT: vcRoot, VC_LOG_LEVEL: 'warn', NO_COLOR: '1' };
const bundle = join(work, 'dist/hello-1.0.0.bundle.json');
const trustStore = join(vcRoot, 'keys/trust-store.json');
const scratch = mkdtempSync(join(tmpdir(), 'ct-verify-bench-run-'));

function cli(argv, what) {
  const r = spawnSync(process.execPath, [bin, ...argv], { cwd: work, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r;
}

/** keygen, trust init --dev, log init ×2, build --key ×2: the bundle and trust store to verify. */
function prepare() {
  if (existsSync(bundle) && existsSync(trustStore)) return { reused: true, ms: 0 };
  const started = performance.now();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const source = readFileSync(join(root, 'examples/hello/hello.ctp'), 'utf8');
  const manifest = source.replace(/^logs = \[[\s\S]*?^\]/m, HELLO_LOGS);
  if (manifest === source) throw new Error('examples/hello/hello.ctp: no logs = [...] block found');
  writeFileSync(join(work, 'hello.ctp'), manifest);
  cpSync(join(root, 'examples/hello/hello.lock.json'), join(work, 'hello.lock.json'));
  for (const log of ['log-a', 'log-b']) {
    cli(['log', 'init', '--dir', `logs/${log}`, '--origin', log, '--no-passphrase'], 'log init');
  }
  for (const id of ['maintainer-1', 'maintainer-2']) {
    cli(['keygen', '--id', id, '--no-passphrase'], 'keygen');
  }
  cli(['trust', 'init', '--manifest', 'hello.ctp', '--dev'], 'trust init --dev');
  say('preparing: building hello (and the debian base the first time, ~40 s) ...');
  const keys = ['maintainer-1', 'maintainer-2'].flatMap((id) => [
    '--key',
    join(vcRoot, `keys/${id}.key`),
  ]);
  const built = cli(['build', 'hello.ctp', '--json', ...keys], 'build hello.ctp');
  const doc = JSON.parse(built.stdout);
  if (doc.status !== 'published') throw new Error(`build: status ${doc.status}, not published`);
  return { reused: false, ms: performance.now() - started };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const results = { loadBefore: loadavg()[0] };
try {
  results.prepare = prepare();
  const audit = join(scratch, 'audit.jsonl');
  const verifyArgs = ['verify', '--bundle', bundle, '--trust-store', trustStore];
  // One checked run of each form first: the figures are only worth having for an ALLOW.
  const once = cli([...verifyArgs, '--no-cache', '--audit-log', audit], 'verify --bundle');
  const decision = JSON.parse(once.stdout);
  if (decision.decision !== 'ALLOW') throw new Error(`verify: ${once.stdout}`);
  results.logEntriesVerified = decision.logEntriesVerified;
  // The store-image form (04 §8), when this CLI has it: `verify <name:tag>` against $VC_ROOT.
  const image = spawnSync(
    process.execPath,
    [
      bin,
      'verify',
      'hello:1.0.0',
      '--trust-store',
      trustStore,
      '--no-cache',
      '--json',
      '--audit-log',
      audit,
    ],
    { cwd: work, env, encoding: 'utf8' },
  );
  const imageForm = image.status === 0 && /^\{"decision":"ALLOW"/.test(image.stdout);
  results.imageForm = imageForm
    ? 'measured'
    : `not available (exit ${image.status}: ${(image.stderr.trim().split('\n')[0] ?? '').slice(0, 160)})`;

  const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  const node = q(process.execPath);
  const commands = [
    ["node -e ''", `${node} -e ''`],
    [
      'verify --bundle --no-cache',
      `${node} ${q(bin)} ${verifyArgs.map(q).join(' ')} --no-cache --audit-log ${q(audit)}`,
    ],
    [
      'verify --bundle (cached)',
      `${node} ${q(bin)} ${verifyArgs.map(q).join(' ')} --audit-log ${q(audit)}`,
    ],
  ];
  if (imageForm) {
    const imageArgs = `${node} ${q(bin)} verify hello:1.0.0 --trust-store ${q(trustStore)} --audit-log ${q(audit)}`;
    commands.push(['verify hello:1.0.0 --no-cache', `${imageArgs} --no-cache`]);
    commands.push(['verify hello:1.0.0 (cached)', imageArgs]);
  }
  const exported = join(scratch, 'hyperfine.json');
  const hf = spawnSync(
    'hyperfine',
    [
      '--warmup',
      '3',
      '--runs',
      String(RUNS),
      '--style',
      'none',
      '--export-json',
      exported,
      ...commands.flatMap(([name, cmd]) => ['-n', name, cmd]),
    ],
    { cwd: work, env, encoding: 'utf8' },
  );
  if (hf.status !== 0) throw new Error(`hyperfine failed:\n${hf.stderr}`);
  results.process = JSON.parse(readFileSync(exported, 'utf8')).results.map((r) => ({
    name: r.command,
    medianMs: r.median * 1000,
    meanMs: r.mean * 1000,
    stddevMs: r.stddev * 1000,
  }));

  // In process: the pure algorithm over the same bytes, after a warm-up.
  const { verifyBundle } = await import(join(root, 'packages/shared/dist/verify/index.js'));
  const input = {
    bundleBytes: new Uint8Array(readFileSync(bundle)),
    trustStoreBytes: new Uint8Array(readFileSync(trustStore)),
    now: new Date(),
    mode: 'strict',
  };
  const first = verifyBundle(input);
  if (first.decision !== 'ALLOW')
    throw new Error(`verifyBundle: ${first.decision} ${first.errorCode}`);
  for (let i = 0; i < 50; i++) verifyBundle(input);
  const times = [];
  for (let i = 0; i < 1000; i++) {
    const t = performance.now();
    verifyBundle(input);
    times.push(performance.now() - t);
  }
  results.inProcess = {
    runs: 1000,
    medianMs: median(times),
    minMs: Math.min(...times),
    bundleBytes: input.bundleBytes.byteLength,
  };
} finally {
  rmSync(scratch, { recursive: true, force: true });
  if (kept === undefined) rmSync(base, { recursive: true, force: true });
}
results.loadAfter = loadavg()[0];

const floor = results.process[0].medianMs;
const f = (x) => x.toFixed(1);
const rows = [
  ...results.process.map((r) => [
    r.name,
    f(r.medianMs),
    r === results.process[0] ? '' : `+${f(r.medianMs - floor)}`,
    r === results.process[0] ? '1.0x' : `${(r.medianMs / floor).toFixed(1)}x`,
  ]),
  ['verifyBundle in process (1000 runs)', f(results.inProcess.medianMs), '', ''],
];
const table = [
  `| form | median ms | over node -e '' ms | ratio |`,
  `|---|---:|---:|---:|`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
say(table);
say(
  `\nhello bundle (${(results.inProcess.bundleBytes / 1e6).toFixed(2)} MB), 2-of-3 signatures, ${results.logEntriesVerified} log entries in 2 file: logs; ${RUNS} runs per command after 3 warm-ups; ` +
    `verify hello:1.0.0: ${results.imageForm}; load ${results.loadBefore.toFixed(2)} → ${results.loadAfter.toFixed(2)}` +
    (results.prepare.reused
      ? ' (prepared store reused)'
      : `; prepared in ${f(results.prepare.ms / 1000)} s`),
);
if (MD !== undefined) {
  writeFileSync(
    MD,
    `# verify benchmark (bench/verify.bench.js)\n\n${table}\n\n- ${new Date().toISOString()}, node ${process.version}, ${RUNS} hyperfine runs per command (3 warm-ups).\n- verify hello:1.0.0 (store-image form): ${results.imageForm}.\n- load average ${results.loadBefore.toFixed(2)} at the start, ${results.loadAfter.toFixed(2)} at the end.\n`,
  );
}
console.log(JSON.stringify({ bench: 'verify', ...results }));
