#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
import { homedir } from 'node:os';
import { systemClock } from '@verified-container/shared';
import { runCli } from './cli.js';
import { lazyPinoLogger } from '@verified-container/host/lazy-logger';

const logger = lazyPinoLogger(process.env['VC_LOG_LEVEL'] ?? 'warn', { tool: 'cerro-torre' });

async function main(): Promise<number> {
  const result = await runCli(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    uid: process.getuid?.() ?? 1000,
    homeDir: homedir(),
    clock: systemClock,
    logger,
    interactive: process.stdin.isTTY === true,
  });
  if (result.stderr !== undefined && result.stderr !== '') process.stderr.write(result.stderr);
  if (result.stdout !== undefined) {
    await new Promise<void>((done) => process.stdout.write(result.stdout ?? '', () => done()));
  }
  return result.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`Error [INTERNAL]: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
