// SPDX-License-Identifier: Apache-2.0
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStartTime } from '../store/index.js';
import { exitCommand, lifecycleContext } from './context.js';
import { noopLogger, systemClock } from '@verified-container/shared';

const ID = 'a'.repeat(64);
const ctx = lifecycleContext({
  root: '/store',
  clock: systemClock,
  logger: noopLogger,
  env: {},
  selfCommand: ['/usr/bin/node', '/vordr/bin.js'],
  exitHookCommand: ['/usr/bin/node', '/vordr/exit-hook.js'],
});
const cleanup = [
  '/usr/bin/node',
  '/vordr/exit-hook.js',
  '--root',
  '/store',
  'internal',
  'cleanup',
  ID,
];

/** Runs an exit command with its node invocation replaced by `echo` (prints what would run). */
function runWithEcho(command: readonly string[]): string {
  const echoed = command.map((arg) => (arg === '/usr/bin/node' ? 'echo' : arg));
  const [file, ...args] = echoed;
  const r = spawnSync(file!, args, { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('exitCommand', () => {
  it('is the exit hook with the internal cleanup arguments', () => {
    expect(exitCommand(ctx, ID)).toEqual(cleanup);
  });

  it('falls back to selfCommand, and is absent without either', () => {
    const self = lifecycleContext({
      root: '/store',
      clock: systemClock,
      logger: noopLogger,
      env: {},
      selfCommand: ['/n', '/b.js'],
    });
    expect(exitCommand(self, ID)?.slice(0, 2)).toEqual(['/n', '/b.js']);
    const none = lifecycleContext({ root: '/s', clock: systemClock, logger: noopLogger, env: {} });
    expect(exitCommand(none, ID)).toBeUndefined();
  });

  it('with a live attached process, the sh prelude ends without running the hook', () => {
    const startTime = parseStartTime(readFileSync(`/proc/${process.pid}/stat`, 'utf8'));
    const command = exitCommand(ctx, ID, { pid: process.pid, startTime });
    expect(command?.[0]).toBe('/bin/sh');
    expect(command?.slice(-cleanup.length)).toEqual(cleanup);
    expect(runWithEcho(command!)).toBe('');
  });

  it('runs the hook when the attached process is gone or has another start time', () => {
    const startTime = parseStartTime(readFileSync(`/proc/${process.pid}/stat`, 'utf8'))!;
    const reused = exitCommand(ctx, ID, { pid: process.pid, startTime: startTime + 1 });
    expect(runWithEcho(reused!)).toContain(`internal cleanup ${ID}`);
    const gone = exitCommand(ctx, ID, { pid: 2 ** 22 + 7, startTime });
    expect(runWithEcho(gone!)).toContain(`internal cleanup ${ID}`);
  });

  it('without a known start time, leaves the decision to the hook', () => {
    expect(exitCommand(ctx, ID, { pid: process.pid, startTime: null })).toEqual(cleanup);
  });
});
