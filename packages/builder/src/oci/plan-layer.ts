// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { compareByPathBytes, type FileEntry } from '@verified-container/shared/image';
import type { TarHeader, TarTypeflag } from './ustar.js';

/** What one layer holds, as a diff against the layers below (see `diffLayers`). */
export interface LayerInput {
  /** Added or changed entries (absolute paths, as in the file table). */
  readonly entries: readonly FileEntry[];
  /** Absolute paths removed from the layers below: each becomes `.wh.<name>` in its parent. */
  readonly whiteouts?: readonly string[];
  /** Absolute directory paths whose lower content is hidden: `<dir>/.wh..wh..opq`. */
  readonly opaqueDirs?: readonly string[];
  /**
   * The root filesystem after this layer. Ancestor directories the layer does not change are
   * emitted with their attributes from here (so a whiteout in `/tmp` keeps `/tmp` at 1777);
   * ancestors it does not hold are emitted as 0755 0:0 directories (01 §6.3).
   */
  readonly tree?: ReadonlyMap<string, FileEntry>;
}

/** One tar member in archive order; `content` names the bytes of a regular file. */
export interface TarMember {
  readonly header: TarHeader;
  readonly content?: { readonly digest: string; readonly size: number };
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

const TYPEFLAG: Record<FileEntry['type'], TarTypeflag> = {
  f: '0',
  l: '2',
  c: '3',
  b: '4',
  d: '5',
  p: '6',
};

type Planned =
  | { kind: 'entry'; entry: FileEntry }
  | { kind: 'marker'; path: string }
  | { kind: 'parent'; path: string; from?: FileEntry };

/**
 * The members of a layer tar in archive order (01 §6.3): sorted by path bytes, parents before
 * children, missing parents added, mtimes clamped to `sourceDateEpoch`, files sharing an
 * `inodeKey` turned into hardlinks to the first path. Pure.
 */
export function planLayer(input: LayerInput, sourceDateEpoch: number): TarMember[] {
  const planned = new Map<string, Planned>();
  const add = (path: string, item: Planned) => {
    if (planned.has(path)) throw new VcError('INTERNAL', `layer lists ${path} twice`);
    planned.set(path, item);
  };
  for (const entry of input.entries) {
    assertEntryPath(entry.path);
    add(entry.path, { kind: 'entry', entry });
  }
  for (const path of input.whiteouts ?? []) {
    assertTablePath(path);
    const slash = path.lastIndexOf('/');
    add(`${path.slice(0, slash)}/${WHITEOUT_PREFIX}${path.slice(slash + 1)}`, {
      kind: 'marker',
      path,
    });
  }
  for (const dir of input.opaqueDirs ?? []) {
    assertTablePath(dir);
    add(`${dir}/${OPAQUE_WHITEOUT}`, { kind: 'marker', path: dir });
  }
  for (const path of [...planned.keys()]) {
    for (let a = parentOf(path); a !== '/'; a = parentOf(a)) {
      const existing = planned.get(a);
      if (existing !== undefined) {
        if (existing.kind === 'entry' && existing.entry.type !== 'd') {
          throw new VcError('INTERNAL', `layer puts ${path} under non-directory ${a}`);
        }
        continue;
      }
      const from = input.tree?.get(a);
      if (from !== undefined && from.type !== 'd') {
        throw new VcError('INTERNAL', `layer puts ${path} under non-directory ${a}`);
      }
      planned.set(a, { kind: 'parent', path: a, ...(from ? { from } : {}) });
    }
  }

  const epoch = sourceDateEpoch;
  const clamp = (mtime: number) => Math.max(0, Math.min(Math.floor(mtime), epoch));
  const firstPathOfInode = new Map<string, string>();
  const members: TarMember[] = [];
  for (const path of [...planned.keys()].sort(compareByPathBytes)) {
    const item = planned.get(path)!;
    const name = path.slice(1);
    switch (item.kind) {
      case 'marker':
        // Whiteouts are empty regular files owned by 0:0 with mode 0, as umoci writes them.
        members.push({
          header: { name, typeflag: '0', mode: 0, uid: 0, gid: 0, size: 0, mtime: epoch },
        });
        break;
      case 'parent': {
        const e = item.from;
        members.push({
          header: {
            name: `${name}/`,
            typeflag: '5',
            mode: e ? e.mode & 0o7777 : 0o755,
            uid: e?.uid ?? 0,
            gid: e?.gid ?? 0,
            size: 0,
            mtime: e ? clamp(e.mtime) : epoch,
          },
        });
        break;
      }
      case 'entry':
        members.push(entryMember(item.entry, name, clamp, firstPathOfInode));
        break;
    }
  }
  return members;
}

function entryMember(
  e: FileEntry,
  name: string,
  clamp: (mtime: number) => number,
  firstPathOfInode: Map<string, string>,
): TarMember {
  const base = { mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, mtime: clamp(e.mtime) };
  if (e.type !== 'd' && e.inodeKey !== undefined) {
    const first = firstPathOfInode.get(e.inodeKey);
    if (first !== undefined) {
      return { header: { ...base, name, typeflag: '1', size: 0, linkname: first } };
    }
    firstPathOfInode.set(e.inodeKey, name);
  }
  switch (e.type) {
    case 'f':
      return {
        header: { ...base, name, typeflag: '0', size: e.size },
        content: { digest: e.digest, size: e.size },
      };
    case 'd':
      return { header: { ...base, name: `${name}/`, typeflag: '5', size: 0 } };
    case 'l':
      if (e.linkTarget === undefined) {
        throw new VcError('INTERNAL', `symlink ${e.path} has no target`);
      }
      return { header: { ...base, name, typeflag: '2', size: 0, linkname: e.linkTarget } };
    case 'c':
    case 'b':
      return {
        header: {
          ...base,
          name,
          typeflag: TYPEFLAG[e.type],
          size: 0,
          devMajor: e.devMajor ?? 0,
          devMinor: e.devMinor ?? 0,
        },
      };
    case 'p':
      return { header: { ...base, name, typeflag: '6', size: 0 } };
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** Absolute, normalised, not the root: `/a/b`, never `/a//b`, `/a/./b`, `/a/` or `/`. */
function assertTablePath(path: string): void {
  const parts = path.split('/');
  const ok =
    path.startsWith('/') &&
    parts.length > 1 &&
    parts.slice(1).every((p) => p !== '' && p !== '.' && p !== '..' && !p.includes('\0'));
  if (!ok) throw new VcError('INTERNAL', `not a normalised absolute path: ${JSON.stringify(path)}`);
}

function assertEntryPath(path: string): void {
  assertTablePath(path);
  // Such a name would be read back as a whiteout marker, so no layer can carry it.
  if (path.slice(path.lastIndexOf('/') + 1).startsWith(WHITEOUT_PREFIX)) {
    throw new VcError(
      'UNSUPPORTED',
      `${path}: names starting with .wh. cannot be stored in an OCI layer`,
    );
  }
}
