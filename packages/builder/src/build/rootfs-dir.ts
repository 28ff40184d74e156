// SPDX-License-Identifier: Apache-2.0
// A file table written out as a directory for the build sandbox, and read back afterwards
// (`install = "configure"` runs dpkg on a real directory). The builder runs as root there, so
// the ownership dpkg sets on disk is the ownership it meant.
import { createHash } from 'node:crypto';
import { constants, createReadStream, promises as fs, type Stats } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import {
  compareByPathBytes,
  type FileEntry,
  type FileType,
} from '@verified-container/shared/image';
import type { ContentStore } from '../content/content-store.js';

/**
 * Writes every entry of `entries` (canonical paths, parents first) under the empty directory
 * `dir`: directories, files copied from the content store (entries sharing an `inodeKey` as
 * hardlinks), symlinks; owner and mode from the table. Devices and FIFOs → UNSUPPORTED.
 */
export async function writeRootfsDir(
  dir: string,
  entries: readonly FileEntry[],
  content: ContentStore,
): Promise<void> {
  const firstOfInode = new Map<string, string>();
  const sorted = [...entries].sort((a, b) => compareByPathBytes(a.path, b.path));
  for (const e of sorted) {
    const host = join(dir, e.path);
    switch (e.type) {
      case 'd':
        await fs.mkdir(host, { mode: 0o700 });
        break;
      case 'f': {
        const first = e.inodeKey === undefined ? undefined : firstOfInode.get(e.inodeKey);
        if (first !== undefined) {
          await fs.link(first, host);
          continue;
        }
        if (e.inodeKey !== undefined) firstOfInode.set(e.inodeKey, host);
        await fs.copyFile(content.pathOf(e.digest), host, constants.COPYFILE_EXCL);
        break;
      }
      case 'l':
        await fs.symlink(e.linkTarget ?? '', host);
        await fs.lchown(host, e.uid, e.gid);
        continue;
      case 'c':
      case 'b':
      case 'p':
        throw new VcError(
          'UNSUPPORTED',
          `${e.path}: device and FIFO entries cannot be given to the build sandbox yet`,
        );
    }
    // chown clears set-id bits, so the mode comes last.
    await fs.lchown(host, e.uid, e.gid);
    await fs.chmod(host, e.mode & 0o7777);
  }
}

/**
 * Reads a rootfs directory back into file-table rows: file contents into the content store,
 * ownership, modes, link targets and device numbers from `lstat`, hardlinks sharing an inode
 * given one `inodeKey`. Sockets are left out. Sorted by path bytes.
 */
export async function readRootfsDir(dir: string, content: ContentStore): Promise<FileEntry[]> {
  return readTree(dir, '', content);
}

/**
 * {@link readRootfsDir} of the entries below the canonical directory `under` of the rootfs
 * directory `rootDir` (not `under` itself), with their full rootfs paths. The caller makes sure
 * no component of `under` is a symlink on disk.
 */
export async function readRootfsSubtree(
  rootDir: string,
  under: string,
  content: ContentStore,
): Promise<FileEntry[]> {
  return readTree(join(rootDir, under), under === '/' ? '' : under, content);
}

async function readTree(dir: string, prefix: string, content: ContentStore): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  const walk = async (hostDir: string, path: string): Promise<void> => {
    const names = (await fs.readdir(hostDir)).sort();
    for (const name of names) {
      const host = join(hostDir, name);
      const p = `${path}/${name}`;
      const st = await fs.lstat(host);
      const base = {
        path: p,
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
        mtime: Math.floor(st.mtimeMs / 1000),
      };
      const type = typeOf(st);
      switch (type) {
        case undefined:
          continue;
        case 'd':
          out.push({ ...base, type, size: 0, digest: '' });
          await walk(host, p);
          continue;
        case 'f': {
          const stored = await content.put(createReadStream(host));
          out.push({
            ...base,
            type,
            size: stored.size,
            digest: stored.digest,
            ...(st.nlink > 1 ? { inodeKey: `host:${st.dev}:${st.ino}` } : {}),
          });
          continue;
        }
        case 'l': {
          const target = await fs.readlink(host);
          const bytes = Buffer.from(target, 'utf8');
          out.push({
            ...base,
            type,
            mode: 0o777,
            size: bytes.length,
            digest: createHash('sha256').update(bytes).digest('hex'),
            linkTarget: target,
          });
          continue;
        }
        case 'c':
        case 'b':
          out.push({
            ...base,
            type,
            size: 0,
            digest: '',
            devMajor: Math.floor(st.rdev / 256) & 0xfff,
            devMinor: (st.rdev & 0xff) | (Math.floor(st.rdev / 4096) & 0xfff00),
          });
          continue;
        case 'p':
          out.push({ ...base, type, size: 0, digest: '' });
          continue;
      }
    }
  };
  await walk(dir, prefix);
  return out.sort((a, b) => compareByPathBytes(a.path, b.path));
}

function typeOf(st: Stats): FileType | undefined {
  if (st.isDirectory()) return 'd';
  if (st.isFile()) return 'f';
  if (st.isSymbolicLink()) return 'l';
  if (st.isCharacterDevice()) return 'c';
  if (st.isBlockDevice()) return 'b';
  if (st.isFIFO()) return 'p';
  return undefined;
}
