// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';

/** What can be learnt about a pid: gone, or alive with its start time when readable. */
export type ProcessProbe =
  { readonly alive: false } | { readonly alive: true; readonly startTime: number | null };

/**
 * Probes a process. `startTime` is field 22 of `/proc/<pid>/stat` (clock ticks since boot), which
 * tells a live lock holder from an unrelated process that reused its pid (00 §4.2). When /proc
 * cannot be read (not Linux, or `hidepid`), liveness comes from `kill(pid, 0)` and the start time
 * is unknown (null), so a holder is never declared stale on a guess.
 */
export async function probeProcess(pid: number): Promise<ProcessProbe> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return { alive: false };
  try {
    const startTime = parseStartTime(await fs.readFile(`/proc/${pid}/stat`, 'utf8'));
    return { alive: true, startTime };
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && (await hasProcfs())) return { alive: false };
    return isAlive(pid) ? { alive: true, startTime: null } : { alive: false };
  }
}

/** Field 22 of a `/proc/<pid>/stat` line; null when malformed. */
export function parseStartTime(stat: string): number | null {
  // Field 2 (comm) is parenthesised and may hold spaces and ')': fields 3… follow the last ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const fields = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const value = fields[22 - 3];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

async function hasProcfs(): Promise<boolean> {
  try {
    await fs.access('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (cause) {
    return (cause as NodeJS.ErrnoException).code === 'EPERM';
  }
}
