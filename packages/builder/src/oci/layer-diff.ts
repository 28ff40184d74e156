// SPDX-License-Identifier: Apache-2.0
import { compareByPathBytes, type FileEntry } from '@verified-container/shared/image';

/** File table keyed by absolute path (`FileEntry.path`). */
export type FileTable = ReadonlyMap<string, FileEntry>;

/** What a layer must hold to turn `lower` into `upper` (01 §6.2). */
export interface LayerDiff {
  /** Added or changed entries, sorted by path bytes. */
  readonly entries: FileEntry[];
  /** Absolute paths to remove from the layers below (`.wh.<name>`), sorted. */
  readonly whiteouts: string[];
  /** Absolute directories whose lower content is hidden (`.wh..wh..opq`), sorted. */
  readonly opaqueDirs: string[];
}

/**
 * True when two entries are the same for layering (01 §6.2): content digest, type, mode, owner,
 * link target and device numbers. mtime alone is not a change.
 */
export function isSameEntry(a: FileEntry, b: FileEntry): boolean {
  return (
    a.type === b.type &&
    (a.mode & 0o7777) === (b.mode & 0o7777) &&
    a.uid === b.uid &&
    a.gid === b.gid &&
    a.size === b.size &&
    a.digest === b.digest &&
    a.linkTarget === b.linkTarget &&
    (a.devMajor ?? 0) === (b.devMajor ?? 0) &&
    (a.devMinor ?? 0) === (b.devMinor ?? 0)
  );
}

/**
 * The layer between two root filesystems. Pure.
 *
 * - A path missing from `upper` is whited out, unless an ancestor's whiteout or opaque marker
 *   already hides it.
 * - A directory replaced by a non-directory, or the reverse, is whited out and re-added.
 * - A directory present in both whose lower content is entirely gone or rewritten (nothing below
 *   it survives unchanged, something was removed) is a replaced directory: one opaque marker
 *   instead of a whiteout per removed child.
 */
export function diffLayers(lower: FileTable, upper: FileTable): LayerDiff {
  const changed = new Set<string>();
  const replaced = new Set<string>();
  for (const [path, entry] of upper) {
    const before = lower.get(path);
    if (before === undefined || !isSameEntry(before, entry)) changed.add(path);
    if (before !== undefined && (before.type === 'd') !== (entry.type === 'd')) replaced.add(path);
  }

  // Bottom-up facts about each lower directory's subtree, one ancestor walk per lower path.
  const hasSurvivor = new Set<string>();
  const hasRemoved = new Set<string>();
  const removed: string[] = [];
  for (const path of lower.keys()) {
    const gone = !upper.has(path) || replaced.has(path);
    if (!upper.has(path)) removed.push(path);
    const survives = !gone && !changed.has(path);
    for (const a of ancestors(path)) {
      if (survives) hasSurvivor.add(a);
      if (gone) hasRemoved.add(a);
    }
  }
  const opaque = new Set<string>();
  for (const [path, entry] of upper) {
    const before = lower.get(path);
    if (entry.type !== 'd' || before?.type !== 'd') continue;
    if (hasRemoved.has(path) && !hasSurvivor.has(path)) opaque.add(path);
  }

  const hidden = (path: string) =>
    ancestors(path).some(
      (a) => opaque.has(a) || replaced.has(a) || (lower.has(a) && !upper.has(a)),
    );
  const whiteouts = [...removed, ...replaced].filter((p) => !hidden(p));
  // Only the outermost opaque directory of a subtree is needed.
  const opaqueDirs = [...opaque].filter((d) => !hidden(d));
  return {
    entries: [...changed].sort(compareByPathBytes).map((p) => upper.get(p)!),
    whiteouts: whiteouts.sort(compareByPathBytes),
    opaqueDirs: opaqueDirs.sort(compareByPathBytes),
  };
}

/**
 * The root filesystem after a layer, as an OCI extractor builds it: whiteouts and opaque markers
 * hide lower content only, then the layer's entries are laid over (a non-directory replacing a
 * directory drops what was below it). Pure; the result is ordered by path bytes.
 */
export function applyLayer(
  lower: FileTable,
  entries: readonly FileEntry[],
  whiteouts: readonly string[],
  opaqueDirs: readonly string[] = [],
): Map<string, FileEntry> {
  const removedTrees = new Set(whiteouts);
  const emptiedDirs = new Set(opaqueDirs);
  for (const e of entries) {
    const before = lower.get(e.path);
    if (before?.type === 'd' && e.type !== 'd') emptiedDirs.add(e.path);
  }
  const merged = new Map<string, FileEntry>();
  for (const [path, entry] of lower) {
    const gone =
      removedTrees.has(path) ||
      ancestors(path).some((a) => removedTrees.has(a) || emptiedDirs.has(a));
    if (!gone) merged.set(path, entry);
  }
  for (const e of entries) merged.set(e.path, e);
  return new Map([...merged].sort(([a], [b]) => compareByPathBytes(a, b)));
}

/** `/a/b/c` → `['/a/b', '/a']` (the root is not an entry). */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    out.push(path.slice(0, i));
  }
  return out;
}
