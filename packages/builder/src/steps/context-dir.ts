// SPDX-License-Identifier: Apache-2.0
// The build context on the host (01 §3 safety rule 2): paths resolve inside it, symlinks too.
import type { Stats } from 'node:fs';
import { promises as fs } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { VcError } from '@verified-container/shared';
import { MAX_SYMLINK_HOPS, splitPath } from './rootfs-path.js';

/** A file or directory of the context, resolved. */
export interface ContextItem {
  /** Context-relative path as named by the step (symlinks not replaced), `/`-separated. */
  readonly path: string;
  /** Real host path: no symlink in it. */
  readonly hostPath: string;
  readonly type: 'f' | 'd';
  /** Host permission bits. */
  readonly mode: number;
  readonly size: number;
}

interface Resolved {
  /** Components below the real root. */
  readonly parts: string[];
  readonly host: string;
  readonly stats: Stats;
}

/** The build context directory; every lookup stays inside it. */
export class ContextDir {
  readonly #root: string;
  #realRoot: Promise<string> | undefined;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  /**
   * Resolves a context path. Symlinks are followed while they stay inside the context; one
   * leading outside (absolute or through `..`) → BUILD_PATH_ESCAPE. Missing → BUILD_STEP_FAILED.
   */
  async resolve(path: string): Promise<ContextItem> {
    const resolved = await this.#resolveFrom([], splitPath(path), path);
    return this.#item(splitPath(path).join('/'), resolved);
  }

  /**
   * The item at `path` and, for a directory, everything below it (parents first, names sorted);
   * symlinks inside are followed under the same rules. Sockets, FIFOs and devices, and a
   * directory reached again through a symlink loop → BUILD_STEP_FAILED.
   */
  async walk(path: string): Promise<ContextItem[]> {
    const name = splitPath(path).join('/');
    const start = await this.#resolveFrom([], splitPath(path), path);
    const out: ContextItem[] = [];
    await this.#walk(name, start, new Set(), out);
    return out;
  }

  async #walk(name: string, at: Resolved, ancestors: Set<string>, out: ContextItem[]) {
    out.push(this.#item(name, at));
    if (!at.stats.isDirectory()) return;
    const key = `${at.stats.dev}:${at.stats.ino}`;
    if (ancestors.has(key)) {
      throw new VcError('BUILD_STEP_FAILED', `build context: symlink loop at ${name}`);
    }
    const names = (await fs.readdir(at.host)).sort();
    const below = new Set(ancestors).add(key);
    for (const child of names) {
      const childName = name === '' ? child : `${name}/${child}`;
      const resolved = await this.#resolveFrom([...at.parts], [child], childName);
      await this.#walk(childName, resolved, below, out);
    }
  }

  #item(name: string, at: Resolved): ContextItem {
    const type = at.stats.isDirectory() ? 'd' : at.stats.isFile() ? 'f' : undefined;
    if (type === undefined) {
      throw new VcError(
        'BUILD_STEP_FAILED',
        `build context: ${name} is not a regular file or directory`,
      );
    }
    return {
      path: name,
      hostPath: at.host,
      type,
      mode: at.stats.mode & 0o7777,
      size: at.stats.size,
    };
  }

  #real(): Promise<string> {
    this.#realRoot ??= fs.realpath(this.#root).catch((cause: unknown) => {
      throw new VcError('BUILD_STEP_FAILED', `cannot open the build context ${this.#root}`, {
        cause,
      });
    });
    return this.#realRoot;
  }

  /** Walks `rest` from the real directory `done` (relative to the root), as the kernel would. */
  async #resolveFrom(done: string[], rest: string[], path: string): Promise<Resolved> {
    const root = await this.#real();
    const todo = [...rest].reverse();
    let hops = 0;
    let stats = await lstat(root, path);
    while (todo.length > 0) {
      const part = todo.pop() as string;
      if (part === '..') {
        if (done.length === 0) throw escape(path, 'leads outside the build context');
        done.pop();
        stats = await lstat(join(root, ...done), path);
        continue;
      }
      done.push(part);
      const host = join(root, ...done);
      stats = await lstat(host, path);
      if (stats.isSymbolicLink()) {
        hops += 1;
        if (hops > MAX_SYMLINK_HOPS) {
          throw new VcError('BUILD_STEP_FAILED', `build context: too many symlinks in ${path}`);
        }
        const target = await fs.readlink(host);
        done.pop();
        if (isAbsolute(target)) {
          const inside = this.#insideRoot(target, root);
          if (inside === undefined) {
            throw escape(path, `symlink ${done.concat(part).join('/')} → ${target} leads outside`);
          }
          done.length = 0;
          todo.push(...inside.reverse());
        } else {
          todo.push(...splitPath(target).reverse());
        }
        stats = await lstat(join(root, ...done), path);
      } else if (todo.length > 0 && !stats.isDirectory()) {
        throw new VcError(
          'BUILD_STEP_FAILED',
          `build context: ${done.join('/')} is not a directory`,
        );
      }
    }
    return { parts: done, host: join(root, ...done), stats };
  }

  /** Components of an absolute host path below the context root (given or real), else undefined. */
  #insideRoot(target: string, realRoot: string): string[] | undefined {
    for (const root of [realRoot, this.#root]) {
      const rel = relative(root, resolve(target));
      if (rel === '') return [];
      if (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)) return rel.split(sep);
    }
    return undefined;
  }
}

async function lstat(host: string, path: string): Promise<Stats> {
  try {
    return await fs.lstat(host);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : String(code);
    throw new VcError('BUILD_STEP_FAILED', `build context: ${path}: ${why}`, { cause });
  }
}

function escape(path: string, why: string): VcError {
  return new VcError('BUILD_PATH_ESCAPE', `build context path ${path}: ${why}`, {
    hint: 'the build context may only use symlinks that stay inside it',
  });
}
