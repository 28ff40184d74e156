// SPDX-License-Identifier: Apache-2.0
// Reading a `.ctp` package (02 §3): extracted into a new 0700 directory, every safety rule checked
// before anything reads it, removed afterwards.
import { promises as fs, createReadStream, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VcError } from '@verified-container/shared';
import { MAGIC_BYTES } from '../steps/archive-format.js';
import type { StreamExec } from '../steps/exec.js';
import { readTar } from '../steps/tar-reader.js';
import { BUNDLE_PATH, PACKAGE_MANIFEST_PATH } from './image-bundle.js';

/** The limits of 02 §3 beyond which a package is MALFORMED_BUNDLE. */
export interface PackageLimits {
  /** Largest JSON or TOML member. */
  readonly maxMetadataBytes: number;
  /** Sum of all member sizes. */
  readonly maxTotalBytes: number;
  readonly maxEntries: number;
}

export const DEFAULT_PACKAGE_LIMITS: PackageLimits = {
  maxMetadataBytes: 64 * 1024 * 1024,
  maxTotalBytes: 16 * 1024 * 1024 * 1024,
  maxEntries: 1_000_000,
};

/** Members the table of 02 §3 names; each must be a regular file when present. */
export const KNOWN_PACKAGE_FILES: readonly string[] = [
  PACKAGE_MANIFEST_PATH,
  BUNDLE_PATH,
  'attestations/sbom.spdx.json',
  'attestations/provenance.json',
  'attestations/file-integrity.json',
  'oci-layout/oci-layout',
  'oci-layout/index.json',
];

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

type MemberType = 'f' | 'd' | 'l';

/** Symlinks followed while checking one target, as Linux's limit. */
const MAX_HOPS = 40;

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
  const types = new Map<string, MemberType>();
  /** Directories made for members whose parents were not listed first. */
  const implicit = new Set<string>();
  const links = new Map<string, string>();
  let entries = 0;
  let total = 0;
  try {
    for await (const { header, body } of readTar(createReadStream(path), format, noExec, display)) {
      entries += 1;
      if (entries > limits.maxEntries) {
        throw malformed(display, `has more than ${limits.maxEntries} entries`);
      }
      const parts = memberParts(header.name, display);
      if (parts.length === 0) {
        if (header.type === 'directory') continue;
        throw malformed(display, `has an entry ${JSON.stringify(header.name)} with no name`);
      }
      const rel = parts.join('/');
      if (types.has(rel) && !(implicit.has(rel) && header.type === 'directory')) {
        throw malformed(display, `has two entries for ${rel}`);
      }
      for (let k = 1; k < parts.length; k++) {
        const parent = parts.slice(0, k).join('/');
        const type = types.get(parent);
        if (type === undefined) {
          await fs.mkdir(join(dir, parent), { mode: 0o700 });
          types.set(parent, 'd');
          implicit.add(parent);
        } else if (type !== 'd') {
          throw malformed(
            display,
            `writes ${rel} through ${type === 'l' ? 'the symlink' : 'the file'} ${parent}`,
          );
        }
      }
      const target = join(dir, ...parts);
      switch (header.type) {
        case 'directory':
          if (!implicit.delete(rel)) await fs.mkdir(target, { mode: 0o700 });
          types.set(rel, 'd');
          break;
        case 'file': {
          if (/\.(json|toml)$/.test(rel) && header.size > limits.maxMetadataBytes) {
            throw malformed(
              display,
              `member ${rel} is larger than ${limits.maxMetadataBytes} bytes`,
            );
          }
          total += header.size;
          if (total > limits.maxTotalBytes) {
            throw malformed(display, `holds more than ${limits.maxTotalBytes} bytes`);
          }
          // 'wx' never follows a symlink or replaces a file: the name is new by the checks above.
          await pipeline(
            Readable.from(body),
            createWriteStream(target, { flags: 'wx', mode: 0o600 }),
          );
          types.set(rel, 'f');
          break;
        }
        case 'symlink': {
          const to = header.linkName ?? '';
          if (to === '' || to.startsWith('/')) {
            throw malformed(
              display,
              `has a symlink ${rel} to the absolute path ${JSON.stringify(to)}`,
            );
          }
          await fs.symlink(to, target);
          types.set(rel, 'l');
          links.set(rel, to);
          break;
        }
        case 'hardlink': {
          const to = memberParts(header.linkName ?? '', display).join('/');
          if (types.get(to) !== 'f') {
            throw malformed(
              display,
              `has a hardlink ${rel} to ${JSON.stringify(header.linkName)}, which is not an earlier file`,
            );
          }
          await fs.link(join(dir, ...to.split('/')), target);
          types.set(rel, 'f');
          break;
        }
        case 'character-device':
        case 'block-device':
        case 'fifo':
        case 'socket':
        case 'unknown':
          throw malformed(display, `has an entry ${rel} of type ${header.type}`);
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
  if (entries === 0) throw malformed(display, 'is an empty archive');
  for (const [from, to] of links) {
    if (!resolvesInside(from, to, links)) {
      throw malformed(display, `has a symlink ${from} → ${to} that leaves the package`);
    }
  }
  for (const known of KNOWN_PACKAGE_FILES) {
    const type = types.get(known);
    if (type !== undefined && type !== 'f') {
      throw malformed(display, `member ${known} is not a regular file`);
    }
  }
}

/**
 * The path components of a member name: `./` prefixes and empty components dropped. An absolute
 * name or any `..` component → MALFORMED_BUNDLE. Pure.
 */
export function memberParts(name: string, pkg: string): string[] {
  if (name.startsWith('/'))
    throw malformed(pkg, `has an absolute entry name ${JSON.stringify(name)}`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw malformed(pkg, `has an entry name with "..": ${JSON.stringify(name)}`);
  }
  return parts;
}

/**
 * Whether the symlink at package path `from` (components joined by `/`) with relative target `to`
 * resolves inside the package root, following the package's other symlinks (`links`) as the
 * kernel would; a loop counts as leaving. Pure.
 */
export function resolvesInside(
  from: string,
  to: string,
  links: ReadonlyMap<string, string>,
): boolean {
  const done = from.split('/').slice(0, -1);
  const todo = to.split('/').reverse();
  let hops = 0;
  while (todo.length > 0) {
    const part = todo.pop() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (done.length === 0) return false;
      done.pop();
      continue;
    }
    done.push(part);
    const next = links.get(done.join('/'));
    if (next === undefined) continue;
    hops += 1;
    if (hops > MAX_HOPS || next.startsWith('/')) return false;
    done.pop();
    todo.push(...next.split('/').reverse());
  }
  return true;
}

/** The tar reader runs no host tool for gzip or plain tar; xz is not a package format. */
const noExec: StreamExec = {
  pipe: () => {
    throw new VcError('INTERNAL', 'a .ctp package is never xz-compressed');
  },
};

function malformed(
  pkg: string,
  why: string,
  opts: { cause?: unknown; hint?: string } = {},
): VcError {
  return new VcError('MALFORMED_BUNDLE', `the package ${pkg} ${why}`, opts);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
