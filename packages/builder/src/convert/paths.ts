// SPDX-License-Identifier: Apache-2.0
// Paths as Docker resolves them: image paths relative to the current WORKDIR, sources relative to
// the build context. Results are in the form the manifest wants (no `.`, `..`, `//`).
import { posix } from 'node:path';

export interface ResolvedPath {
  /** Normalised, without a trailing slash (except `/`). */
  readonly path: string;
  /** Written as a directory: a trailing `/`, or `.`/`..` as the last segment. */
  readonly dir: boolean;
}

/** An absolute image path; undefined when `path` is relative and the WORKDIR is not known. */
export function resolveImagePath(
  path: string,
  workdir: string | undefined,
): ResolvedPath | undefined {
  if (path === '' || path.includes('\u0000')) return undefined;
  if (!path.startsWith('/') && workdir === undefined) return undefined;
  const full = path.startsWith('/') ? path : `${workdir ?? '/'}/${path}`;
  return { path: trimSlash(posix.normalize(full)), dir: writtenAsDirectory(path) };
}

/** A build-context path (`.` for the whole context); undefined when it leaves the context. */
export function resolveContextPath(src: string): ResolvedPath | undefined {
  if (src.includes('\u0000')) return undefined;
  // Docker reads an absolute source relative to the context root.
  const relative = src.replace(/^\/+/, '');
  const normalized = trimSlash(posix.normalize(relative === '' ? '.' : relative));
  if (normalized === '..' || normalized.startsWith('../')) return undefined;
  return { path: normalized, dir: relative === '' || writtenAsDirectory(relative) };
}

/** Already an absolute path in the manifest's form (no `.`, `..`, `//` or trailing `/`). */
export function isPlainAbsolute(path: string): boolean {
  return path.startsWith('/') && resolveImagePath(path, '/')?.path === path;
}

/** `dir` with a trailing slash, as copy steps write "into this directory". */
export function asDirectory(dir: string): string {
  return dir === '/' ? '/' : `${dir}/`;
}

/** The path inside `dir` named like the last segment of `path`. */
export function childPath(dir: string, path: string): string {
  const name = posix.basename(path);
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function writtenAsDirectory(path: string): boolean {
  return path.endsWith('/') || /(?:^|\/)\.{1,2}$/.test(path);
}
