// SPDX-License-Identifier: Apache-2.0
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

import { VcError } from '@verified-container/shared';

/** Directories searched after PATH: runc lives in /usr/sbin on Debian, which a user's PATH may lack. */
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/**
 * The absolute path of an executable: `name` itself when it is a path, else the first match on
 * PATH and the sbin directories. Missing: `RUNTIME_UNAVAILABLE` naming the binary (05 §15).
 */
export async function findExecutable(
  name: string,
  hint: string,
  path = process.env.PATH ?? '',
): Promise<string> {
  const candidates = isAbsolute(name)
    ? [name]
    : [...path.split(delimiter).filter((dir) => dir !== ''), ...SBIN_DIRS].map((dir) =>
        join(dir, name),
      );
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new VcError(
    'RUNTIME_UNAVAILABLE',
    `${name} not found${isAbsolute(name) ? '' : ' in PATH'}`,
    {
      hint,
      details: { binary: name },
    },
  );
}

/**
 * True when a process exists and is not a zombie. `kill(pid, 0)` is not enough: a conmon whose
 * parent (pid 1 of some sandboxes) never reaps it stays a zombie after it exited.
 */
export async function isProcessAlive(pid: number): Promise<boolean> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X' && state !== '';
}

/** The NUL-separated command line of a live process, or undefined. */
export async function readCommandLine(pid: number): Promise<string[] | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return text === '' ? undefined : text.replace(/\0$/, '').split('\0');
  } catch {
    return undefined;
  }
}
