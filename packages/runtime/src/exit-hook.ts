#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
//
// conmon's exit command (05 §4.7): `node exit-hook.js --root <root> internal cleanup <id>`, the
// same arguments as `vordr internal cleanup`. conmon waits for its exit command before it leaves,
// and whoever settles the exit waits for conmon, so this entry point is kept tiny (node:* and two
// path modules, no CLI, no @verified-container/* import): when a foreground `run` is still
// attached to the container the exit is its job and this returns at once (so does a container
// already removed or cleaned up); otherwise it starts the real cleanup
// (`vordr internal cleanup --in-process <id>`) detached and returns.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isContainerId } from './store/container-id.js';
import { containerPaths } from './store/vordr-paths.js';

/** `--root <root> internal cleanup <id>`; undefined for anything else. */
function parseArgs(argv: readonly string[]): { root: string; id: string } | undefined {
  const [flag, root, internal, cleanup, id, ...rest] = argv;
  if (flag !== '--root' || internal !== 'internal' || cleanup !== 'cleanup') return undefined;
  if (root === undefined || id === undefined || rest.length > 0 || !isContainerId(id)) {
    return undefined;
  }
  return { root, id };
}

/** Field 22 of `/proc/<pid>/stat` (start time in clock ticks); undefined when the pid is gone. */
async function startTimeOf(pid: number): Promise<number | null | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat
    .slice(stat.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/);
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  const value = fields[22 - 3];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * Whether the container still needs the full cleanup: not when its record is gone (removed), when
 * a live foreground `run` is attached (its `attachedBy`, checked like the lifecycle's
 * `isAttached`: the exit is its job), or when the exit is settled and cleaned up already. An
 * unreadable record needs it (the full cleanup decides).
 */
async function needsCleanup(recordPath: string): Promise<boolean> {
  let record: {
    state?: unknown;
    cleanedUp?: unknown;
    autoRemove?: unknown;
    attachedBy?: { pid?: unknown; startTime?: unknown };
  };
  try {
    record = JSON.parse(await readFile(recordPath, 'utf8')) as typeof record;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  if (record.state === 'exited' && record.cleanedUp === true && record.autoRemove !== true) {
    return false;
  }
  const attachedBy = record.attachedBy;
  if (attachedBy === undefined || typeof attachedBy.pid !== 'number') return true;
  const startTime = await startTimeOf(attachedBy.pid);
  if (startTime === undefined) return true;
  const attached =
    startTime === null || attachedBy.startTime === null || startTime === attachedBy.startTime;
  return !attached;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args === undefined) return;
  if (!(await needsCleanup(containerPaths(args.root, args.id).record))) return;
  const bin = join(dirname(fileURLToPath(import.meta.url)), 'bin.js');
  const child = spawn(
    process.execPath,
    [bin, '--root', args.root, 'internal', 'cleanup', '--in-process', args.id],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
}

// Silent whatever happens: conmon only logs an exit command's status.
main().catch(() => undefined);
