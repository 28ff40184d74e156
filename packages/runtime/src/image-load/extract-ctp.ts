// SPDX-License-Identifier: Apache-2.0
// Reading a `.ctp` package (02 §3) for vordr: every member checked by the shared member table
// before it is written, into a directory only this process uses.
import { createWriteStream, promises as fs } from 'node:fs';
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
import { readHead, readTarFile, tarFormatOf } from './tar-file.js';

export interface ExtractCtpOptions {
  readonly limits?: PackageLimits;
  /** The package as people named it, for messages (default: `path`). */
  readonly display?: string;
}

/** What an extraction found. */
export interface ExtractedCtp {
  /** The package root. */
  readonly dir: string;
  /** Regular files, package paths (`/`-separated), in archive order. */
  readonly files: readonly string[];
}

/**
 * Extracts the package at `path` (gzip or plain tar by magic bytes; names with or without `./`)
 * into `intoDir`, which is created 0700 when missing and must be empty. Every rule of 02 §3 is
 * checked (see PackageMemberTable): a violation, damaged gzip or tar data, or a file that is not
 * a tar → MALFORMED_BUNDLE. On failure the caller removes `intoDir` (it may hold a part).
 */
export async function extractCtp(
  path: string,
  intoDir: string,
  opts: ExtractCtpOptions = {},
): Promise<ExtractedCtp> {
  const display = opts.display ?? path;
  const format = tarFormatOf(await readHead(path, display));
  if (format === undefined) {
    throw malformedPackage(display, 'is neither a tar nor a gzip-compressed tar');
  }
  await fs.mkdir(intoDir, { recursive: true, mode: 0o700 });
  if ((await fs.readdir(intoDir)).length > 0) {
    throw new VcError('INTERNAL', `cannot extract ${display}: ${intoDir} is not empty`);
  }
  const table = new PackageMemberTable(display, opts.limits ?? DEFAULT_PACKAGE_LIMITS);
  try {
    for await (const member of readTarFile(path, format)) {
      const step = table.add(member);
      if (step.kind === 'skip') continue;
      for (const parent of step.mkdirs) await fs.mkdir(join(intoDir, parent), { mode: 0o700 });
      const target = join(intoDir, ...step.path.split('/'));
      switch (step.kind) {
        case 'directory':
          if (step.create) await fs.mkdir(target, { mode: 0o700 });
          break;
        case 'file':
          // 'wx' never follows a symlink or replaces a file: the table made sure the name is new.
          await pipeline(
            Readable.from(member.body),
            createWriteStream(target, { flags: 'wx', mode: 0o600 }),
          );
          break;
        case 'symlink':
          await fs.symlink(step.target, target);
          break;
        case 'hardlink':
          await fs.link(join(intoDir, ...step.target.split('/')), target);
          break;
      }
    }
  } catch (err) {
    if (err instanceof VcError) throw err;
    if ((err as NodeJS.ErrnoException).syscall !== undefined) {
      throw new VcError('WRITE_FAILED', `cannot extract ${display} into ${intoDir}`, {
        cause: err,
      });
    }
    throw malformedPackage(display, `is damaged: ${messageOf(err)}`, { cause: err });
  }
  table.finish();
  return { dir: intoDir, files: table.files() };
}

/** A package extracted into a new 0700 temporary directory; `close` removes it. */
export interface TemporaryCtp extends ExtractedCtp, AsyncDisposable {
  close(): Promise<void>;
}

/**
 * {@link extractCtp} into a new 0700 directory under `parent` (default the OS temporary
 * directory), removed again when extraction fails or when the result is closed (02 §3).
 */
export async function extractCtpToTemp(
  path: string,
  opts: ExtractCtpOptions & { readonly parent?: string } = {},
): Promise<TemporaryCtp> {
  const dir = await fs.mkdtemp(join(opts.parent ?? tmpdir(), 'vordr-ctp-'));
  const close = () => fs.rm(dir, { recursive: true, force: true });
  try {
    const extracted = await extractCtp(path, dir, opts);
    return { ...extracted, close, [Symbol.asyncDispose]: close };
  } catch (err) {
    await close();
    throw err;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
