// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { VcError } from '@verified-container/shared';
import { compareByPathBytes, type FileEntry } from '@verified-container/shared/image';
import type { ContentStore, StoredContent } from '../content/content-store.js';
import { isWithin, joinPath, parentPath, resolveInRoot, splitPath } from './rootfs-path.js';

export interface RootFsOptions {
  /** Where the bytes of the table's files live. */
  readonly content: ContentStore;
  /** mtime of every entry the steps create: the build's SOURCE_DATE_EPOCH (01 §6.3), in seconds. */
  readonly mtime: number;
  /** The table to start from (the layers below); paths canonical, parents present. */
  readonly entries?: Iterable<FileEntry>;
}

/** What a step may choose of a new entry; the path, mtime and digest of links are filled in. */
export type NewEntry =
  | { readonly type: 'd'; readonly mode: number; readonly uid?: number; readonly gid?: number }
  | {
      readonly type: 'f';
      readonly mode: number;
      readonly content: StoredContent;
      readonly uid?: number;
      readonly gid?: number;
      readonly inodeKey?: string;
    }
  | { readonly type: 'l'; readonly target: string; readonly uid?: number; readonly gid?: number };

const DIR_MODE = 0o755;

/**
 * The root filesystem the steps work on: a mutable file table (ownership and modes live here,
 * never on the host, 01 §5.4) plus the content store holding file bytes. Every path given to the
 * resolving methods is resolved inside the table (safety rule 1), so no step can reach outside.
 * Methods taking a `canonical` path expect the result of {@link RootFs.resolve}.
 */
export class RootFs {
  readonly content: ContentStore;
  readonly mtime: number;
  readonly #table = new Map<string, FileEntry>();
  /** inodeKey → paths sharing it, so metadata changes reach every hardlink. */
  readonly #inodes = new Map<string, Set<string>>();
  readonly #lookup = (path: string): FileEntry | undefined => this.#table.get(path);

  constructor(opts: RootFsOptions) {
    this.content = opts.content;
    this.mtime = opts.mtime;
    for (const entry of opts.entries ?? []) this.#set(entry);
  }

  /** Number of entries (the root itself is never one). */
  get size(): number {
    return this.#table.size;
  }

  /** The row at a canonical path, nothing resolved. */
  get(canonical: string): FileEntry | undefined {
    return this.#table.get(canonical);
  }

  /** Every entry, sorted by path bytes (parents before children). */
  entries(): FileEntry[] {
    return [...this.#table.values()].sort((a, b) => compareByPathBytes(a.path, b.path));
  }

  /** Canonical form of `path` (see {@link resolveInRoot}); the last component is followed by default. */
  resolve(path: string, opts: { followFinal?: boolean } = {}): string {
    return resolveInRoot(path, this.#lookup, opts.followFinal ?? true);
  }

  /** The entry `path` leads to, or undefined; `follow: false` returns a final symlink itself. */
  lookup(path: string, opts: { follow?: boolean } = {}): FileEntry | undefined {
    return this.#table.get(this.resolve(path, { followFinal: opts.follow ?? true }));
  }

  /** The entry and everything below it (nothing below a symlink), sorted by path bytes. */
  walk(canonical: string): FileEntry[] {
    const out: FileEntry[] = [];
    for (const entry of this.#table.values()) {
      if (isWithin(entry.path, canonical)) out.push(entry);
    }
    return out.sort((a, b) => compareByPathBytes(a.path, b.path));
  }

  /** Direct children of a canonical directory path, sorted by path bytes. */
  children(canonical: string): FileEntry[] {
    return this.walk(canonical).filter((e) => parentPath(e.path) === canonical && e.path !== '/');
  }

  /**
   * Creates the missing directories along `path` (0755, 0:0) after resolving it, and returns its
   * canonical form. A non-directory on the way → BUILD_STEP_FAILED.
   */
  mkdirp(path: string): string {
    const canonical = this.resolve(path);
    const parts = splitPath(canonical);
    for (let i = 1; i <= parts.length; i++) {
      const dir = joinPath(parts.slice(0, i));
      const entry = this.#table.get(dir);
      if (entry === undefined) this.#set(this.#make(dir, { type: 'd', mode: DIR_MODE }));
      else if (entry.type !== 'd') throw notADirectory(dir);
    }
    return canonical;
  }

  /**
   * Places a new entry at a canonical path, creating missing parents. It replaces a non-directory;
   * a directory is only replaced by a directory (its children stay), else BUILD_STEP_FAILED.
   */
  put(canonical: string, entry: NewEntry): FileEntry {
    if (canonical === '/') throw new VcError('BUILD_STEP_FAILED', 'cannot replace the root');
    const parent = parentPath(canonical);
    if (this.mkdirp(parent) !== parent) {
      throw new VcError('INTERNAL', `${canonical} is not canonical (a parent is a symlink)`);
    }
    const existing = this.#table.get(canonical);
    if (existing?.type === 'd' && entry.type !== 'd') throw isADirectory(canonical);
    if (existing !== undefined) this.#delete(existing);
    const made = this.#make(canonical, entry);
    this.#set(made);
    return made;
  }

  /**
   * Writes a regular file at `path`, following symlinks (a final one too, like `>`), creating
   * missing parents; an existing file is replaced (a new inode), a directory refused.
   */
  writeFile(
    path: string,
    content: StoredContent,
    attrs: { mode: number; uid?: number; gid?: number },
  ): FileEntry {
    return this.put(this.resolve(path), { type: 'f', content, ...attrs });
  }

  /** Changes mode or ownership of the entry at a canonical path and of its hardlinks. */
  update(canonical: string, change: { mode?: number; uid?: number; gid?: number }): void {
    const entry = this.#table.get(canonical);
    if (entry === undefined) throw noSuchFile(canonical);
    const paths = entry.inodeKey === undefined ? [canonical] : this.#inodes.get(entry.inodeKey);
    for (const path of paths ?? [canonical]) {
      const current = this.#table.get(path);
      if (current === undefined) continue;
      this.#table.set(path, {
        ...current,
        mode: (change.mode ?? current.mode) & 0o7777,
        uid: change.uid ?? current.uid,
        gid: change.gid ?? current.gid,
      });
    }
  }

  /** Removes the entry at a canonical path and everything below it; absent is fine. */
  remove(canonical: string): void {
    for (const entry of this.walk(canonical)) this.#delete(entry);
  }

  /** The bytes of the regular file `path` leads to, as UTF-8; undefined when there is none. */
  async readText(path: string): Promise<string | undefined> {
    const entry = this.lookup(path);
    if (entry?.type !== 'f') return undefined;
    return Buffer.from(await this.content.read(entry.digest)).toString('utf8');
  }

  #make(path: string, entry: NewEntry): FileEntry {
    const base = { path, uid: entry.uid ?? 0, gid: entry.gid ?? 0, mtime: this.mtime };
    switch (entry.type) {
      case 'd':
        return { ...base, type: 'd', mode: entry.mode & 0o7777, size: 0, digest: '' };
      case 'f':
        return {
          ...base,
          type: 'f',
          mode: entry.mode & 0o7777,
          size: entry.content.size,
          digest: entry.content.digest,
          ...(entry.inodeKey === undefined ? {} : { inodeKey: entry.inodeKey }),
        };
      case 'l': {
        const bytes = Buffer.from(entry.target, 'utf8');
        return {
          ...base,
          type: 'l',
          mode: 0o777,
          size: bytes.length,
          digest: createHash('sha256').update(bytes).digest('hex'),
          linkTarget: entry.target,
        };
      }
    }
  }

  #set(entry: FileEntry): void {
    this.#table.set(entry.path, entry);
    if (entry.inodeKey === undefined) return;
    const paths = this.#inodes.get(entry.inodeKey) ?? new Set<string>();
    paths.add(entry.path);
    this.#inodes.set(entry.inodeKey, paths);
  }

  #delete(entry: FileEntry): void {
    this.#table.delete(entry.path);
    if (entry.inodeKey === undefined) return;
    const paths = this.#inodes.get(entry.inodeKey);
    paths?.delete(entry.path);
    if (paths?.size === 0) this.#inodes.delete(entry.inodeKey);
  }
}

export function noSuchFile(path: string): VcError {
  return new VcError('BUILD_STEP_FAILED', `${path}: no such file or directory`);
}

export function notADirectory(path: string): VcError {
  return new VcError('BUILD_STEP_FAILED', `${path} is not a directory`);
}

export function isADirectory(path: string): VcError {
  return new VcError('BUILD_STEP_FAILED', `${path} is a directory`);
}

/** A manifest mode (`"755"`, `"0755"`, `"4755"`) as a number. */
export function parseMode(text: string): number {
  return Number.parseInt(text, 8) & 0o7777;
}
