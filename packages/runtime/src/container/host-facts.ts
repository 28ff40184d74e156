// SPDX-License-Identifier: Apache-2.0
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { parseProcLimits, type CallerHardLimits } from '../profile/index.js';
import type { PathInfo, RootfsLookup } from '../oci-spec/index.js';
import { resolveInRootfsSync } from '../rootfs/index.js';

/** What the effective profile and the OCI spec need to know about this host. */
export interface HostFacts {
  readonly capLastCap: number;
  readonly callerHardLimits: CallerHardLimits;
  readonly selinuxEnabled: boolean;
  readonly swapAccounting: boolean;
  readonly kernelRelease: string;
}

/** Reads the host facts from /proc and /sys. */
export async function readHostFacts(): Promise<HostFacts> {
  const capLastCap = Number((await readFile('/proc/sys/kernel/cap_last_cap', 'utf8')).trim());
  const limits = parseProcLimits(await readFile('/proc/self/limits', 'utf8'));
  return {
    capLastCap,
    callerHardLimits: limits,
    selinuxEnabled: existsSync('/sys/fs/selinux/enforce'),
    swapAccounting: hasSwapAccounting(),
    kernelRelease: release(),
  };
}

/** cgroup v1 `memory.memsw.*`, or a v2 child cgroup with `memory.swap.max`. */
function hasSwapAccounting(): boolean {
  if (existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes')) return true;
  try {
    return readdirSync('/sys/fs/cgroup', { withFileTypes: true }).some(
      (d) => d.isDirectory() && existsSync(join('/sys/fs/cgroup', d.name, 'memory.swap.max')),
    );
  } catch {
    return false;
  }
}

/** Looks container paths up in a prepared rootfs (owner, mode, kind), following symlinks. */
export function rootfsLookup(rootfs: string): RootfsLookup {
  return (path: string): PathInfo | undefined => {
    try {
      const st = statSync(resolveInRootfsSync(rootfs, path));
      return { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, isDirectory: st.isDirectory() };
    } catch {
      return undefined;
    }
  };
}

/** A text file of the rootfs (`/etc/passwd`), or undefined when absent. */
export async function readRootfsText(rootfs: string, path: string): Promise<string | undefined> {
  try {
    return await readFile(resolveInRootfsSync(rootfs, path), 'utf8');
  } catch {
    return undefined;
  }
}

/** `/proc/<pid>/status`, or undefined when the process is gone. */
export async function readProcStatus(pid: number): Promise<string | undefined> {
  try {
    return await readFile(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether a host path exists (bind sources). */
export function hostPathExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
