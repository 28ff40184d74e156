// SPDX-License-Identifier: Apache-2.0
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support.js';
import { crashTestLog } from '../tlog-crash.js';
import { BIN, hasBuiltCli } from '../tlog-server.js';

/** mulberry32: a seeded generator, so a failing run can be replayed with CT_TLOG_CRASH_SEED. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const total = Number(process.env['CT_TLOG_CRASH_N'] ?? 10_000);
// Another build of the CLI to crash-test (e.g. a deliberately broken copy, to see the test fail).
const bin = process.env['CT_TLOG_CRASH_BIN'] || BIN;
const seed = Number(process.env['CT_TLOG_CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

describe.skipIf(!hasBuiltCli)('transparency log crash safety (03 §8)', () => {
  it(`loses no acknowledged entry over ${total} appends with kill -9 at random moments (CT_TLOG_CRASH_N, CT_TLOG_CRASH_SEED=${seed})`, async () => {
    using tmp = tempDir('ct-tlog-crash-');
    const dir = join(tmp.path, 'crash-log');
    const init = spawnSync(process.execPath, [BIN, 'log', 'init', '--dir', dir, '--no-passphrase']);
    expect(init.status, init.stderr.toString()).toBe(0);
    const report = await crashTestLog(dir, { total, random: seeded(seed), bin });
    console.log(`tlog crash test (seed ${seed}): ${JSON.stringify(report)}`);
    expect(report.acknowledged).toBe(total);
    expect(report.kills).toBeGreaterThanOrEqual(Math.floor(total / 200));
    expect(report.entriesRead).toBeGreaterThanOrEqual(total);
    // Each kill in the middle of a head write may leave one temp file; start-up removes them.
    expect(report.leftoverTempFiles).toBe(0);
  });
});
