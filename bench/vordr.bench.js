// SPDX-License-Identifier: Apache-2.0
// `vordr run --rm <tiny image> /bin/true` (issue 5) against `runc run` on the same rootfs and
// `podman run --rm --network none` of the same image, plus the memory vordr leaves per container.
//   Prepared once through the real CLIs: a scratch image holding the host's static busybox (copied
//   in from the manifest's context, `/bin/true` and `/bin/sleep` symlinks to it), signed 2-of-3
//   (m1, m2, bot from keygen and `trust init --dev`) and published to two file: logs.
//   VC_BENCH_STORE=<dir> keeps and reuses that preparation.
//   Timed with hyperfine, in rounds so that every command sees the same load: `node -e ''`,
//   `vordr version` and `vordr run --help` (floors: node, and node with the run command loaded),
//   `vordr verify` (verification alone), `vordr run --rm` with the decision cache and with
//   `--no-cache`, `runc run` of the `umoci unpack`ed image (umoci's default spec with
//   terminal false, /bin/true; a new network namespace like --network none) and podman (skipped
//   with a note when it cannot run). Ratios of medians vordr/runc and vordr/podman; goals ≤ 1.5x
//   runc and faster than podman. Besides wall time, the CPU time (user + system, hyperfine's mean)
//   of each command: it moves less than wall time when the machine is busy.
//   Memory: `vordr run -d … /bin/sleep 300`, then the summed VmRSS of every process vordr leaves
//   for it outside the container (conmon and its non-container children, any vordr process of the
//   store such as the supervisor); the container init's own RSS is shown apart. Goal < 5 MB.
// Needs root, hyperfine, runc, conmon, umoci and a static busybox; skips with a message otherwise.
//   --compare <bin.js>: also times `vordr run --rm` of another build (e.g. a checkout of main,
//   built) on the same store, in the same rounds: the row "vordr run --rm (compare)".
// No timing assertions. Run after `pnpm build`:
//   node bench/vordr.bench.js [--runs N] [--json] [--md <file>] [--compare <bin.js>]
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  IMAGE,
  builderBin,
  podmanCopy,
  prepareImage,
  staticBusybox,
  vordrBin,
} from './vordr-image.js';
import { hyperfineRounds, makeExec } from './bench-kit.js';

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const RUNS = Number(option('--runs') ?? 30);

const JSON_ONLY = args.includes('--json');
const MD = option('--md');
const COMPARE = option('--compare');
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(
    'usage: node bench/vordr.bench.js [--runs N] [--json] [--md <file>] [--compare <bin.js>]',
  );
  process.exit(2);
}
/** hyperfine rounds: the commands interleave round by round. */
const ROUNDS = Math.min(3, RUNS);
const say = (line) => {
  if (!JSON_ONLY) console.log(line);
};
const works = (cmd, argv = ['--version']) => spawnSync(cmd, argv).status === 0;

const busybox = staticBusybox();
const missing = [
  process.getuid?.() !== 0 && 'root',
  !works('hyperfine') && 'hyperfine',
  !works('runc') && 'runc',
  !works('conmon') && 'conmon',
  !works('umoci') && 'umoci',
  busybox === undefined && 'a static busybox (busybox-static)',
  !(existsSync(builderBin) && existsSync(vordrBin)) && '`pnpm build`',
].filter(Boolean);
if (missing.length > 0) {
  console.log(`vordr.bench.js: skipped (needs ${missing.join(', ')})`);
  process.exit(0);
}

const kept = process.env.VC_BENCH_STORE;
const base = kept ?? mkdtempSync(join(tmpdir(), 'vordr-bench-'));
const work = join(base, 'vordr-true');
const store = join(work, 'store');
const scratch = mkdtempSync(join(tmpdir(), 'vordr-bench-run-'));
const env = { ...process.env, VC_ROOT: store, VC_LOG_LEVEL: 'warn', NO_COLOR: '1' };
const podmanEnv = { ...env, CONTAINERS_CONF: join(scratch, 'containers.conf') };
const podmanImage = `localhost/vordr-bench-true:${process.pid}`;
const runcRoot = join(scratch, 'runc');

const exec = makeExec({ cwd: work, env });
const vordr = (argv, what) =>
  exec(process.execPath, [vordrBin, '--root', store, ...argv], what ?? `vordr ${argv[0]}`);

/** The signed image in `store` (bench/vordr-image.js). */
const prepare = () => prepareImage({ work, store, busybox, exec });

/** The store image unpacked by umoci into a runc bundle: umoci's spec, not a terminal, /bin/true. */
function runcBundle() {
  const bundle = join(scratch, 'bundle');
  exec('umoci', ['unpack', '--image', `${join(store, 'images')}:${IMAGE}`, bundle], 'umoci unpack');
  const configPath = join(bundle, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  config.process.terminal = false;
  config.process.args = ['/bin/true'];
  config.root.path = join(bundle, 'rootfs'); // absolute (environment.md §3)
  writeFileSync(configPath, JSON.stringify(config));
  const namespaces = config.linux.namespaces.map((n) => n.type);
  if (!namespaces.includes('network')) throw new Error('umoci spec: no network namespace');
  // `runc run` (foreground) destroys the container when it exits; the delete only runs when its
  // state directory is left behind, so that the figure is runc's own.
  const wrapper = join(scratch, 'runc-true.sh');
  writeFileSync(
    wrapper,
    `#!/bin/bash
id="vbench-$$-$RANDOM"
runc --root '${runcRoot}' run --bundle '${bundle}' "$id" </dev/null
rc=$?
[ -d '${runcRoot}'/"$id" ] && runc --root '${runcRoot}' delete --force "$id"
exit $rc
`,
  );
  chmodSync(wrapper, 0o755);
  exec(wrapper, [], 'runc run (checked once)');
  return { wrapper, namespaces };
}

/** The same image in podman's containers-storage, when podman runs here; else why not. */
function podmanReady() {
  const copied = podmanCopy({ store, podmanImage, podmanEnv });
  if (copied.skipped !== undefined) return copied;
  const run = spawnSync(
    'podman',
    ['run', '--rm', '--network', 'none', '--pull=never', podmanImage, '/bin/true'],
    { env: podmanEnv, encoding: 'utf8' },
  );
  if (run.status !== 0)
    return { skipped: `podman run failed: ${run.stderr.trim().split('\n')[0]}` };
  return copied;
}

/** hyperfine in ROUNDS rounds of RUNS/ROUNDS runs each (bench-kit.js). */
const hyperfine = (commands) =>
  hyperfineRounds(commands, {
    runs: RUNS,
    rounds: ROUNDS,
    firstWarmup: 3,
    scratch,
    cwd: work,
    env: podmanEnv,
  });

/** pid → {ppid, rssKb, pssKb, cmdline} for every process readable now. */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
      const rollup = existsSync(`/proc/${entry}/smaps_rollup`)
        ? readFileSync(`/proc/${entry}/smaps_rollup`, 'utf8')
        : '';
      table.set(Number(entry), {
        ppid: field('PPid'),
        rssKb: field('VmRSS'),
        pssKb: Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0),
        cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim(),
      });
    } catch {
      // the process left while the table was read
    }
  }
  return table;
}

function subtree(table, top) {
  const out = new Set([top]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, p] of table) {
      if (!out.has(pid) && out.has(p.ppid)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  return out;
}

/**
 * A detached `sleep 300`: the processes vordr leaves for it outside the container (conmon and its
 * children that are not the container, vordr processes of this store) and the container's own.
 */
function measureMemory() {
  const name = `vbench-mem-${process.pid}`;
  const id = vordr(
    ['run', '-d', '--name', name, '--network', 'none', IMAGE, '/bin/sleep', '300'],
    'vordr run -d',
  ).stdout.trim();
  try {
    const [record] = JSON.parse(vordr(['inspect', id]).stdout);
    if (record.state !== 'running') throw new Error(`container ${id} is ${record.state}`);
    const table = processTable();
    const container = subtree(table, record.pid);
    const left = new Set(
      [...subtree(table, record.conmonPid)].filter((pid) => !container.has(pid)),
    );
    // Anything else vordr keeps running for this store (e.g. `vordr internal supervise`).
    for (const [pid, p] of table) {
      if (pid !== process.pid && p.cmdline.includes(vordrBin) && p.cmdline.includes(store)) {
        for (const q of subtree(table, pid)) if (!container.has(q)) left.add(q);
      }
    }
    const describe = (pid) => {
      const p = table.get(pid);
      return { pid, rssKb: p.rssKb, pssKb: p.pssKb, command: p.cmdline.split(' ')[0] };
    };
    const vordrLeft = [...left].filter((pid) => table.has(pid)).map(describe);
    const inside = [...container].filter((pid) => table.has(pid)).map(describe);
    return {
      rootfsMode: record.rootfsMode,
      processes: vordrLeft,
      rssKb: vordrLeft.reduce((n, p) => n + p.rssKb, 0),
      pssKb: vordrLeft.reduce((n, p) => n + p.pssKb, 0),
      container: inside,
      containerRssKb: inside.reduce((n, p) => n + p.rssKb, 0),
      goalKb: 5 * 1024,
    };
  } finally {
    vordr(['rm', '-f', id], 'vordr rm -f');
  }
}

/** Every container, runc state, podman image and mount this run made is gone afterwards. */
function cleanUp() {
  const ids = spawnSync(
    process.execPath,
    [vordrBin, '--root', store, 'ps', '-a', '-q', '--no-trunc'],
    {
      env,
      encoding: 'utf8',
    },
  );
  for (const id of (ids.stdout ?? '').split('\n').filter(Boolean)) {
    spawnSync(process.execPath, [vordrBin, '--root', store, 'rm', '-f', id], { env });
  }
  if (existsSync(runcRoot)) {
    for (const id of readdirSync(runcRoot)) {
      spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
    }
  }
  if (works('podman')) spawnSync('podman', ['rmi', '--force', podmanImage], { env: podmanEnv });
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${scratch}/`) || m.startsWith(`${store}/`));
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  rmSync(scratch, { recursive: true, force: true });
  if (kept === undefined) rmSync(base, { recursive: true, force: true });
}

const results = { runs: RUNS, rounds: ROUNDS, loadBefore: loadavg()[0], notes: [] };
try {
  results.prepare = prepare();
  // One checked run of each vordr form first: the figures are only worth having for a clean run.
  const once = vordr(['run', '--rm', '--network', 'none', IMAGE, '/bin/true'], 'vordr run --rm');
  if (!once.stderr.includes('Container signature valid')) {
    throw new Error(`vordr run --rm: no verification line in\n${once.stderr}`);
  }
  vordr(
    ['run', '--rm', '--no-cache', '--network', 'none', IMAGE, '/bin/true'],
    'vordr run --no-cache',
  );
  if (vordr(['ps', '-a', '-q']).stdout.trim() !== '') throw new Error('run --rm left a container');
  vordr(['verify', IMAGE, '--no-cache'], 'vordr verify');
  const runc = runcBundle();
  const podman = podmanReady();
  results.podman = podman.skipped === undefined ? podman.version : `skipped: ${podman.skipped}`;
  if (podman.skipped !== undefined) results.notes.push(`podman skipped: ${podman.skipped}`);

  const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  const v = `${q(process.execPath)} ${q(vordrBin)} --root ${q(store)}`;
  const commands = [
    ["node -e ''", `${q(process.execPath)} -e ''`],
    ['vordr version', `${v} version`],
    ['vordr run --help', `${v} run --help`],
    ['vordr verify (cached)', `${v} verify ${IMAGE}`],
    ['vordr verify --no-cache', `${v} verify ${IMAGE} --no-cache`],
    ['runc run', q(runc.wrapper)],
    ['vordr run --rm', `${v} run --rm --network none ${IMAGE} /bin/true`],
    ['vordr run --rm --no-cache', `${v} run --rm --no-cache --network none ${IMAGE} /bin/true`],
  ];
  if (COMPARE !== undefined) {
    const other = `${q(process.execPath)} ${q(COMPARE)} --root ${q(store)}`;
    exec(
      process.execPath,
      [COMPARE, '--root', store, 'run', '--rm', '--network', 'none', IMAGE, '/bin/true'],
      'vordr run --rm (compare)',
    );
    commands.push([
      'vordr run --rm (compare)',
      `${other} run --rm --network none ${IMAGE} /bin/true`,
    ]);
  }
  if (podman.skipped === undefined) {
    commands.push([
      'podman run --rm',
      `podman run --rm --network none --pull=never ${podmanImage} /bin/true`,
    ]);
  }
  results.process = hyperfine(commands);
  const at = (name) => results.process.find((r) => r.name === name)?.medianMs;
  results.ratios = {
    vordrOverRunc: at('vordr run --rm') / at('runc run'),
    vordrNoCacheOverRunc: at('vordr run --rm --no-cache') / at('runc run'),
    ...(podman.skipped === undefined
      ? {
          vordrOverPodman: at('vordr run --rm') / at('podman run --rm'),
          vordrNoCacheOverPodman: at('vordr run --rm --no-cache') / at('podman run --rm'),
        }
      : {}),
    goalOverRunc: 1.5,
  };
  results.memory = measureMemory();
} finally {
  cleanUp();
}
results.loadAfter = loadavg()[0];

const f = (x) => x.toFixed(1);
const runcMs = results.process.find((r) => r.name === 'runc run').medianMs;
const table = [
  '| command | median ms | min ms | × runc | CPU ms |',
  '|---|---:|---:|---:|---:|',
  ...results.process.map(
    (r) =>
      `| ${r.name} | ${f(r.medianMs)} | ${f(r.minMs)} | ${(r.medianMs / runcMs).toFixed(2)}x | ${f(r.cpuMs)} |`,
  ),
].join('\n');
const m = results.memory;
const kb = (x) => `${(x / 1024).toFixed(2)} MB`;
const memoryLines = [
  `memory left by vordr per container (${m.processes.map((p) => `${p.command} ${p.rssKb} kB`).join(', ')}): ` +
    `RSS ${kb(m.rssKb)} (PSS ${kb(m.pssKb)}), goal < ${kb(m.goalKb)}; container's own processes ` +
    `(${m.container.map((p) => p.command).join(', ')}): RSS ${kb(m.containerRssKb)}; rootfs ${m.rootfsMode}`,
];
const r = results.ratios;
const ratioLine =
  `vordr/runc ${r.vordrOverRunc.toFixed(2)}x (--no-cache ${r.vordrNoCacheOverRunc.toFixed(2)}x; goal ≤ ${r.goalOverRunc}x)` +
  (r.vordrOverPodman === undefined
    ? `; podman ${results.podman}`
    : `; vordr/podman ${r.vordrOverPodman.toFixed(2)}x (--no-cache ${r.vordrNoCacheOverPodman.toFixed(2)}x; goal < 1)`);
say(table);
say(`\n${ratioLine}`);
for (const line of memoryLines) say(line);
say(
  `${results.process[0].runs} runs per command in ${ROUNDS} hyperfine rounds; load ${results.loadBefore.toFixed(2)} → ${results.loadAfter.toFixed(2)}` +
    (results.prepare.reused
      ? ' (prepared store reused)'
      : `; prepared in ${f(results.prepare.ms / 1000)} s`),
);
for (const n of results.notes) say(`! ${n}`);
if (MD !== undefined) {
  writeFileSync(
    MD,
    `# vordr benchmark (bench/vordr.bench.js)\n\n${table}\n\n- ${ratioLine}\n- ${memoryLines.join('\n- ')}\n` +
      `- ${new Date().toISOString()}, node ${process.version}, ${results.process[0].runs} runs per command in ${ROUNDS} hyperfine rounds; ` +
      `load average ${results.loadBefore.toFixed(2)} at the start, ${results.loadAfter.toFixed(2)} at the end.\n`,
  );
}
console.log(JSON.stringify({ bench: 'vordr', ...results }));
