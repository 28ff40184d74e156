// SPDX-License-Identifier: Apache-2.0
// `--tmpfs DST[:OPTIONS]` (05 §3): size=S, mode=M and the usual mount flags.
import { VcError } from '@verified-container/shared';
import { parseSize } from './size.js';

export interface TmpfsSpec {
  /** Absolute, normalised destination. */
  readonly destination: string;
  /** Bytes. */
  readonly size: number;
  /** Octal permission bits, e.g. 0o1777. */
  readonly mode?: number;
  /** Mount flags besides size and mode (`nosuid`, `nodev`, `noexec`, `ro` …). */
  readonly flags: string[];
}

/** Size of a tmpfs with no `size=`, and of writable exceptions (05 §4.5). */
export const DEFAULT_TMPFS_SIZE = 64 * 1024 * 1024;

const FLAGS = new Set(['rw', 'ro', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev']);
const MODE = /^[0-7]{3,4}$/;

/** Normalises an absolute container path (`/a//b/` → `/a/b`); relative or `..` is `USAGE`. */
export function normalizeContainerPath(path: string, what: string): string {
  if (!path.startsWith('/')) {
    throw new VcError('USAGE', `${what}: ${JSON.stringify(path)} is not an absolute path`);
  }
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new VcError('USAGE', `${what}: ${JSON.stringify(path)} must not contain ".."`);
  }
  return `/${parts.join('/')}`;
}

/** Parses one `--tmpfs`; defaults: `nosuid,nodev,noexec`, 64m. */
export function parseTmpfsFlag(flag: string): TmpfsSpec {
  const colon = flag.indexOf(':');
  const destination = normalizeContainerPath(colon < 0 ? flag : flag.slice(0, colon), '--tmpfs');
  let size = DEFAULT_TMPFS_SIZE;
  let mode: number | undefined;
  const flags = new Map([
    ['suid', 'nosuid'],
    ['dev', 'nodev'],
    ['exec', 'noexec'],
  ]);
  const options = colon < 0 ? [] : flag.slice(colon + 1).split(',');
  for (const option of options) {
    if (option.startsWith('size=')) size = parseSize(option.slice(5), `--tmpfs ${flag}`);
    else if (option.startsWith('mode=') && MODE.test(option.slice(5))) {
      mode = parseInt(option.slice(5), 8);
    } else if (FLAGS.has(option)) {
      // `ro`/`rw`, `exec`/`noexec` … replace each other.
      flags.set(option === 'ro' || option === 'rw' ? 'rw' : option.replace(/^no/, ''), option);
    } else {
      throw new VcError('USAGE', `invalid --tmpfs option ${JSON.stringify(option)} in ${flag}`, {
        hint: 'use --tmpfs DST[:size=S,mode=M] (options also rw, ro, exec, noexec, suid, nosuid, dev, nodev)',
      });
    }
  }
  return {
    destination,
    size,
    ...(mode !== undefined ? { mode } : {}),
    flags: [...flags.values()],
  };
}
