// SPDX-License-Identifier: Apache-2.0
// What `vordr check` reads from the host: the container's cgroup (processes and limits) and each
// process's /proc entries. Everything here is I/O; the comparisons are in the pure modules.
import { existsSync } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  parseCfsQuota,
  parseCpuMax,
  parseMemoryLimit,
  parsePidsLimit,
  type ObservedLimits,
} from './cgroup-limits.js';
import type { ContainerProcess } from './process-checks.js';
import { parseProcessStatus } from './process-status.js';

/** Where the cgroup hierarchies are mounted. */
export const CGROUP_ROOT = '/sys/fs/cgroup';

/** The container's cgroup directories (v2: one; v1: one per controller that matters). */
export interface CgroupDirs {
  readonly version: 1 | 2;
  readonly procs: string;
  readonly memory: string;
  readonly pids: string;
  readonly cpu: string;
}

/** The directories of `cgroupsPath` (`/vordr/<id>`) under `root`, v2 or v1. */
export function cgroupDirs(cgroupsPath: string, root: string = CGROUP_ROOT): CgroupDirs {
  const rel = cgroupsPath.replace(/^\/+/, '');
  if (existsSync(join(root, 'cgroup.controllers'))) {
    const dir = join(root, rel);
    return { version: 2, procs: dir, memory: dir, pids: dir, cpu: dir };
  }
  const v1 = (...names: string[]): string => {
    for (const name of names) {
      const dir = join(root, name, rel);
      if (existsSync(dir)) return dir;
    }
    return join(root, names[0]!, rel);
  };
  return {
    version: 1,
    procs: v1('pids', 'memory', 'cpu', 'cpu,cpuacct', 'systemd', 'unified'),
    memory: v1('memory'),
    pids: v1('pids'),
    cpu: v1('cpu', 'cpu,cpuacct', 'cpuacct,cpu'),
  };
}

/** The pids of the container's cgroup (`cgroup.procs`); empty when the cgroup is gone. */
export async function readCgroupPids(dirs: CgroupDirs): Promise<number[]> {
  const text = await readText(join(dirs.procs, 'cgroup.procs'));
  if (text === undefined) return [];
  return text
    .split('\n')
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

/** memory, pids and cpu limits from the v1 or v2 files. */
export async function readCgroupLimits(dirs: CgroupDirs): Promise<ObservedLimits> {
  if (dirs.version === 2) {
    const [memory, pids, cpu] = await Promise.all([
      readText(join(dirs.memory, 'memory.max')),
      readText(join(dirs.pids, 'pids.max')),
      readText(join(dirs.cpu, 'cpu.max')),
    ]);
    return limits(
      memory === undefined ? undefined : parseMemoryLimit(memory),
      pids === undefined ? undefined : parsePidsLimit(pids),
      cpu === undefined ? undefined : parseCpuMax(cpu),
    );
  }
  const [memory, pids, quota, period] = await Promise.all([
    readText(join(dirs.memory, 'memory.limit_in_bytes')),
    readText(join(dirs.pids, 'pids.max')),
    readText(join(dirs.cpu, 'cpu.cfs_quota_us')),
    readText(join(dirs.cpu, 'cpu.cfs_period_us')),
  ]);
  return limits(
    memory === undefined ? undefined : parseMemoryLimit(memory),
    pids === undefined ? undefined : parsePidsLimit(pids),
    quota === undefined || period === undefined ? undefined : parseCfsQuota(quota, period),
  );
}

function limits(
  memory: ObservedLimits['memory'],
  pids: ObservedLimits['pids'],
  cpu: ObservedLimits['cpu'],
): ObservedLimits {
  return {
    ...(memory !== undefined ? { memory } : {}),
    ...(pids !== undefined ? { pids } : {}),
    ...(cpu !== undefined ? { cpu } : {}),
  };
}

/**
 * Reads each pid's status, cmdline, exe and host ancestry. Processes that exited meanwhile, and
 * zombies (nothing left to confine), are left out.
 */
export async function readContainerProcesses(
  pids: readonly number[],
  procRoot = '/proc',
): Promise<ContainerProcess[]> {
  const out: ContainerProcess[] = [];
  for (const pid of pids) {
    const statusText = await readText(join(procRoot, String(pid), 'status'));
    const status = statusText === undefined ? undefined : parseProcessStatus(statusText);
    if (status === undefined || status.state === 'Z' || status.state === 'X') continue;
    const cmdline = (await readText(join(procRoot, String(pid), 'cmdline'))) ?? '';
    const exe = await readlink(join(procRoot, String(pid), 'exe')).catch(() => undefined);
    out.push({
      pid,
      status,
      cmdline: cmdline.split('\0').filter((part, i, all) => part !== '' || i < all.length - 1),
      ...(exe !== undefined ? { exe } : {}),
      ancestors: await ancestorsOf(status.ppid, procRoot),
    });
  }
  return out;
}

/** `ppid`, its parent, … up to pid 1 (or a process that is gone). */
async function ancestorsOf(ppid: number, procRoot: string): Promise<number[]> {
  const chain: number[] = [];
  let current = ppid;
  while (current > 0 && !chain.includes(current) && chain.length < 1024) {
    chain.push(current);
    const stat = await readText(join(procRoot, String(current), 'stat'));
    if (stat === undefined) break;
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    current = Number(fields[1]);
  }
  return chain;
}

/** `/proc/<pid>/attr/current` (the SELinux label), trimmed; undefined when unreadable. */
export async function readProcessLabel(
  pid: number,
  procRoot = '/proc',
): Promise<string | undefined> {
  const text = await readText(join(procRoot, String(pid), 'attr', 'current'));
  return text?.replace(/\0/g, '').trim();
}

/** `/proc/<pid>/mountinfo`; undefined when the process is gone. */
export function readMountinfo(pid: number, procRoot = '/proc'): Promise<string | undefined> {
  return readText(join(procRoot, String(pid), 'mountinfo'));
}

/** A text file, or undefined when it cannot be read. */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
