// SPDX-License-Identifier: Apache-2.0
// `exec` sessions recorded for `check` (05 §7): while `vordr exec` (or a healthcheck run) has a
// process in the container, `containers/<id>/exec-sessions/<pid>.json` names the vordr process
// that started it, so `process-tree` accepts that process's descendants. A session whose process
// is gone (or whose pid was reused) no longer counts.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { probeProcess } from '../store/index.js';

interface SessionFile {
  readonly pid: number;
  readonly startTime: number | null;
  readonly command: readonly string[];
}

function sessionsDir(containerDir: string): string {
  return join(containerDir, 'exec-sessions');
}

/**
 * Records that this process (`pid`, default the current one) runs `command` in the container;
 * returns the function that ends the record.
 */
export async function recordExecSession(
  containerDir: string,
  command: readonly string[],
  pid: number = process.pid,
): Promise<() => Promise<void>> {
  const probe = await probeProcess(pid);
  const file: SessionFile = { pid, startTime: probe.alive ? probe.startTime : null, command };
  const dir = sessionsDir(containerDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${pid}.json`);
  await writeFile(path, `${JSON.stringify(file)}\n`, { mode: 0o600 });
  return () => rm(path, { force: true });
}

/** The pids of live recorded sessions. */
export async function liveExecSessions(containerDir: string): Promise<Set<number>> {
  const live = new Set<number>();
  let names: string[];
  try {
    names = await readdir(sessionsDir(containerDir));
  } catch {
    return live;
  }
  for (const name of names) {
    if (!/^\d+\.json$/.test(name)) continue;
    try {
      const file = JSON.parse(
        await readFile(join(sessionsDir(containerDir), name), 'utf8'),
      ) as SessionFile;
      const probe = await probeProcess(file.pid);
      if (probe.alive && (file.startTime === null || probe.startTime === file.startTime)) {
        live.add(file.pid);
      }
    } catch {
      // a session file being written or removed right now
    }
  }
  return live;
}
