// SPDX-License-Identifier: Apache-2.0
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support.js';
import { runCrashTest } from '../tlog-crash.js';
import { BIN, hasBuiltCli } from '../tlog-server.js';

describe.skipIf(!hasBuiltCli)('transparency log crash safety (issue 4)', () => {
  it('survives kill -9 at random points during 10,000 appends (CT_TLOG_CRASH_N)', async () => {
    using tmp = tempDir('ct-tlog-crash-');
    const dir = join(tmp.path, 'crash-log');
    const init = spawnSync(process.execPath, [BIN, 'log', 'init', '--dir', dir, '--no-passphrase']);
    expect(init.status).toBe(0);
    const total = Number(process.env['CT_TLOG_CRASH_N'] ?? 10_000);
    const kills = await runCrashTest(dir, total, Math.random);
    expect(kills).toBeGreaterThan(total / 100);
  });
});
