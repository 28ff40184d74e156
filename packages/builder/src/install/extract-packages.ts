// SPDX-License-Identifier: Apache-2.0
// `install = "extract"` (01 §5.3): unpack on the host, no script runs, then write dpkg's database
// (status + info files) ourselves so dpkg tools and debsecan read the image.
import { chmod, mkdir, readFile, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '@verified-container/shared';
import { dpkgInfoFiles, dpkgPackageKey, mergeDpkgStatus } from '../debian/dpkg-database.js';
import type { StatusInput } from '../debian/dpkg-database.js';
import type { Exec } from '../debian/exec.js';
import type { PathFilter } from '../debian/path-filter.js';
import type { DebControl } from './deb-control.js';
import { lstatOrUndefined, resolveInRootfs } from './rootfs-dir.js';
import { unpackDeb } from './unpack-deb.js';
import type { UnpackResult } from './unpack-deb.js';

export const DPKG_ADMIN_DIR = '/var/lib/dpkg';

/** Info files dpkg may hold for a package; the old ones go when a package is replaced. */
const INFO_SUFFIXES = [
  'list',
  'md5sums',
  'conffiles',
  'preinst',
  'postinst',
  'prerm',
  'postrm',
  'config',
  'templates',
  'triggers',
  'shlibs',
  'symbols',
];

/**
 * The directories and files an empty dpkg database needs (what mmdebstrap's setup creates):
 * `info`, `updates`, `triggers`, `alternatives`, and for a new database an empty `status`,
 * `info/format` and `arch` (when the architecture is known). Existing ones are left alone.
 */
export async function ensureDpkgDatabase(
  rootfs: string,
  architecture: string | undefined,
): Promise<void> {
  for (const dir of ['info', 'updates', 'triggers', 'alternatives']) {
    await mkdir(await resolveInRootfs(rootfs, `${DPKG_ADMIN_DIR}/${dir}`, true), {
      recursive: true,
      mode: 0o755,
    });
  }
  const status = await resolveInRootfs(rootfs, `${DPKG_ADMIN_DIR}/status`, false);
  if ((await lstatOrUndefined(status)) !== undefined) return;
  await writeFile(status, '', { mode: 0o644 });
  if (architecture !== undefined) {
    await writeIfMissing(rootfs, `${DPKG_ADMIN_DIR}/arch`, `${architecture}\n`);
  }
}

/**
 * Unpacks `packages` in the given order into `rootfs` (see {@link unpackDeb}); a package already
 * in the database (an upgrade) loses the files of its old version that the new one no longer
 * has. Returns what each unpack wrote, by package name.
 */
export async function unpackPackages(
  exec: Exec,
  rootfs: string,
  packages: readonly DebControl[],
  filter: PathFilter,
  logger: Logger,
): Promise<Map<string, UnpackResult>> {
  const results = new Map<string, UnpackResult>();
  for (const pkg of packages) {
    logger.debug({ package: pkg.name, version: pkg.version }, 'unpack on host');
    const key = dpkgPackageKey(pkg.name, pkg.architecture, pkg.multiArch);
    const oldList = await readInfo(rootfs, key, 'list');
    const result = await unpackDeb(exec, pkg.path, rootfs, {
      filter,
      conffiles: new Set(pkg.conffiles),
    });
    if (oldList !== undefined) await removeObsolete(rootfs, key, oldList, result.listedPaths);
    results.set(pkg.name, result);
  }
  return results;
}

/**
 * Writes `/var/lib/dpkg/status` (base stanzas kept, these packages added or replaced, every one
 * `install ok installed`) and `/var/lib/dpkg/info/<pkg>[:<arch>].*` for `packages`.
 */
export async function writeDpkgDatabase(
  rootfs: string,
  packages: readonly DebControl[],
  unpacked: ReadonlyMap<string, UnpackResult>,
): Promise<void> {
  const inputs: StatusInput[] = [];
  for (const pkg of packages) {
    const result = unpacked.get(pkg.name);
    if (result === undefined) continue;
    const key = dpkgPackageKey(pkg.name, pkg.architecture, pkg.multiArch);
    for (const suffix of INFO_SUFFIXES) {
      await rm(await infoPath(rootfs, key, suffix), { force: true });
    }
    const shipped = pkg.controlFiles.get('md5sums');
    const md5sums =
      shipped !== undefined
        ? Buffer.from(shipped.content).toString('utf8')
        : [...result.md5ByPath].map(([p, md5]) => `${md5}  ${p.slice(1)}\n`).join('');
    for (const file of dpkgInfoFiles({
      name: pkg.name,
      architecture: pkg.architecture,
      multiArch: pkg.multiArch,
      listedPaths: result.listedPaths,
      md5sums,
      controlFiles: pkg.controlFiles,
    })) {
      const host = await resolveInRootfs(rootfs, file.path, false);
      await mkdir(dirname(host), { recursive: true, mode: 0o755 });
      await writeFile(host, file.content);
      await chmod(host, file.mode);
    }
    inputs.push({
      control: pkg.control.fields,
      conffiles: pkg.conffiles.map((path) => ({
        path,
        md5: result.md5ByPath.get(path) ?? 'newconffile',
      })),
    });
  }
  const statusHost = await resolveInRootfs(rootfs, `${DPKG_ADMIN_DIR}/status`, false);
  let base = '';
  try {
    base = await readFile(statusHost, 'utf8');
  } catch {
    // no database yet
  }
  await mkdir(dirname(statusHost), { recursive: true, mode: 0o755 });
  await writeFile(statusHost, mergeDpkgStatus(base, inputs));
  await chmod(statusHost, 0o644);
  const format = await resolveInRootfs(rootfs, `${DPKG_ADMIN_DIR}/info/format`, false);
  if ((await lstatOrUndefined(format)) === undefined) await writeFile(format, '1\n');
}

async function infoPath(rootfs: string, key: string, suffix: string): Promise<string> {
  return resolveInRootfs(rootfs, `${DPKG_ADMIN_DIR}/info/${key}.${suffix}`, false);
}

async function readInfo(rootfs: string, key: string, suffix: string) {
  try {
    return await readFile(await infoPath(rootfs, key, suffix), 'utf8');
  } catch {
    return undefined;
  }
}

/** Files of the old version that neither the new version nor another package lists. */
async function removeObsolete(
  rootfs: string,
  key: string,
  oldList: string,
  newListed: readonly string[],
): Promise<void> {
  const keep = new Set(newListed);
  const candidates = oldList.split('\n').filter((p) => p !== '' && p !== '/.' && !keep.has(p));
  if (candidates.length === 0) return;
  const infoDir = await resolveInRootfs(rootfs, `${DPKG_ADMIN_DIR}/info`, true);
  for (const name of await readdir(infoDir)) {
    if (!name.endsWith('.list') || name === `${key}.list`) continue;
    for (const p of (await readFile(`${infoDir}/${name}`, 'utf8')).split('\n')) keep.add(p);
  }
  // Deepest first, so emptied directories can go too.
  for (const path of candidates
    .filter((p) => !keep.has(p))
    .sort()
    .reverse()) {
    const host = await resolveInRootfs(rootfs, path, false);
    const st = await lstatOrUndefined(host);
    if (st === undefined) continue;
    if (st.isDirectory()) {
      await rmdir(host).catch(() => undefined);
      continue;
    }
    await rm(host, { force: true });
  }
}

async function writeIfMissing(rootfs: string, path: string, content: string): Promise<void> {
  const host = await resolveInRootfs(rootfs, path, false);
  if ((await lstatOrUndefined(host)) !== undefined) return;
  await mkdir(dirname(host), { recursive: true, mode: 0o755 });
  await writeFile(host, content, { mode: 0o644 });
}
