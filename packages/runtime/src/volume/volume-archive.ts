// SPDX-License-Identifier: Apache-2.0
// `vordr volume import | export` (05 §10.2): a volume's content as a tar.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, createReadStream } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { VcError } from '@verified-container/shared';
import { pack as tarPack, type Header } from 'tar-stream';

/** What an entry needs to say; tar-stream fills the rest. */
type EntryHeader = Partial<Header> & { name: string };
import { readTarStream, tarFormatOf, type TarMember } from '../image-load/tar-file.js';
import { withLock } from '../store/locks.js';
import { getVolume, volumePaths } from './volume-store.js';

const run = promisify(execFile);

/**
 * Unpacks a tar (plain or gzip, told by its first bytes) into the volume `name`, which must exist.
 * Owners, modes and times are kept. A member name that is absolute or has `..`, a member written
 * through a symlink, a hardlink to anything but an earlier file, and devices, FIFOs and sockets
 * → VALIDATION_FAILED, and the volume is left as it was: the tar is unpacked aside first, then
 * moved in (into an empty volume) or copied over the volume's content (`cp -a`).
 */
export async function importVolume(root: string, name: string, source: Readable): Promise<number> {
  await getVolume(root, name);
  const paths = volumePaths(root, name);
  return withLock(root, `vol-${name}`, async () => {
    const staged = join(paths.dir, `.import-${randomBytes(6).toString('hex')}`);
    await fs.mkdir(staged, { mode: 0o755 });
    try {
      const count = await unpackInto(staged, source, name);
      await fs.mkdir(paths.data, { recursive: true, mode: 0o755 });
      if ((await fs.readdir(paths.data)).length === 0) {
        const st = await fs.stat(paths.data);
        await fs.rm(paths.data, { recursive: true });
        await fs.rename(staged, paths.data);
        await fs.chmod(paths.data, st.mode & 0o7777);
        await fs.chown(paths.data, st.uid, st.gid);
      } else {
        await run('cp', ['-a', '--', `${staged}/.`, `${paths.data}/`]).catch((cause) => {
          throw new VcError('RUNTIME_ERROR', `cannot copy the archive into volume ${name}`, {
            cause,
          });
        });
      }
      return count;
    } finally {
      await fs.rm(staged, { recursive: true, force: true });
    }
  });
}

async function unpackInto(dir: string, source: Readable, volume: string): Promise<number> {
  const { format, stream } = await sniff(source, volume);
  const dirTimes: { path: string; mtime: Date }[] = [];
  let count = 0;
  try {
    for await (const member of readTarStream(stream, format)) {
      count += 1;
      await writeMember(dir, member, dirTimes, volume);
    }
  } catch (err) {
    if (err instanceof VcError) throw err;
    if ((err as NodeJS.ErrnoException).syscall !== undefined) {
      throw new VcError('WRITE_FAILED', `cannot import into volume ${volume}`, { cause: err });
    }
    throw invalid(volume, `the archive is not a readable tar (${(err as Error).message})`, err);
  }
  for (const { path, mtime } of dirTimes.reverse()) await fs.utimes(path, mtime, mtime);
  return count;
}

/** Reads the first bytes to tell gzip from plain tar, then hands on the whole stream. */
async function sniff(
  source: Readable,
  volume: string,
): Promise<{ format: 'tar' | 'tar.gz'; stream: Readable }> {
  const iterator = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < 512) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    head.push(next.value);
    length += next.value.length;
  }
  const first = Buffer.concat(head);
  const format = tarFormatOf(first);
  if (format === undefined) throw invalid(volume, 'the archive is neither a tar nor a gzip tar');
  const stream = Readable.from(
    (async function* () {
      yield first;
      if (done) return;
      for (let n = await iterator.next(); n.done !== true; n = await iterator.next()) {
        yield n.value;
      }
    })(),
  );
  return { format, stream };
}

async function writeMember(
  dir: string,
  member: TarMember,
  dirTimes: { path: string; mtime: Date }[],
  volume: string,
): Promise<void> {
  const parts = safeParts(member.name, volume);
  if (parts.length === 0) return;
  const parent = await ensureDirs(dir, parts.slice(0, -1), volume);
  const path = join(parent, parts[parts.length - 1]!);
  const mode = member.mode & 0o7777;
  const existing = await fs.lstat(path).catch(() => null);
  if (existing !== null && !(existing.isDirectory() && member.type === 'directory')) {
    if (existing.isDirectory()) await fs.rm(path, { recursive: true });
    else await fs.unlink(path);
  }
  switch (member.type) {
    case 'directory':
      if (existing === null || !existing.isDirectory()) await fs.mkdir(path, { mode: 0o755 });
      await fs.chown(path, member.uid, member.gid);
      await fs.chmod(path, mode);
      dirTimes.push({ path, mtime: member.mtime });
      return;
    case 'file': {
      const handle = await fs.open(path, 'wx', 0o600);
      try {
        for await (const chunk of member.body) await handle.write(chunk);
      } finally {
        await handle.close();
      }
      await fs.chown(path, member.uid, member.gid);
      await fs.chmod(path, mode);
      await fs.utimes(path, member.mtime, member.mtime);
      return;
    }
    case 'symlink':
      // The target is data: it is never followed while importing.
      await fs.symlink(member.linkName ?? '', path);
      await fs.lchown(path, member.uid, member.gid);
      await fs.lutimes(path, member.mtime, member.mtime);
      return;
    case 'hardlink': {
      const target = safeParts(member.linkName ?? '', volume);
      let from = dir;
      for (const [i, part] of target.entries()) {
        from = join(from, part);
        const st = await fs.lstat(from).catch(() => null);
        const last = i === target.length - 1;
        if (st === null || (!last && !st.isDirectory()) || (last && !st.isFile())) {
          throw invalid(volume, `${member.name} is a hardlink to something not an earlier file`);
        }
      }
      if (target.length === 0) throw invalid(volume, `${member.name} is a hardlink to nothing`);
      await fs.link(from, path);
      return;
    }
    case 'character-device':
    case 'block-device':
    case 'fifo':
    case 'socket':
    case 'unknown':
      throw invalid(volume, `${member.name} is a ${member.type}; volume archives hold no devices`);
  }
}

/** Components of a member name; absolute or `..` → VALIDATION_FAILED. */
function safeParts(name: string, volume: string): string[] {
  if (name.startsWith('/')) throw invalid(volume, `the member ${name} has an absolute name`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw invalid(volume, `the member ${name} leaves the volume`);
  return parts;
}

/** Creates `parts` below `dir` as real directories; a symlink or file on the way → invalid. */
async function ensureDirs(dir: string, parts: readonly string[], volume: string): Promise<string> {
  let path = dir;
  for (const part of parts) {
    path = join(path, part);
    const st = await fs.lstat(path).catch(() => null);
    if (st === null) await fs.mkdir(path, { mode: 0o755 });
    else if (!st.isDirectory()) {
      throw invalid(volume, `a member is written through the non-directory ${parts.join('/')}`);
    }
  }
  return path;
}

function invalid(volume: string, why: string, cause?: unknown): VcError {
  return new VcError(
    'VALIDATION_FAILED',
    `cannot import into volume ${volume}: ${why}`,
    cause !== undefined ? { cause } : {},
  );
}

/**
 * Writes the volume's content as a plain tar to `sink` (members sorted by path; owners, modes,
 * times kept; hardlinked files once, then as links). Sockets and devices are left out.
 */
export async function exportVolume(root: string, name: string, sink: Writable): Promise<number> {
  await getVolume(root, name);
  const data = volumePaths(root, name).data;
  const pack = tarPack();
  let count = 0;
  const producing = (async () => {
    const seen = new Map<string, string>();
    const walk = async (d: string): Promise<void> => {
      const names = (await fs.readdir(d)).sort();
      for (const entry of names) {
        const path = join(d, entry);
        const rel = relative(data, path).split(sep).join('/');
        const st = await fs.lstat(path);
        const base: EntryHeader = {
          name: rel,
          mode: st.mode & 0o7777,
          uid: st.uid,
          gid: st.gid,
          mtime: st.mtime,
        };
        if (st.isDirectory()) {
          await entryOf(pack, { ...base, name: `${rel}/`, type: 'directory' });
          count += 1;
          await walk(path);
        } else if (st.isSymbolicLink()) {
          await entryOf(pack, { ...base, type: 'symlink', linkname: await fs.readlink(path) });
          count += 1;
        } else if (st.isFile()) {
          const key = `${st.dev}:${st.ino}`;
          const first = st.nlink > 1 ? seen.get(key) : undefined;
          if (first !== undefined) {
            await entryOf(pack, { ...base, type: 'link', linkname: first });
          } else {
            if (st.nlink > 1) seen.set(key, rel);
            await fileEntry(pack, { ...base, type: 'file', size: st.size }, path);
          }
          count += 1;
        }
      }
    };
    await walk(data);
    pack.finalize();
  })();
  producing.catch((err: unknown) => pack.destroy(err as Error));
  await Promise.all([pipeline(pack, sink), producing]);
  return count;
}

function entryOf(pack: ReturnType<typeof tarPack>, header: EntryHeader): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
}

async function fileEntry(
  pack: ReturnType<typeof tarPack>,
  header: EntryHeader,
  path: string,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const entry = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    pipeline(createReadStream(path), entry).catch(reject);
  });
}
