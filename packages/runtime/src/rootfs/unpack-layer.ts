// SPDX-License-Identifier: Apache-2.0
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { VcError } from '@verified-container/shared';
import { extract as tarExtract, type Header } from 'tar-stream';
import type { ImageLayer } from '../image/store-image.js';
import { diffIdHex, vordrPaths } from '../store/vordr-paths.js';
import { OVERLAY_OPAQUE_XATTR, classifyLayerMember } from './layer-member.js';
import type { SpecialFiles } from './special-files.js';

/** The PAX record carrying a file capability (GNU tar, Docker). */
const CAPABILITY_PAX = 'SCHILY.xattr.security.capability';

export interface UnpackLayerOptions {
  /** `$VC_ROOT`. */
  readonly root: string;
  readonly layer: Pick<ImageLayer, 'digest' | 'diffId' | 'compression'>;
  /** Opens the layer blob (the store's blob file). */
  readonly open: () => Readable;
  readonly special: SpecialFiles;
}

/**
 * Unpacks a layer once into `cache/layers/<diffid-hex>/` (05 §4.4) and returns that directory.
 * The blob is stream-decompressed while its digest and the diff id are computed; either one
 * differing → MALFORMED_BUNDLE and nothing is kept. Members are checked before they are written:
 * no `..`, no absolute names, no parent that is a symlink, hardlinks only to earlier members; OCI
 * whiteouts become overlay whiteouts, opaque markers `trusted.overlay.opaque=y`; numeric owners,
 * modes, mtimes and `security.capability` are kept; device nodes → UNSUPPORTED. The work happens
 * in a temporary directory renamed into place, so concurrent unpackers of one layer are harmless
 * (the first rename wins) and a crash leaves no half layer under the final name.
 */
export async function unpackLayer(opts: UnpackLayerOptions): Promise<string> {
  const layers = vordrPaths(opts.root).layers;
  const hex = diffIdHex(opts.layer.diffId);
  const final = join(layers, hex);
  if (await isDirectory(final)) return final;
  await fs.mkdir(layers, { recursive: true, mode: 0o755 });
  const tmp = join(layers, `.tmp-${hex.slice(0, 12)}-${randomBytes(6).toString('hex')}`);
  await fs.mkdir(tmp, { mode: 0o755 });
  try {
    await extractLayer(opts, tmp);
    try {
      await fs.rename(tmp, final);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      // Another unpacker got there first with the same verified content.
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await isDirectory(final))) {
        await fs.rm(tmp, { recursive: true, force: true });
        return final;
      }
      throw cause;
    }
    return final;
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    if (err instanceof VcError) throw err;
    throw new VcError('RUNTIME_ERROR', `cannot unpack layer ${opts.layer.digest}`, { cause: err });
  }
}

async function extractLayer(opts: UnpackLayerOptions, dir: string): Promise<void> {
  const { layer } = opts;
  const blobHash = createHash('sha256');
  const tarHash = createHash('sha256');
  const extract = tarExtract();
  const stages = [
    opts.open(),
    tap(blobHash),
    ...(layer.compression === 'gzip' ? [createGunzip()] : []),
    tap(tarHash),
    extract,
  ] as const;
  const flowing = pipeline(stages as unknown as [Readable, ...NodeJS.WritableStream[]]);
  // Whatever the members, the rest of the stream must be read so the digests cover every byte.
  flowing.catch(() => undefined);
  const writer = new LayerWriter(dir, layer.diffId, opts.special);
  try {
    for await (const member of extract) {
      await writer.write(member.header, member as AsyncIterable<Uint8Array>);
      member.resume();
    }
    await flowing;
  } catch (err) {
    extract.destroy();
    if (err instanceof VcError) throw err;
    throw new VcError('MALFORMED_BUNDLE', `layer ${layer.digest} is not a readable tar`, {
      cause: err,
    });
  }
  const blobDigest = `sha256:${blobHash.digest('hex')}`;
  if (blobDigest !== layer.digest) {
    throw new VcError(
      'MALFORMED_BUNDLE',
      `layer blob ${layer.digest} has the digest ${blobDigest}`,
      { hint: 'the image store is damaged; reload or rebuild the image' },
    );
  }
  const diffId = `sha256:${tarHash.digest('hex')}`;
  if (diffId !== layer.diffId) {
    throw new VcError(
      'MALFORMED_BUNDLE',
      `layer ${layer.digest} unpacks to ${diffId}, not its diff id ${layer.diffId}`,
    );
  }
  await writer.finish();
}

/** A pass-through that hashes what flows. */
function tap(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

/** Writes members below `dir`, refusing anything that could leave it. */
class LayerWriter {
  /** Directories whose times are set last (writing into them changes their mtime). */
  private readonly dirTimes: { path: string; mtime: Date }[] = [];

  constructor(
    private readonly dir: string,
    private readonly layer: string,
    private readonly special: SpecialFiles,
  ) {}

  async write(header: Header, body: AsyncIterable<Uint8Array>): Promise<void> {
    const member = classifyLayerMember(header.name, this.layer);
    switch (member.kind) {
      case 'root':
        return;
      case 'opaque': {
        const path = await this.ensureDirs(member.parts);
        await this.special.setXattr(path, OVERLAY_OPAQUE_XATTR, new TextEncoder().encode('y'));
        return;
      }
      case 'whiteout': {
        const path = await this.prepare(member.parts);
        await this.special.makeWhiteout(path);
        return;
      }
      case 'entry':
        await this.writeEntry(member.parts, header, body);
    }
  }

  async finish(): Promise<void> {
    for (const { path, mtime } of this.dirTimes.reverse()) await fs.utimes(path, mtime, mtime);
  }

  private async writeEntry(
    parts: readonly string[],
    header: Header,
    body: AsyncIterable<Uint8Array>,
  ): Promise<void> {
    const mode = (header.mode ?? 0o644) & 0o7777;
    const uid = header.uid ?? 0;
    const gid = header.gid ?? 0;
    const mtime = header.mtime ?? new Date(0);
    switch (header.type) {
      case 'directory': {
        const path = await this.ensureDirs(parts);
        await fs.chown(path, uid, gid);
        await fs.chmod(path, mode);
        this.dirTimes.push({ path, mtime });
        break;
      }
      case 'file':
      case 'contiguous-file': {
        const path = await this.prepare(parts);
        const handle = await fs.open(path, 'wx', 0o600);
        try {
          for await (const chunk of body) await handle.write(chunk);
        } finally {
          await handle.close();
        }
        await this.finishFile(path, header, uid, gid, mode, mtime);
        break;
      }
      case 'symlink': {
        const path = await this.prepare(parts);
        await fs.symlink(header.linkname ?? '', path);
        await fs.lchown(path, uid, gid);
        await fs.lutimes(path, mtime, mtime);
        break;
      }
      case 'link': {
        const target = classifyLayerMember(header.linkname ?? '', this.layer);
        if (target.kind !== 'entry') throw this.unsafe(header, 'links outside the layer');
        const from = await this.existing(target.parts, header);
        const path = await this.prepare(parts);
        await fs.link(from, path);
        break;
      }
      case 'fifo': {
        const path = await this.prepare(parts);
        await this.special.makeFifo(path, mode);
        await fs.chown(path, uid, gid);
        await fs.chmod(path, mode);
        await fs.utimes(path, mtime, mtime);
        break;
      }
      case 'character-device':
      case 'block-device':
        throw new VcError(
          'UNSUPPORTED',
          `layer ${this.layer}: ${header.name} is a device node; images may not carry devices`,
        );
      default:
        throw this.unsafe(header, `has the unsupported type ${String(header.type)}`);
    }
  }

  private async finishFile(
    path: string,
    header: Header,
    uid: number,
    gid: number,
    mode: number,
    mtime: Date,
  ): Promise<void> {
    // chown clears set-id bits, so the mode comes after it; capabilities after both.
    await fs.chown(path, uid, gid);
    await fs.chmod(path, mode);
    const capability = (header.pax as Record<string, string> | undefined)?.[CAPABILITY_PAX];
    if (capability !== undefined) {
      await this.special.setXattr(path, 'security.capability', Buffer.from(capability, 'latin1'));
    }
    await fs.utimes(path, mtime, mtime);
  }

  /**
   * The absolute path for a new member at `parts`: parents exist as real directories (created
   * 0755 when missing, refused when a symlink or non-directory), and the member's own name is
   * free (a previous member of the same name is replaced, as tar does; never a directory).
   */
  private async prepare(parts: readonly string[]): Promise<string> {
    const parent = await this.ensureDirs(parts.slice(0, -1));
    const path = join(parent, parts[parts.length - 1]!);
    const stat = await fs.lstat(path).catch(() => null);
    if (stat !== null) {
      if (stat.isDirectory()) await fs.rm(path, { recursive: true });
      else await fs.unlink(path);
    }
    return path;
  }

  /** Creates the directories `parts` below the layer root; each must be a real directory. */
  private async ensureDirs(parts: readonly string[]): Promise<string> {
    let path = this.dir;
    for (const part of parts) {
      path = join(path, part);
      const stat = await fs.lstat(path).catch(() => null);
      if (stat === null) {
        await fs.mkdir(path, { mode: 0o755 });
      } else if (!stat.isDirectory()) {
        throw new VcError(
          'MALFORMED_BUNDLE',
          `layer ${this.layer}: ${parts.join('/')} passes through ${stat.isSymbolicLink() ? 'a symlink' : 'a non-directory'} at ${part}`,
        );
      }
    }
    return path;
  }

  /** An earlier member at `parts`, reached through real directories only. */
  private async existing(parts: readonly string[], header: Header): Promise<string> {
    let path = this.dir;
    for (const [i, part] of parts.entries()) {
      path = join(path, part);
      const stat = await fs.lstat(path).catch(() => null);
      if (stat === null) throw this.unsafe(header, 'links to a member that is not in the layer');
      if (i < parts.length - 1 && !stat.isDirectory()) {
        throw this.unsafe(header, 'links through a symlink or non-directory');
      }
      if (i === parts.length - 1 && stat.isDirectory()) {
        throw this.unsafe(header, 'is a hardlink to a directory');
      }
    }
    return path;
  }

  private unsafe(header: Header, why: string): VcError {
    return new VcError('MALFORMED_BUNDLE', `layer ${this.layer}: member ${header.name} ${why}`);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  const stat = await fs.lstat(path).catch(() => null);
  return stat?.isDirectory() ?? false;
}
