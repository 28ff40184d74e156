// SPDX-License-Identifier: Apache-2.0
// The supervisor as a process (05 §1, §4.7): one per store, `vordr internal supervise`, started
// detached on demand; `vordr/run/supervisor.pid` names it, the store lock `supervisor` keeps it
// unique.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord, LifecycleContext } from '../container/index.js';
import { isProcessAlive, readCommandLine } from '../engine/index.js';
import { hasResolvedEgress } from '../firewall/container-firewall.js';
import { vordrPaths } from '../store/index.js';
import { shouldRestart } from './restart-policy.js';

/** `vordr/run/supervisor.pid`. */
export function supervisorPidFile(root: string): string {
  return join(vordrPaths(root).run, 'supervisor.pid');
}

/** `vordr/run/supervisor.log`: the supervisor's stderr (its pino log). */
export function supervisorLogFile(root: string): string {
  return join(vordrPaths(root).run, 'supervisor.log');
}

/**
 * Whether a container needs the supervisor (05 §4.7): running with a healthcheck or a restart
 * policy or egress `host`/`pattern` entries (re-resolved by the supervisor, 05 §4.6), restarting,
 * or exited and due for a restart under its policy.
 */
export function needsSupervisor(
  record: Pick<
    ContainerRecord,
    'state' | 'healthcheck' | 'restartPolicy' | 'exitCode' | 'restartCount' | 'stoppedByUser'
  > &
    Partial<Pick<ContainerRecord, 'firewall'>>,
): boolean {
  switch (record.state) {
    case 'running':
      return (
        record.healthcheck !== undefined ||
        (record.restartPolicy !== undefined && record.restartPolicy.name !== 'no') ||
        hasResolvedEgress(record.firewall?.egress)
      );
    case 'restarting':
      return true;
    case 'exited':
      return shouldRestart(record.restartPolicy, record);
    case 'creating':
    case 'created':
    case 'dead':
    case 'removing':
      return false;
  }
}

/** The pid of the store's live supervisor, or undefined. */
export async function runningSupervisorPid(root: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(supervisorPidFile(root), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0 || !(await isProcessAlive(pid))) return undefined;
  // A reused pid runs something else: the supervisor's command line names this store.
  const argv = await readCommandLine(pid);
  if (argv === undefined || !argv.includes('supervise')) return undefined;
  const rootAt = argv.indexOf('--root');
  return rootAt >= 0 && argv[rootAt + 1] === root ? pid : undefined;
}

/**
 * Starts the store's supervisor unless one runs (detached, own session, stderr to
 * `run/supervisor.log`). Two racing starts are harmless: the second waits for the lock and leaves.
 * Without a way to invoke vordr (`selfCommand`, absent in unit tests) nothing is started.
 */
export async function ensureSupervisor(ctx: LifecycleContext): Promise<boolean> {
  if ((await runningSupervisorPid(ctx.root)) !== undefined) return false;
  if (ctx.selfCommand === undefined) return false;
  const [command, ...args] = ctx.selfCommand;
  mkdirSync(vordrPaths(ctx.root).run, { recursive: true, mode: 0o700 });
  const log = openSync(supervisorLogFile(ctx.root), 'a', 0o600);
  try {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined) env[k] = v;
    const child = spawn(command!, [...args, '--root', ctx.root, 'internal', 'supervise'], {
      detached: true,
      stdio: ['ignore', 'ignore', log],
      cwd: '/',
      env,
    });
    child.on('error', (err) => ctx.logger.warn({ err }, 'could not start the supervisor'));
    child.unref();
  } finally {
    closeSync(log);
  }
  return true;
}

/** Starts the supervisor when any of `records` needs it (any vordr command re-adopts this way). */
export async function ensureSupervisorFor(
  ctx: LifecycleContext,
  records: readonly ContainerRecord[],
): Promise<void> {
  if (records.some(needsSupervisor)) await ensureSupervisor(ctx);
}
