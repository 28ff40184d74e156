// SPDX-License-Identifier: Apache-2.0
// `cerro-torre build` end to end, as a process (01 §9), against mmdebstrap on the same .deb files.
//   (a) cold build of scratch + busybox + ca-certificates (install = "extract"): a fresh VC_ROOT per run
//       whose .deb cache is prewarmed, the committed-lock case (no resolution, no network); side by side
//       with `mmdebstrap --variant=extract --include=busybox,ca-certificates bookworm <dir>` + `tar | gzip -6`
//       fed the same .deb files from a local `copy://` apt repository. Goal: ratio ≤ 1.5x.
//   (b) warm rebuild of the unchanged manifest in the same VC_ROOT (goal < 1 s).
//   (c) --php: examples/php-aegis-wordpress (built from a copy, so no lock lands in examples/): cold as
//       --no-cache with the base image and .deb files present, and warm; skipped with a message when
//       its build fails.
// Needs root, mmdebstrap, dpkg-deb and the Debian mirror once (prewarm). No timing assertions.
// Run after `pnpm build`: node bench/build.bench.js [--runs N] [--php] [--json] [--keep]
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/builder/dist/bin.js');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const runsArg = args.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error('usage: node bench/build.bench.js [--runs N] [--php] [--json] [--keep]');
  process.exit(2);
}
const JSON_ONLY = flag('--json');
const say = (line) => {
  if (!JSON_ONLY) console.log(line);
};

const MANIFEST = `[package]
name = "bench/busybox-ca"
version = "1.0.0"

[base]
image = "scratch"

[dependencies]
suite = "bookworm"
install = "extract"
packages = ["busybox", "ca-certificates"]

[runtime]
command = ["/bin/busybox", "sh"]
`;

/**
 * Runs a command to completion and times it (wall clock, ms). stderr lines are timestamped so the
 * builder's progress lines (`… : done`) give a per-stage breakdown.
 */
function run(cmd, argv, opts = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(cmd, argv, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const lines = [];
    let partial = '';
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => {
      const at = performance.now() - started;
      const parts = (partial + b.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) lines.push({ at, text });
    });
    child.on('error', (err) =>
      resolve({ code: -1, ms: 0, stdout: '', lines: [{ at: 0, text: String(err) }] }),
    );
    child.on('close', (code) => {
      if (partial !== '') lines.push({ at: performance.now() - started, text: partial });
      resolve({
        code,
        ms: performance.now() - started,
        stdout: Buffer.concat(out).toString('utf8'),
        lines,
      });
    });
  });
}

const builderEnv = (vcRoot) => ({ ...process.env, VC_ROOT: vcRoot, VC_LOG_LEVEL: 'warn' });

/** `cerro-torre build <manifest> --json` in VC_ROOT `vcRoot`; the parsed document and stage times. */
async function build(manifest, vcRoot, out, extra = []) {
  const r = await run(
    process.execPath,
    [bin, 'build', manifest, '--out', out, '--json', ...extra],
    {
      env: builderEnv(vcRoot),
      cwd: join(manifest, '..'),
    },
  );
  let doc;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    doc = undefined;
  }
  // Progress lines end with ": done (…)"; the stage is the first word ("download", "install", "pack", …).
  const stages = {};
  let last = 0;
  for (const { at, text } of r.lines) {
    const m = /^\s+(\w+) .*: done/.exec(text);
    if (m === null) continue;
    stages[m[1]] = (stages[m[1]] ?? 0) + (at - last);
    last = at;
  }
  if (r.code === 0) stages.finish = r.ms - last;
  // --json puts the error document on stdout (01 §9); the human `Error [CODE]: …` line is the fallback.
  const error =
    doc?.error !== undefined
      ? `${doc.error.code}: ${doc.error.message}`
      : (r.lines.find((l) => l.text.startsWith('Error '))?.text ?? r.lines.at(-1)?.text ?? '');
  return { ...r, doc, stages, error };
}

/** A fresh VC_ROOT whose .deb cache holds hardlinks to the prewarmed one (01 §6.4: reused by hash). */
function freshRoot(dir, prewarmed) {
  const debs = join(prewarmed, 'cache/debs/sha256');
  const target = join(dir, 'cache/debs/sha256');
  mkdirSync(target, { recursive: true });
  if (existsSync(debs)) for (const f of readdirSync(debs)) linkSync(join(debs, f), join(target, f));
  return dir;
}

/** A flat apt repository (`Packages` with Filename/Size/SHA256) over exactly the locked .deb files. */
async function localRepo(dir, lock, prewarmed) {
  mkdirSync(dir, { recursive: true });
  const stanzas = [];
  for (const p of lock.packages) {
    const name = `${p.sha256}.deb`;
    linkSync(join(prewarmed, 'cache/debs/sha256', name), join(dir, name));
    const control = await run('dpkg-deb', ['-f', join(dir, name)]);
    if (control.code !== 0) throw new Error(`dpkg-deb -f ${name} failed`);
    stanzas.push(
      `${control.stdout.trimEnd()}\nFilename: ./${name}\nSize: ${statSync(join(dir, name)).size}\nSHA256: ${p.sha256}\n`,
    );
  }
  writeFileSync(join(dir, 'Packages'), `${stanzas.join('\n')}\n`);
}

/** mmdebstrap into a directory, then the directory into a gzip'd tar: the two timed separately. */
async function mmdebstrapRun(repo, dir, tarball) {
  rmSync(dir, { recursive: true, force: true });
  const env = { ...process.env, SOURCE_DATE_EPOCH: '0' };
  const mm = await run(
    'mmdebstrap',
    [
      '-q',
      '--mode=root',
      '--variant=extract',
      '--include=busybox,ca-certificates',
      'bookworm',
      dir,
      `deb [trusted=yes] copy://${repo} ./`,
    ],
    { env },
  );
  if (mm.code !== 0) return { ok: false, error: mm.lines.map((l) => l.text).join('\n') };
  const pack = await run('bash', [
    '-c',
    'set -o pipefail; tar --sort=name --numeric-owner -C "$1" -cf - . | gzip -6 -n > "$2"',
    'pack',
    dir,
    tarball,
  ]);
  if (pack.code !== 0) return { ok: false, error: pack.lines.map((l) => l.text).join('\n') };
  return {
    ok: true,
    mmMs: mm.ms,
    packMs: pack.ms,
    ms: mm.ms + pack.ms,
    size: statSync(tarball).size,
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const stats = (xs) => ({
  medianMs: median(xs),
  meanMs: mean(xs),
  minMs: Math.min(...xs),
  runs: xs.length,
});
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** No bind mounts may be left below `dir` before it is deleted (mmdebstrap hooks can leave some). */
function assertNoMounts(dir) {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`));
  if (mounts.length > 0) throw new Error(`mounts left below ${dir}: ${mounts.join(', ')}`);
}

async function which(tool) {
  return (await run('sh', ['-c', `command -v ${tool}`])).code === 0;
}

async function benchScratch(work, result) {
  const dir = join(work, 'scratch');
  mkdirSync(dir);
  const manifest = join(dir, 'busybox-ca.ctp');
  writeFileSync(manifest, MANIFEST);

  // Prewarm: resolve (writes busybox-ca.lock.json next to the manifest) and download the .deb files.
  const prewarmed = join(work, 'prewarm-root');
  const first = await build(manifest, prewarmed, join(work, 'out-prewarm'));
  if (first.code !== 0) {
    result.skipped.push(`cold/warm: prewarm build failed: ${first.error}`);
    return;
  }
  const lock = JSON.parse(readFileSync(join(dir, 'busybox-ca.lock.json'), 'utf8'));
  result.scratch = {
    packages: lock.packages.length,
    debBytes: lock.packages.reduce((n, p) => n + p.size, 0),
    prewarmMs: first.ms,
  };

  const haveMm = process.getuid?.() === 0 && (await which('mmdebstrap'));
  const repo = join(work, 'repo');
  if (haveMm) await localRepo(repo, lock, prewarmed);
  else result.skipped.push('mmdebstrap side: needs root and mmdebstrap');

  // (a) cold, side by side; the order alternates so neither side always runs on a warmer page cache.
  const ours = [];
  const oursStages = [];
  const theirs = [];
  const sizes = {};
  for (let i = 0; i < RUNS; i++) {
    const runOurs = async () => {
      const vcRoot = freshRoot(join(work, `cold-root-${i}`), prewarmed);
      const r = await build(manifest, vcRoot, join(work, `out-cold-${i}`));
      if (r.code !== 0 || r.doc?.cached !== false)
        throw new Error(`cold build ${i} failed: ${r.error}`);
      ours.push(r.ms);
      oursStages.push(r.stages);
      sizes.ours = r.doc.image.layers.reduce((n, l) => n + l.size, 0);
      rmSync(vcRoot, { recursive: true, force: true });
    };
    const runTheirs = async () => {
      const target = join(work, `mm-${i}`);
      const r = await mmdebstrapRun(repo, target, join(work, `mm-${i}.tar.gz`));
      assertNoMounts(work);
      if (!r.ok) throw new Error(`mmdebstrap run ${i} failed:\n${r.error}`);
      theirs.push(r);
      sizes.mmdebstrap = r.size;
      rmSync(target, { recursive: true, force: true });
    };
    if (i % 2 === 0 || !haveMm) {
      await runOurs();
      if (haveMm) await runTheirs();
    } else {
      await runTheirs();
      await runOurs();
    }
  }
  const stageNames = [...new Set(oursStages.flatMap((s) => Object.keys(s)))];
  result.cold = {
    cerroTorre: stats(ours),
    cerroTorreStagesMedianMs: Object.fromEntries(
      stageNames.map((n) => [n, median(oursStages.map((s) => s[n] ?? 0))]),
    ),
    ...(theirs.length > 0
      ? {
          mmdebstrap: stats(theirs.map((t) => t.ms)),
          mmdebstrapOnlyMedianMs: median(theirs.map((t) => t.mmMs)),
          tarGzipMedianMs: median(theirs.map((t) => t.packMs)),
          ratio: median(ours) / median(theirs.map((t) => t.ms)),
        }
      : {}),
    compressedBytes: sizes,
    goalRatio: 1.5,
  };

  // (b) warm: one cold build, then unchanged rebuilds of the same manifest in the same VC_ROOT.
  const warmRoot = freshRoot(join(work, 'warm-root'), prewarmed);
  const seed = await build(manifest, warmRoot, join(work, 'out-warm'));
  if (seed.code !== 0) throw new Error(`warm seed build failed: ${seed.error}`);
  const warm = [];
  const warmInternal = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await build(manifest, warmRoot, join(work, 'out-warm'));
    if (r.code !== 0) throw new Error(`warm build ${i} failed: ${r.error}`);
    if (r.doc?.cached !== true)
      result.notes.push(`warm build ${i} was not served from the build cache`);
    warm.push(r.ms);
    warmInternal.push(r.doc?.durationMs ?? 0);
  }
  const node = [];
  for (let i = 0; i < RUNS; i++) node.push((await run(process.execPath, ['-e', '0'])).ms);
  result.warm = {
    cerroTorre: stats(warm),
    builderDurationMedianMs: median(warmInternal),
    nodeStartMedianMs: median(node),
    goalMs: 1000,
  };
}

async function benchPhp(work, result) {
  const dir = join(work, 'php');
  cpSync(join(root, 'examples/php-aegis-wordpress'), dir, { recursive: true });
  const manifest = join(dir, 'php-aegis-wordpress.ctp');
  const prewarmed = join(work, 'php-prewarm-root');
  const first = await build(manifest, prewarmed, join(work, 'out-php-prewarm'));
  if (first.code !== 0) {
    result.skipped.push(`--php: the php-aegis-wordpress build fails here: ${first.error}`);
    return;
  }
  // Cold = --no-cache in the prewarmed VC_ROOT: packages and steps again, while the base image stays in
  // the store and the .deb files in the cache (a fresh VC_ROOT would also rebuild the Debian base).
  const cold = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await build(manifest, prewarmed, join(work, 'out-php-prewarm'), ['--no-cache']);
    if (r.code !== 0) throw new Error(`php cold build ${i} failed: ${r.error}`);
    cold.push(r.ms);
  }
  const warm = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await build(manifest, prewarmed, join(work, 'out-php-prewarm'));
    if (r.code !== 0) throw new Error(`php warm build ${i} failed: ${r.error}`);
    warm.push(r.ms);
  }
  result.php = { prewarmMs: first.ms, cold: stats(cold), warm: stats(warm) };
}

function printTable(result) {
  const row = (label, ms, extra = '') =>
    say(`${label.padEnd(58)}${fmt(ms).padStart(9)}${extra === '' ? '' : `  ${extra}`}`);
  say(`build benchmark, ${RUNS} run(s) each, medians (wall clock, whole process)`);
  if (result.scratch !== undefined) {
    say(
      `manifest: scratch + busybox + ca-certificates, install = "extract" (${result.scratch.packages} packages, ${(result.scratch.debBytes / 1e6).toFixed(1)} MB of .deb)`,
    );
  }
  if (result.cold !== undefined) {
    const c = result.cold;
    row('(a) cold: cerro-torre build (fresh VC_ROOT, .deb cache warm)', c.cerroTorre.medianMs);
    const st = Object.entries(c.cerroTorreStagesMedianMs)
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(', ');
    say(`      stages: ${st}`);
    if (c.mmdebstrap !== undefined) {
      row(
        '    mmdebstrap --variant=extract + tar | gzip -6 (copy://)',
        c.mmdebstrap.medianMs,
        `(mmdebstrap ${fmt(c.mmdebstrapOnlyMedianMs)}, tar|gzip ${fmt(c.tarGzipMedianMs)})`,
      );
      say(
        `    ratio cerro-torre / mmdebstrap: ${c.ratio.toFixed(2)}x (goal ≤ ${c.goalRatio}x)  compressed: ${(c.compressedBytes.ours / 1e6).toFixed(1)} MB vs ${(c.compressedBytes.mmdebstrap / 1e6).toFixed(1)} MB`,
      );
    }
  }
  if (result.warm !== undefined) {
    row(
      '(b) warm: unchanged rebuild (build cache)',
      result.warm.cerroTorre.medianMs,
      `(goal < 1 s; durationMs ${fmt(result.warm.builderDurationMedianMs)}, bare node start ${fmt(result.warm.nodeStartMedianMs)})`,
    );
  }
  if (result.php !== undefined) {
    row('(c) php-aegis-wordpress cold (--no-cache, base in store)', result.php.cold.medianMs);
    row('    php-aegis-wordpress warm', result.php.warm.medianMs);
  }
  say(
    `load average (1 min) ${result.loadAverage.start.toFixed(1)} at start, ${result.loadAverage.end.toFixed(1)} at end`,
  );
  for (const s of result.skipped) say(`– skipped: ${s}`);
  for (const n of result.notes) say(`! ${n}`);
}

// The host's load average at the start and end: figures taken on a busy machine are not comparable.
const result = { runs: RUNS, loadAverage: { start: loadavg()[0] }, skipped: [], notes: [] };
if (!existsSync(bin)) {
  console.error(`${bin} is missing: run \`pnpm build\` first`);
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  result.skipped.push('everything: cerro-torre build (runc sandbox) and mmdebstrap need root');
} else {
  const work = mkdtempSync(join(tmpdir(), 'ct-bench-build-'));
  try {
    await benchScratch(work, result);
    if (flag('--php')) await benchPhp(work, result);
  } finally {
    assertNoMounts(work);
    if (flag('--keep')) say(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}
result.loadAverage.end = loadavg()[0];
printTable(result);
console.log(JSON.stringify(result));
