// SPDX-License-Identifier: Apache-2.0
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { VcError } from '@verified-container/shared';

const run = promisify(execFile);

/**
 * What Node cannot do itself when unpacking layers: device nodes (overlay whiteouts are
 * character devices 0/0), FIFOs and extended attributes (opaque directories,
 * `security.capability`). Small port so tests and other hosts can swap it.
 */
export interface SpecialFiles {
  /** Creates an overlay whiteout (character device 0/0) at `path`. */
  makeWhiteout(path: string): Promise<void>;
  makeFifo(path: string, mode: number): Promise<void>;
  /** Sets an extended attribute on `path` itself (never through a symlink). */
  setXattr(path: string, name: string, value: Uint8Array): Promise<void>;
  /** Directories under `dir` (absolute paths) that carry `trusted.overlay.opaque=y`. */
  listOpaqueDirs(dir: string): Promise<string[]>;
}

/**
 * {@link SpecialFiles} through the host's `mknod` (coreutils) and `setfattr`/`getfattr` (the
 * Debian `attr` package): Node has neither `mknod(2)` nor `setxattr(2)`. A missing binary →
 * RUNTIME_UNAVAILABLE naming it.
 */
export class HostSpecialFiles implements SpecialFiles {
  async makeWhiteout(path: string): Promise<void> {
    await tool('mknod', ['-m', '000', '--', path, 'c', '0', '0'], 'coreutils');
  }

  async makeFifo(path: string, mode: number): Promise<void> {
    await tool('mknod', ['-m', (mode & 0o7777).toString(8), '--', path, 'p'], 'coreutils');
  }

  async setXattr(path: string, name: string, value: Uint8Array): Promise<void> {
    const hex = `0x${Buffer.from(value).toString('hex')}`;
    await tool('setfattr', ['-h', '-n', name, '-v', hex, '--', path], 'attr');
  }

  async listOpaqueDirs(dir: string): Promise<string[]> {
    // `getfattr -R` exits 1 when some file lacks the attribute; its output is still complete.
    const listing = await tool(
      'getfattr',
      [
        '-R',
        '-P',
        '-d',
        '--absolute-names',
        '-m',
        '^trusted\\.overlay\\.opaque$',
        '-e',
        'text',
        '--',
        dir,
      ],
      'attr',
      true,
    );
    const out: string[] = [];
    let current: string | undefined;
    for (const line of listing.split('\n')) {
      if (line.startsWith('# file: ')) current = line.slice('# file: '.length);
      else if (current !== undefined && line === 'trusted.overlay.opaque="y"') out.push(current);
    }
    return out;
  }
}

async function tool(
  binary: string,
  args: string[],
  debianPackage: string,
  tolerateExit1 = false,
): Promise<string> {
  try {
    const { stdout } = await run(binary, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (cause) {
    const err = cause as { code?: string | number; stdout?: string };
    if (err.code === 'ENOENT') {
      throw new VcError('RUNTIME_UNAVAILABLE', `${binary} is not installed`, {
        cause,
        hint: `install the Debian package ${debianPackage}`,
      });
    }
    if (tolerateExit1 && err.code === 1 && typeof err.stdout === 'string') return err.stdout;
    throw new VcError('RUNTIME_ERROR', `${binary} ${args.join(' ')} failed`, { cause });
  }
}
