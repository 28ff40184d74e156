// SPDX-License-Identifier: Apache-2.0
// The packages layer of `install = "extract"` (01 §5.3) on the builder's file table: every .deb
// unpacked in dependency order, dpkg's database written, the 01 §5.3 leftovers removed.
import { VcError } from '@verified-container/shared';
import type { FileEntry, InstalledPackage, LockedPackage } from '@verified-container/shared/image';
import { poolUrl, type MirrorKind } from '../debian/apt-sources.js';
import { readDeb, toInstalledPackage, type DebContents } from '../debian/deb-reader.js';
import { dpkgInfoFiles, mergeDpkgStatus, type StatusInput } from '../debian/dpkg-database.js';
import type { Exec } from '../debian/exec.js';
import { PathFilter, installPathRules } from '../debian/path-filter.js';
import { installOrder } from '../install/install-order.js';
import {
  EMPTIED_DIRECTORIES,
  OLD_FILE_DIRECTORIES,
  REMOVED_FILES,
  normaliseShadow,
} from '../install/post-install.js';
import type { RootFs } from '../steps/rootfs.js';
import { childPath, parentPath } from '../steps/rootfs-path.js';
import { mapLimit } from '../util/map-limit.js';

const DPKG_DIR = '/var/lib/dpkg';
const encoder = new TextEncoder();

/** A verified .deb in the download cache with its lock row. */
export interface DebFile {
  readonly package: LockedPackage;
  readonly path: string;
}

export interface ExtractPackagesOptions {
  readonly debs: readonly DebFile[];
  readonly pathExclude: readonly string[];
  readonly pathInclude: readonly string[];
  /** dpkg architecture of a new database's `arch` file. */
  readonly architecture: string;
  readonly mirrors: Readonly<Record<MirrorKind, string>>;
  readonly sourceDateEpoch: number;
  /** Parallel `dpkg-deb` readers. */
  readonly concurrency?: number;
  /** Called as each .deb has been read (progress). */
  readonly onRead?: (name: string) => void;
}

/**
 * Unpacks the packages into `rootfs` without running any script (01 §5.3 `extract`): members are
 * read with `dpkg-deb`, filtered by the path rules (the base's `/etc/dpkg/dpkg.cfg.d/*` and the
 * manifest's globs), their contents stored in the content store and their ownership and modes
 * taken from the archive. Then `/var/lib/dpkg/status` (base stanzas kept) and the `info` files are
 * written, and the files of 01 §5.3 removed. Returns the SBOM rows, sorted by name.
 */
export async function extractPackages(
  exec: Exec,
  rootfs: RootFs,
  opts: ExtractPackagesOptions,
): Promise<InstalledPackage[]> {
  const filter = new PathFilter(
    installPathRules({
      baseConfigFiles: await dpkgCfgFiles(rootfs),
      exclude: opts.pathExclude,
      include: opts.pathInclude,
    }),
  );
  const read = await mapLimit(opts.debs, opts.concurrency ?? 4, async (deb) => {
    const contents = await readDeb(exec, deb.path, { sink: rootfs.content, filter });
    checkIdentity(deb, contents);
    opts.onRead?.(deb.package.name);
    return { deb, contents };
  });
  const ordered = installOrder(
    read.map((r) => ({
      ...r,
      name: r.deb.package.name,
      depends: r.contents.control.folded('Depends'),
      preDepends: r.contents.control.folded('Pre-Depends'),
      provides: r.contents.control.folded('Provides'),
    })),
  );

  const baseStatus = (await rootfs.readText(`${DPKG_DIR}/status`)) ?? '';
  await ensureDpkgDatabase(rootfs, opts.architecture, baseStatus === '');
  const status: StatusInput[] = [];
  for (const { deb, contents } of ordered) {
    for (const entry of contents.entries) placeEntry(rootfs, entry);
    const multiArch = contents.control.first('Multi-Arch') || 'no';
    for (const file of dpkgInfoFiles({
      name: deb.package.name,
      architecture: deb.package.architecture,
      multiArch,
      listedPaths: contents.listedPaths,
      md5sums: contents.md5sums,
      controlFiles: contents.controlFiles,
    })) {
      await writeTableFile(rootfs, file.path, file.content, file.mode);
    }
    status.push({
      control: contents.control.fields,
      conffiles: contents.conffiles.map((path) => ({
        path,
        md5: contents.md5ByPath.get(path) ?? 'newconffile',
      })),
    });
  }
  await writeTableFile(
    rootfs,
    `${DPKG_DIR}/status`,
    encoder.encode(mergeDpkgStatus(baseStatus, status)),
    0o644,
  );
  await cleanUpTable(rootfs, opts.sourceDateEpoch);

  return read
    .map(({ deb, contents }) =>
      toInstalledPackage(
        deb.package,
        contents,
        poolUrl(opts.mirrors, deb.package.pocket, deb.package.filename),
      ),
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Puts one member of a .deb into the table as dpkg unpacks it: parent directories are resolved
 * through symlinks already in the rootfs (a merged-/usr `/bin` → `usr/bin`), an existing directory
 * takes the member's mode and owner, anything else is replaced.
 */
export function placeEntry(rootfs: RootFs, entry: FileEntry): void {
  const parent = rootfs.mkdirp(parentPath(entry.path));
  const canonical = childPath(parent, entry.path.slice(entry.path.lastIndexOf('/') + 1));
  const owner = { uid: entry.uid, gid: entry.gid };
  switch (entry.type) {
    case 'd': {
      const existing = rootfs.get(canonical);
      if (existing?.type === 'd') rootfs.update(canonical, { mode: entry.mode, ...owner });
      else rootfs.put(canonical, { type: 'd', mode: entry.mode, ...owner });
      return;
    }
    case 'f':
      rootfs.put(canonical, {
        type: 'f',
        mode: entry.mode,
        content: { digest: entry.digest, size: entry.size },
        ...owner,
        ...(entry.inodeKey === undefined ? {} : { inodeKey: entry.inodeKey }),
      });
      return;
    case 'l':
      rootfs.put(canonical, { type: 'l', target: entry.linkTarget ?? '', ...owner });
      return;
    case 'c':
    case 'b':
    case 'p':
      throw new VcError(
        'UNSUPPORTED',
        `${entry.path}: device and FIFO members of packages cannot be unpacked with install = "extract" yet`,
        { hint: 'use install = "configure"' },
      );
  }
}

/** The empty dpkg database of a root without one (directories, `arch`, `info/format`). */
async function ensureDpkgDatabase(
  rootfs: RootFs,
  architecture: string,
  fresh: boolean,
): Promise<void> {
  for (const dir of ['info', 'updates', 'triggers', 'alternatives'])
    rootfs.mkdirp(`${DPKG_DIR}/${dir}`);
  if (!fresh) return;
  if (rootfs.lookup(`${DPKG_DIR}/arch`) === undefined) {
    await writeTableFile(rootfs, `${DPKG_DIR}/arch`, encoder.encode(`${architecture}\n`), 0o644);
  }
  if (rootfs.lookup(`${DPKG_DIR}/info/format`) === undefined) {
    await writeTableFile(rootfs, `${DPKG_DIR}/info/format`, encoder.encode('1\n'), 0o644);
  }
}

async function writeTableFile(
  rootfs: RootFs,
  path: string,
  bytes: Uint8Array,
  mode: number,
): Promise<void> {
  const stored = await rootfs.content.put(bytes);
  rootfs.writeFile(path, stored, { mode });
}

/** The leftovers of 01 §5.3, removed from the table; `/etc/machine-id` emptied, shadow clamped. */
export async function cleanUpTable(rootfs: RootFs, sourceDateEpoch: number): Promise<string[]> {
  const removed: string[] = [];
  const childrenOf = (dir: string) => {
    const entry = rootfs.lookup(dir);
    return entry?.type === 'd' ? rootfs.children(rootfs.resolve(dir)) : [];
  };
  for (const dir of EMPTIED_DIRECTORIES) {
    for (const child of childrenOf(dir)) {
      rootfs.remove(child.path);
      removed.push(child.path);
    }
  }
  for (const file of REMOVED_FILES) {
    const canonical = rootfs.resolve(file, { followFinal: false });
    if (rootfs.get(canonical) === undefined) continue;
    rootfs.remove(canonical);
    removed.push(canonical);
  }
  for (const dir of OLD_FILE_DIRECTORIES) {
    for (const child of childrenOf(dir)) {
      if (!child.path.endsWith('-old')) continue;
      rootfs.remove(child.path);
      removed.push(child.path);
    }
  }
  const machineId = rootfs.lookup('/etc/machine-id');
  if (machineId?.type === 'f' && machineId.size > 0) {
    await writeTableFile(rootfs, '/etc/machine-id', new Uint8Array(), machineId.mode);
  }
  for (const shadow of ['/etc/shadow', '/etc/shadow-']) {
    const entry = rootfs.lookup(shadow);
    const text = await rootfs.readText(shadow);
    if (entry === undefined || text === undefined) continue;
    const normalised = normaliseShadow(text, sourceDateEpoch);
    if (normalised === text) continue;
    const stored = await rootfs.content.put(encoder.encode(normalised));
    rootfs.writeFile(shadow, stored, { mode: entry.mode, uid: entry.uid, gid: entry.gid });
  }
  return removed.sort();
}

/** `path-exclude`/`path-include` files of the rootfs's `/etc/dpkg/dpkg.cfg.d`. */
async function dpkgCfgFiles(rootfs: RootFs): Promise<{ name: string; text: string }[]> {
  const dir = rootfs.lookup('/etc/dpkg/dpkg.cfg.d');
  if (dir?.type !== 'd') return [];
  const out: { name: string; text: string }[] = [];
  for (const child of rootfs.children(rootfs.resolve('/etc/dpkg/dpkg.cfg.d'))) {
    const text = await rootfs.readText(child.path);
    if (text !== undefined)
      out.push({ name: child.path.slice(child.path.lastIndexOf('/') + 1), text });
  }
  return out;
}

/** The .deb must be the package the lock names (its sha256 was checked on download). */
function checkIdentity(deb: DebFile, contents: DebContents): void {
  const name = contents.control.first('Package');
  const version = contents.control.first('Version');
  if (name !== deb.package.name || version !== deb.package.version) {
    throw new VcError(
      'BUILD_LOCK_INVALID',
      `${deb.path} is ${name} ${version}, but the lock names ${deb.package.name} ${deb.package.version}`,
      { hint: 'run `cerro-torre lock --update`' },
    );
  }
}
