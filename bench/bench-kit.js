// SPDX-License-Identifier: Apache-2.0
// What the vordr benchmarks share: the median, a checked spawn, and hyperfine in rounds. Not a
// `*.bench.js`, so run.js does not run it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A spawn in `cwd` with `env` that throws, naming `what`, unless the command exits 0. */
export function makeExec({ cwd, env }) {
  return (cmd, argv, what, opts = {}) => {
    const r = spawnSync(cmd, argv, { cwd, env, encoding: 'utf8', timeout: 120_000, ...opts });
    if (r.status !== 0) {
      throw new Error(`${what} failed (${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`);
    }
    return r;
  };
}

/**
 * hyperfine in `rounds` rounds of `runs`/`rounds` runs each (`firstWarmup` warm-ups in the first
 * round, 1 after); every command's times over all rounds. The CPU time is user + system of the
 * command and its children (hyperfine's mean per round), less sensitive than wall time to a busy
 * machine.
 */
export function hyperfineRounds(commands, { runs, rounds, firstWarmup, scratch, cwd, env }) {
  const times = new Map(commands.map(([name]) => [name, []]));
  const cpu = new Map(commands.map(([name]) => [name, []]));
  const per = Math.ceil(runs / rounds);
  for (let round = 0; round < rounds; round++) {
    const exported = join(scratch, `hyperfine-${round}.json`);
    const hf = spawnSync(
      'hyperfine',
      [
        '--warmup',
        round === 0 ? String(firstWarmup) : '1',
        '--runs',
        String(per),
        '--style',
        'none',
        '--export-json',
        exported,
        ...commands.flatMap(([name, cmd]) => ['-n', name, cmd]),
      ],
      { cwd, env, encoding: 'utf8' },
    );
    if (hf.status !== 0) throw new Error(`hyperfine failed:\n${hf.stderr}`);
    for (const r of JSON.parse(readFileSync(exported, 'utf8')).results) {
      times.get(r.command).push(...r.times.map((t) => t * 1000));
      cpu.get(r.command).push((r.user + r.system) * 1000);
    }
  }
  return commands.map(([name]) => {
    const xs = times.get(name);
    const cpuMs = cpu.get(name).reduce((a, b) => a + b, 0) / rounds;
    return { name, runs: xs.length, medianMs: median(xs), minMs: Math.min(...xs), cpuMs };
  });
}
