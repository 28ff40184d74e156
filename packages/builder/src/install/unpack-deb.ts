// SPDX-License-Identifier: Apache-2.0
// Unpacks a .deb's data archive into a rootfs directory on the host, as dpkg's unpack does it
// (no scripts): `dpkg-deb --fsys-tarfile` streamed through tar-stream.
import { createHash, randomBytes } from 'node:crypto';
import {
  chmod,
  chown,
  lchown,
  link,
  lutimes,
  mkdir,
  open,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  utimes,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { VcError } from '@verified-container/shared';
import type { Header } from 'tar-stream';
import { drain, HOST_PATH, normalizeMember, readDebTar } from '../debian/deb-tar.js';
import type { Exec } from '../debian/exec.js';
import type { PathFilter } from '../debian/path-filter.js';
import { lstatOrUndefined, resolveInRootfs } from './rootfs-dir.js';

export interface UnpackOptions {
  /** path-exclude/path-include rules; skipped members are not written. */
  readonly filter?: PathFilter;
  /** Conffiles of the package, whose md5 the status file records. */
  readonly conffiles?: ReadonlySet<string>;
}

export interface UnpackResult {
  /** Every member as dpkg lists it in `info/<pkg>.list`: archive order, `/.` for the root. */
  readonly listedPaths: readonly string[];
  /** MD5 of each unpacked regular file (hardlinks included), in archive order. */
  readonly md5ByPath: ReadonlyMap<string, string>;
  /** Members left out by the filter. */
  readonly skippedPaths: readonly string[];
}

/**
 * Writes the members of `debPath` into `rootfs`: parents resolved inside the rootfs (so the
 * merged-/usr `bin -> usr/bin` links are kept), an existing directory (or a symlink to one) left
 * as it is, files and links written under a temporary name and renamed over the old path, owner,
 * mode (setuid bits included) and mtime from the archive. Members with `..` →
 * BUILD_ARCHIVE_UNSAFE; a file where a directory is → BUILD_PACKAGE_CONFLICT.
 */
export async function unpackDeb(
  exec: Exec,
  debPath: string,
  rootfs: string,
  opts: UnpackOptions = {},
): Promise<UnpackResult> {
  const listed: string[] = [];
  const skipped = new Set<string>();
  const md5ByPath = new Map<string, string>();
  const dirTimes: { host: string; mtime: number }[] = [];
  await readDebTar(exec, debPath, '--fsys-tarfile', {}, async (header, body) => {
    const path = normalizeMember(header.name, debPath);
    listed.push(path === '/' ? '/.' : path);
    const type = header.type;
    if (path === '/') {
      await drain(body);
      return;
    }
    const filterType =
      type === 'directory' ? 'd' : type === 'symlink' ? 'l' : type === 'file' ? 'f' : 'f';
    const linkTarget =
      type === 'link' ? normalizeMember(header.linkname ?? '', debPath) : undefined;
    if (
      opts.filter?.skips(path, filterType) === true ||
      (linkTarget !== undefined && skipped.has(linkTarget))
    ) {
      skipped.add(path);
      await drain(body);
      return;
    }
    const host = await resolveInRootfs(rootfs, path, false);
    await mkdir(dirname(host), { recursive: true, mode: 0o755 });
    const mtime = Math.floor((header.mtime?.getTime() ?? 0) / 1000);
    switch (type) {
      case 'directory': {
        await drain(body);
        if ((await statOrUndefined(host))?.isDirectory() === true) return;
        await removeNonDirectory(host, path, debPath);
        await mkdir(host, { mode: 0o700 });
        await setOwnerAndMode(host, header);
        dirTimes.push({ host, mtime });
        return;
      }
      case 'file':
      case 'contiguous-file': {
        const tmp = tempName(host);
        const md5 = await writeFile(tmp, body);
        await setOwnerAndMode(tmp, header);
        await utimes(tmp, mtime, mtime);
        await replace(tmp, host, path, debPath);
        md5ByPath.set(path, md5);
        return;
      }
      case 'symlink': {
        await drain(body);
        // dpkg keeps an existing directory where the package has a symlink.
        if ((await lstatOrUndefined(host))?.isDirectory() === true) return;
        const tmp = tempName(host);
        await symlink(header.linkname ?? '', tmp);
        await lchown(tmp, header.uid ?? 0, header.gid ?? 0);
        await lutimes(tmp, mtime, mtime);
        await replace(tmp, host, path, debPath);
        return;
      }
      case 'link': {
        await drain(body);
        const target = await resolveInRootfs(rootfs, linkTarget ?? '', false);
        const tmp = tempName(host);
        await link(target, tmp);
        await replace(tmp, host, path, debPath);
        const md5 = md5ByPath.get(linkTarget ?? '');
        if (md5 !== undefined) md5ByPath.set(path, md5);
        return;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        await drain(body);
        const tmp = tempName(host);
        const args =
          type === 'fifo'
            ? [tmp, 'p']
            : [
                tmp,
                type === 'block-device' ? 'b' : 'c',
                `${header.devmajor ?? 0}`,
                `${header.devminor ?? 0}`,
              ];
        const r = await exec.run('mknod', args, { env: { PATH: HOST_PATH } });
        if (r.code !== 0) {
          throw new VcError(
            'BUILD_ARCHIVE_UNSAFE',
            `${debPath}: cannot create ${path}: ${r.stderr}`,
          );
        }
        await setOwnerAndMode(tmp, header);
        await replace(tmp, host, path, debPath);
        return;
      }
      default:
        throw new VcError(
          'BUILD_ARCHIVE_UNSAFE',
          `${debPath}: member ${path} has the unsupported type ${String(type)}`,
        );
    }
  });
  // Directory mtimes last, once nothing more is written into them (as tar does).
  for (const { host, mtime } of dirTimes.reverse()) await utimes(host, mtime, mtime);
  return { listedPaths: listed, md5ByPath, skippedPaths: [...skipped] };
}

function tempName(host: string): string {
  return join(dirname(host), `.ct-unpack-${randomBytes(6).toString('hex')}`);
}

async function writeFile(path: string, body: AsyncIterable<Uint8Array>): Promise<string> {
  const md5 = createHash('md5');
  const fh = await open(path, 'wx', 0o600);
  try {
    for await (const chunk of body) {
      md5.update(chunk);
      await fh.write(chunk);
    }
  } finally {
    await fh.close();
  }
  return md5.digest('hex');
}

/** chown before chmod: chown clears setuid/setgid bits. */
async function setOwnerAndMode(path: string, header: Header): Promise<void> {
  await chown(path, header.uid ?? 0, header.gid ?? 0);
  await chmod(path, (header.mode ?? 0o644) & 0o7777);
}

async function replace(tmp: string, host: string, path: string, debPath: string): Promise<void> {
  const existing = await lstatOrUndefined(host);
  if (existing?.isDirectory() === true) {
    await rm(tmp, { force: true });
    throw new VcError(
      'BUILD_PACKAGE_CONFLICT',
      `${debPath}: ${path} is a directory in the rootfs, the package has a file there`,
    );
  }
  await rename(tmp, host);
}

async function removeNonDirectory(host: string, path: string, debPath: string): Promise<void> {
  const existing = await lstatOrUndefined(host);
  if (existing === undefined) return;
  if (existing.isSymbolicLink()) {
    // A dangling or non-directory symlink where the package has a directory: dpkg replaces it.
    await unlink(host);
    return;
  }
  throw new VcError(
    'BUILD_PACKAGE_CONFLICT',
    `${debPath}: ${path} exists in the rootfs and is not a directory`,
  );
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}
