// SPDX-License-Identifier: Apache-2.0
// Reading a `.ctp` package (02 §3): extracted into a new 0700 directory, every safety rule checked
// before anything reads it, removed afterwards.
import { promises as fs, createReadStream, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VcError } from '@verified-container/shared';
import {
  DEFAULT_PACKAGE_LIMITS,
  PackageMemberTable,
  malformedPackage,
  type PackageLimits,
} from '@verified-container/shared/image';
import { MAGIC_BYTES } from '../steps/archive-format.js';
import type { StreamExec } from '../steps/exec.js';
import { readTar } from '../steps/tar-reader.js';

export type { PackageLimits } from '@verified-container/shared/image';
export {
  DEFAULT_PACKAGE_LIMITS,
  KNOWN_PACKAGE_FILES,
  memberParts,
  resolvesInside,
} from '@verified-container/shared/image';

/** An extracted package; `close` (or `await using`) removes the directory. */
export interface ExtractedPackage extends AsyncDisposable {
  /** The package root: `manifest.toml`, `oci-layout/`, `attestations/`, … */
  readonly dir: string;
  close(): Promise<void>;
}

export interface ExtractOptions {
  /** Where the 0700 directory is made (default: the OS temporary directory). */
  readonly tmpDir?: string;
  readonly limits?: PackageLimits;
  /** The package as people named it, for messages (default: `path`). */
  readonly display?: string;
}

/**
 * Extracts the package at `path` (gzip or plain tar, told by magic bytes; names with or without
 * `./`) and checks 02 §3: absolute names, `..` segments, symlinks or hardlinks whose target is
 * absolute or resolves outside the package, devices, FIFOs, sockets, duplicate paths, a member
 * written through a symlink or a file, a known member that is not a regular file, and the size
 * and count limits are all MALFORMED_BUNDLE, as are damaged gzip or tar data. The directory is
 * removed again when anything fails.
 */
export async function extractPackage(
  path: string,
  opts: ExtractOptions = {},
): Promise<ExtractedPackage> {
  const limits = opts.limits ?? DEFAULT_PACKAGE_LIMITS;
  const display = opts.display ?? path;
  const format = await packageFormat(path, display);
  const dir = await fs.mkdtemp(join(opts.tmpDir ?? tmpdir(), 'ct-ctp-'));
  const close = () => fs.rm(dir, { recursive: true, force: true });
  try {
    await extractInto(dir, path, display, format, limits);
  } catch (err) {
    await close();
    throw err;
  }
  return { dir, close, [Symbol.asyncDispose]: close };
}

async function packageFormat(path: string, display: string): Promise<'tar' | 'tar.gz'> {
  const head = new Uint8Array(MAGIC_BYTES);
  let length: number;
  try {
    const handle = await fs.open(path, 'r');
    try {
      ({ bytesRead: length } = await handle.read(head, 0, MAGIC_BYTES, 0));
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw new VcError('READ_FAILED', `cannot read the package ${display}`, { cause });
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') {
    return 'tar';
  }
  const text = Buffer.from(head.subarray(0, length)).toString('utf8');
  throw malformed(display, 'is neither a tar nor a gzip-compressed tar', {
    ...(/^\s*(#.*\n\s*)*\[package\]/m.test(text)
      ? { hint: `${display} looks like a manifest; build it with cerro-torre build ${display}` }
      : {}),
  });
}

async function extractInto(
  dir: string,
  path: string,
  display: string,
  format: 'tar' | 'tar.gz',
  limits: PackageLimits,
): Promise<void> {
  const table = new PackageMemberTable(display, limits);
  try {
    for await (const { header, body } of readTar(createReadStream(path), format, noExec, display)) {
      const step = table.add(header);
      if (step.kind === 'skip') continue;
      for (const parent of step.mkdirs) await fs.mkdir(join(dir, parent), { mode: 0o700 });
      const target = join(dir, ...step.path.split('/'));
      switch (step.kind) {
        case 'directory':
          if (step.create) await fs.mkdir(target, { mode: 0o700 });
          break;
        case 'file':
          // 'wx' never follows a symlink or replaces a file: the name is new by the table's checks.
          await pipeline(
            Readable.from(body),
            createWriteStream(target, { flags: 'wx', mode: 0o600 }),
          );
          break;
        case 'symlink':
          await fs.symlink(step.target, target);
          break;
        case 'hardlink':
          await fs.link(join(dir, ...step.target.split('/')), target);
          break;
      }
    }
  } catch (err) {
    if (err instanceof VcError && err.code === 'MALFORMED_BUNDLE') throw err;
    // File-system errors carry the failing syscall; everything else is about the archive's
    // bytes: the tar reader's BUILD_STEP_FAILED, zlib's Z_* errors met while reading a body.
    if ((err as NodeJS.ErrnoException).syscall !== undefined) {
      throw new VcError(
        'WRITE_FAILED',
        `cannot extract ${display} into ${dir}: ${messageOf(err)}`,
        {
          cause: err,
        },
      );
    }
    throw malformed(display, `is damaged: ${messageOf(err)}`, { cause: err });
  }
  table.finish();
}

/** The tar reader runs no host tool for gzip or plain tar; xz is not a package format. */
const noExec: StreamExec = {
  pipe: () => {
    throw new VcError('INTERNAL', 'a .ctp package is never xz-compressed');
  },
};

const malformed = malformedPackage;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
