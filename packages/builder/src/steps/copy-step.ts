// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import type { StoredContent } from '../content/content-store.js';
import { contextMode, importContextFile } from './content-io.js';
import { isADirectory, noSuchFile, parseMode, type RootFs } from './rootfs.js';
import { baseName, childPath, splitPath } from './rootfs-path.js';
import type { StepEnv, StepOf } from './step-context.js';

/** One thing to copy, relative to the source root (`''` is the source itself). */
type CopyItem =
  | { readonly rel: string; readonly type: 'd'; readonly mode: number }
  | {
      readonly rel: string;
      readonly type: 'f';
      readonly mode: number;
      readonly content: StoredContent;
    }
  | { readonly rel: string; readonly type: 'l'; readonly target: string };

/**
 * `copy`: a file or a tree, from the rootfs or the build context, owned 0:0. A `dest` ending in
 * `/` or naming an existing directory receives the source's basename. Modes are kept from the
 * rootfs; from the context files get 0755 if any x bit else 0644, directories 0755. `mode`, when
 * given, replaces the mode of the copied files (directories keep theirs).
 *
 * The source path is followed through symlinks; inside a rootfs tree symlinks are copied as
 * symlinks, inside a context tree they are followed while they stay in the context (rule 2).
 * At the destination, symlinks are followed like any write (rule 1), except that a copied
 * symlink replaces an existing one. The source is read whole before anything is written.
 */
export async function runCopy(step: StepOf<'copy'>, env: StepEnv): Promise<void> {
  const { rootfs } = env;
  const items =
    step.from === 'rootfs' ? collectRootfs(rootfs, step.src) : await collectContext(env, step.src);
  const root = items[0];
  if (root === undefined) throw noSuchFile(step.src);

  const intoDir = step.dest.endsWith('/') && step.dest !== '/';
  const destPath = intoDir ? step.dest.slice(0, -1) : step.dest;
  const dest = rootfs.resolve(destPath);
  const existing = rootfs.get(dest);
  let target = dest;
  if (intoDir || dest === '/' || existing?.type === 'd') {
    const name = baseName(step.src);
    if (name === '')
      throw new VcError('BUILD_STEP_FAILED', `cannot copy ${step.src} into a directory`);
    if (existing === undefined) rootfs.mkdirp(dest);
    else if (existing.type !== 'd')
      throw new VcError('BUILD_STEP_FAILED', `${step.dest} is not a directory`);
    target = rootfs.resolve(childPath(dest, name));
  }

  const fileMode = step.mode === undefined ? undefined : parseMode(step.mode);
  for (const item of items) {
    // Like writing a file, a symlink met at the destination is followed, except by a copied
    // symlink, which replaces it (as `ln -sf` would).
    const named = item.rel === '' ? target : `${target}/${item.rel}`;
    writeItem(rootfs, rootfs.resolve(named, { followFinal: item.type !== 'l' }), item, fileMode);
  }
}

function writeItem(rootfs: RootFs, path: string, item: CopyItem, fileMode: number | undefined) {
  const existing = rootfs.get(path);
  switch (item.type) {
    case 'd':
      if (existing?.type === 'd') rootfs.update(path, { mode: item.mode, uid: 0, gid: 0 });
      else rootfs.put(path, { type: 'd', mode: item.mode });
      return;
    case 'f':
      if (existing?.type === 'd') throw isADirectory(path);
      rootfs.put(path, { type: 'f', mode: fileMode ?? item.mode, content: item.content });
      return;
    case 'l':
      if (existing?.type === 'd') throw isADirectory(path);
      rootfs.put(path, { type: 'l', target: item.target });
      return;
  }
}

/** The source tree in the rootfs, read before anything is written (a copy into itself is fine). */
function collectRootfs(rootfs: RootFs, src: string): CopyItem[] {
  const canonical = rootfs.resolve(src);
  if (rootfs.get(canonical) === undefined) throw noSuchFile(src);
  const prefix = canonical === '/' ? 1 : canonical.length + 1;
  const items: CopyItem[] = [];
  for (const entry of rootfs.walk(canonical)) {
    const rel = entry.path === canonical ? '' : entry.path.slice(prefix);
    switch (entry.type) {
      case 'd':
        items.push({ rel, type: 'd', mode: entry.mode });
        break;
      case 'f':
        items.push({
          rel,
          type: 'f',
          mode: entry.mode,
          content: { digest: entry.digest, size: entry.size },
        });
        break;
      case 'l':
        items.push({ rel, type: 'l', target: entry.linkTarget ?? '' });
        break;
      case 'c':
      case 'b':
      case 'p':
        throw new VcError('BUILD_STEP_FAILED', `cannot copy the device or FIFO ${entry.path}`);
    }
  }
  return items;
}

async function collectContext(env: StepEnv, src: string): Promise<CopyItem[]> {
  const prefix = splitPath(src).join('/');
  const items: CopyItem[] = [];
  for (const item of await env.context.walk(src)) {
    const rel = item.path === prefix ? '' : item.path.slice(prefix === '' ? 0 : prefix.length + 1);
    const mode = contextMode(item);
    if (item.type === 'd') items.push({ rel, type: 'd', mode });
    else items.push({ rel, type: 'f', mode, content: await importContextFile(env, item) });
  }
  return items;
}
