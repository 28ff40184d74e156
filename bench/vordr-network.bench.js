// SPDX-License-Identifier: Apache-2.0
// The network part of a container start (issue 6): start-to-exit of `vordr run --rm <tiny image>
// /bin/true` with (a) `--network none`, (b) the default network (bridge + veth + netns +
// /etc/hosts) and (c) the default network plus rules (`-p 127.0.0.1::8080 --egress-allow
// 10.255.255.1:443`: a published port and an egress rule in nftables), against (d) `podman run --rm
// --pull=never` of the same image with podman's default network (netavark bridge) and, as podman's
// own floor, (e) the same with `--network none`.
//   The image is prepared once through the real CLIs like vordr.bench.js (bench/vordr-image.js;
//   VC_BENCH_STORE=<dir> keeps and reuses it). Every form runs once, checked, before timing; the
//   commands then interleave in hyperfine rounds so that all of them see the same load. Medians,
//   hyperfine's CPU time (user + system), the network's cost over `--network none` for each tool and
//   the ratios vordr/podman. The load average at the start and the end is part of the output.
//   Cleaned up in `finally`: vordr's containers and networks (`vordr network rm`), the podman image,
//   mounts and temporary directories; the host's veths, bridges, named netns and vordr's tagged nft
//   rules are counted before and after (a difference is printed as a note).
// Needs root, hyperfine, runc, conmon, ip, nft and a static busybox; podman is skipped with a note
// when it cannot run. No timing assertions.
// Run after `pnpm build`: node bench/vordr-network.bench.js [--runs N] [--json] [--md <file>]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error('usage: node bench/vordr-network.bench.js [--runs N] [--json] [--md <file>]');
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
  !works('ip', ['-V']) && 'ip (iproute2)',
  !works('nft', ['--version']) && 'nft',
  busybox === undefined && 'a static busybox (busybox-static)',
  !(existsSync(builderBin) && existsSync(vordrBin)) && '`pnpm build`',
].filter(Boolean);
if (missing.length > 0) {
  console.log(`vordr-network.bench.js: skipped (needs ${missing.join(', ')})`);
  process.exit(0);
}

const kept = process.env.VC_BENCH_STORE;
const base = kept ?? mkdtempSync(join(tmpdir(), 'vordr-bench-'));
const work = join(base, 'vordr-true');
const store = join(work, 'store');
const scratch = mkdtempSync(join(tmpdir(), 'vordr-netbench-'));
const env = { ...process.env, VC_ROOT: store, VC_LOG_LEVEL: 'warn', NO_COLOR: '1' };
const podmanEnv = { ...env, CONTAINERS_CONF: join(scratch, 'containers.conf') };
const podmanImage = `localhost/vordr-netbench-true:${process.pid}`;

const exec = makeExec({ cwd: work, env });
const vordr = (argv, what) =>
  exec(process.execPath, [vordrBin, '--root', store, ...argv], what ?? `vordr ${argv[0]}`);

/** The vordr forms: name and the arguments of `vordr run --rm` before the image. */
const FORMS = [
  ['(a) vordr --network none', ['--network', 'none']],
  ['(b) vordr default network', []],
  [
    '(c) vordr network + -p + egress',
    ['-p', '127.0.0.1::8080', '--egress-allow', '10.255.255.1:443'],
  ],
];
const PODMAN = '(d) podman default network';
const PODMAN_NONE = '(e) podman --network none';

/** The same image in podman's storage, checked with the default network; else why not. */
function podmanReady() {
  const copied = podmanCopy({ store, podmanImage, podmanEnv });
  if (copied.skipped !== undefined) return copied;
  for (const net of [[], ['--network', 'none']]) {
    const run = spawnSync(
      'podman',
      ['run', '--rm', ...net, '--pull=never', podmanImage, '/bin/true'],
      { env: podmanEnv, encoding: 'utf8' },
    );
    if (run.status !== 0)
      return { skipped: `podman run failed: ${run.stderr.trim().split('\n')[0]}` };
  }
  return copied;
}

/** Host veths, bridges, named netns and vordr's tagged nft rules now: leftovers show as a difference. */
function hostNet() {
  const lines = (cmd, argv) =>
    (spawnSync(cmd, argv, { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean);
  const nftRules = ['inet', 'bridge'].flatMap((family) =>
    lines('nft', ['list', 'table', family, 'vordr']).filter((l) => l.includes('comment "vordr')),
  );
  return {
    veths: lines('ip', ['-o', 'link', 'show', 'type', 'veth']).length,
    bridges: lines('ip', ['-o', 'link', 'show', 'type', 'bridge']).length,
    netns: lines('ip', ['netns', 'list']).length,
    nftRules: nftRules.length,
  };
}

/** hyperfine in ROUNDS rounds of RUNS/ROUNDS runs each (bench-kit.js). */
const hyperfine = (commands) =>
  hyperfineRounds(commands, {
    runs: RUNS,
    rounds: ROUNDS,
    firstWarmup: 2,
    scratch,
    cwd: work,
    env: podmanEnv,
  });

/** Every container, network, podman image, mount and directory this run made is gone afterwards. */
function cleanUp() {
  const run = (argv) =>
    spawnSync(process.execPath, [vordrBin, '--root', store, ...argv], { env, encoding: 'utf8' });
  for (const id of (run(['ps', '-a', '-q', '--no-trunc']).stdout ?? '').split('\n')) {
    if (id !== '') run(['rm', '-f', id]);
  }
  const listed = run(['network', 'ls', '-q']);
  if (listed.status !== 0) results.notes.push(`vordr network ls: ${listed.stderr.trim()}`);
  const networks = (listed.stdout ?? '').split('\n').filter(Boolean);
  for (const name of networks) {
    const rm = run(['network', 'rm', name]);
    if (rm.status !== 0) results.notes.push(`vordr network rm ${name}: ${rm.stderr.trim()}`);
  }
  if (works('podman')) {
    spawnSync('podman', ['rmi', '--force', podmanImage], { env: podmanEnv });
  }
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${scratch}/`) || m.startsWith(`${store}/`));
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  rmSync(scratch, { recursive: true, force: true });
  if (kept === undefined) rmSync(base, { recursive: true, force: true });
}

const results = {
  runs: RUNS,
  rounds: ROUNDS,
  loadBefore: loadavg()[0],
  hostBefore: hostNet(),
  notes: [],
};
try {
  results.prepare = prepareImage({ work, store, busybox, exec });
  // One checked run of each vordr form first: the figures are only worth having for clean runs.
  for (const [name, flags] of FORMS) {
    const once = vordr(['run', '--rm', ...flags, IMAGE, '/bin/true'], `vordr run --rm ${name}`);
    if (!once.stderr.includes('Container signature valid')) {
      throw new Error(`${name}: no verification line in\n${once.stderr}`);
    }
  }
  if (vordr(['ps', '-a', '-q']).stdout.trim() !== '') throw new Error('run --rm left a container');
  const podman = podmanReady();
  results.podman = podman.skipped === undefined ? podman.version : `skipped: ${podman.skipped}`;
  if (podman.skipped !== undefined) results.notes.push(`podman skipped: ${podman.skipped}`);

  const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  const v = `${q(process.execPath)} ${q(vordrBin)} --root ${q(store)}`;
  const commands = FORMS.map(([name, flags]) => [
    name,
    `${v} run --rm ${flags.join(' ')} ${IMAGE} /bin/true`.replace(/ {2,}/g, ' '),
  ]);
  if (podman.skipped === undefined) {
    commands.push(
      [PODMAN, `podman run --rm --pull=never ${podmanImage} /bin/true`],
      [PODMAN_NONE, `podman run --rm --network none --pull=never ${podmanImage} /bin/true`],
    );
  }
  results.process = hyperfine(commands);
  const at = (name) => results.process.find((r) => r.name === name)?.medianMs;
  const [a, b, c] = FORMS.map(([name]) => at(name));
  results.ratios = {
    defaultOverNone: b / a,
    rulesOverNone: c / a,
    networkCostMs: b - a,
    rulesCostMs: c - b,
    ...(podman.skipped === undefined
      ? {
          noneOverPodmanNone: a / at(PODMAN_NONE),
          defaultOverPodman: b / at(PODMAN),
          rulesOverPodman: c / at(PODMAN),
          podmanNetworkCostMs: at(PODMAN) - at(PODMAN_NONE),
        }
      : {}),
  };
} finally {
  cleanUp();
}
results.loadAfter = loadavg()[0];
results.hostAfter = hostNet();
for (const key of Object.keys(results.hostBefore)) {
  if (results.hostAfter[key] !== results.hostBefore[key]) {
    results.notes.push(
      `${key} on the host: ${results.hostBefore[key]} before, ${results.hostAfter[key]} after ` +
        '(other processes on the machine may have made or removed some)',
    );
  }
}

const f = (x) => x.toFixed(1);
const noneMs = results.process[0].medianMs;
const table = [
  '| command | median ms | min ms | × (a) | CPU ms |',
  '|---|---:|---:|---:|---:|',
  ...results.process.map(
    (r) =>
      `| ${r.name} | ${f(r.medianMs)} | ${f(r.minMs)} | ${(r.medianMs / noneMs).toFixed(2)}x | ${f(r.cpuMs)} |`,
  ),
].join('\n');
const r = results.ratios;
const ratioLines = [
  `vordr: default network ${r.defaultOverNone.toFixed(2)}x of --network none (+${f(r.networkCostMs)} ms), ` +
    `with -p and egress ${r.rulesOverNone.toFixed(2)}x (+${f(r.rulesCostMs)} ms over the default network)`,
  r.defaultOverPodman === undefined
    ? `podman ${results.podman}`
    : `vordr/podman (default networks) ${r.defaultOverPodman.toFixed(2)}x, with -p and egress ` +
      `${r.rulesOverPodman.toFixed(2)}x, --network none ${r.noneOverPodmanNone.toFixed(2)}x; ` +
      `podman's network costs +${f(r.podmanNetworkCostMs)} ms (${results.podman})`,
];
const loadLine =
  `${results.process[0].runs} runs per command in ${ROUNDS} hyperfine rounds; load ${results.loadBefore.toFixed(2)} → ${results.loadAfter.toFixed(2)}` +
  (results.prepare.reused
    ? ' (prepared store reused)'
    : `; prepared in ${f(results.prepare.ms / 1000)} s`);
say(table);
say('');
for (const line of ratioLines) say(line);
say(loadLine);
for (const n of results.notes) say(`! ${n}`);
if (MD !== undefined) {
  writeFileSync(
    MD,
    `# vordr network start benchmark (bench/vordr-network.bench.js)\n\n${table}\n\n- ${ratioLines.join('\n- ')}\n` +
      `- ${new Date().toISOString()}, node ${process.version}, ${loadLine}.\n` +
      results.notes.map((n) => `- ${n}\n`).join(''),
  );
}
console.log(JSON.stringify({ bench: 'vordr-network', ...results }));
