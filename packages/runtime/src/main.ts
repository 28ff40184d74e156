// SPDX-License-Identifier: Apache-2.0
// The vordr program. bin.ts starts it: from the single-file build (dist/vordr.cjs) when there is
// one, else this module.
import './cli/schema-jit.js';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { systemClock, type Logger } from '@verified-container/shared';
import type * as Pino from 'pino';
import { runCli, type ForwardedSignal } from './cli.js';
import { EXIT_VORDR_ERROR } from './cli/exit.js';
import { lazyPinoLogger } from '@verified-container/host/lazy-logger';

const logger = lazyPinoLogger(process.env['VC_LOG_LEVEL'] ?? 'warn', { tool: 'vordr' });

const FORWARDED: readonly ForwardedSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function onSignal(handler: (signal: ForwardedSignal) => void): () => void {
  const listeners = FORWARDED.map((name) => {
    const listener = (): void => handler(name);
    process.on(name, listener);
    return [name, listener] as const;
  });
  return () => {
    for (const [name, listener] of listeners) process.off(name, listener);
  };
}

async function main(): Promise<number> {
  const result = await runCli(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    uid: process.getuid?.() ?? 1000,
    homeDir: homedir(),
    clock: systemClock,
    logger,
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: only `exec -i` touches stdin (reading it would keep other commands waiting).
    get stdin() {
      return process.stdin;
    },
    onSignal,
    // dist/bin.js, beside this module (the bundle keeps each module's import.meta.url).
    selfCommand: [process.execPath, fileURLToPath(new URL('bin.js', import.meta.url))],
    exitHookCommand: [process.execPath, fileURLToPath(new URL('exit-hook.js', import.meta.url))],
    daemonLogger: () => Promise.resolve(daemonLogger()),
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
    process.exitCode = EXIT_VORDR_ERROR;
  },
);

/** `vordr daemon`'s logger: JSON lines on stdout, written synchronously (00 §6; default `info`). */
function daemonLogger(): Logger {
  // pino is CommonJS: require, as the lazy logger does (the bundle keeps it external).
  const { pino } = createRequire(import.meta.url)('pino') as typeof Pino;
  const level = process.env['VC_LOG_LEVEL'] ?? 'info';
  return pino({ level, base: { tool: 'vordr-daemon' } }, pino.destination({ fd: 1, sync: true }));
}
