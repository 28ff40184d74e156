// SPDX-License-Identifier: Apache-2.0
// The private directory of one build under `$VC_ROOT/cache/build/work/` (01 §6.1): everything is
// written here first; commit moves it into the store.
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import type { LayerInput } from '../oci/plan-layer.js';
import { writeLayer, type ContentSource, type PackedLayer } from '../oci/tar-writer.js';
import { ensureDirectory } from '../io/files.js';

export class WorkDir implements AsyncDisposable {
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  /** A new, empty work directory (0700) under `<cacheBuildDir>/work`. */
  static async create(cacheBuildDir: string): Promise<WorkDir> {
    const parent = join(cacheBuildDir, 'work');
    await ensureDirectory(parent);
    const path = join(parent, `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`);
    await fs.mkdir(path, { mode: 0o700 });
    return new WorkDir(path);
  }

  /** Where packed blobs wait for the commit. */
  get blobsDir(): string {
    return join(this.path, 'blobs');
  }

  blobPath(digest: string): string {
    return join(this.blobsDir, digest.replace(/^sha256:/, ''));
  }

  /** Packs a layer into the work directory (streamed) and returns its identities. */
  async packLayer(
    input: LayerInput,
    opts: { content: ContentSource; sourceDateEpoch: number },
  ): Promise<PackedLayer> {
    await ensureDirectory(this.blobsDir);
    const tmp = join(this.blobsDir, `.layer-${randomBytes(6).toString('hex')}.tmp`);
    try {
      const packed = await writeLayer(
        input,
        opts,
        createWriteStream(tmp, { flags: 'wx', mode: 0o644 }),
      );
      await fs.rename(tmp, this.blobPath(packed.digest));
      return packed;
    } catch (err) {
      await fs.rm(tmp, { force: true });
      if (err instanceof VcError) throw err;
      throw new VcError('WRITE_FAILED', `cannot pack a layer in ${this.path}: ${String(err)}`, {
        cause: err,
      });
    }
  }

  /** Writes a small file (JSON blob, statement copy) into the work directory. */
  async writeFile(relative: string, bytes: Uint8Array | string): Promise<string> {
    const path = join(this.path, relative);
    await ensureDirectory(join(path, '..'));
    await fs.writeFile(path, bytes, { mode: 0o644 });
    return path;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await fs.rm(this.path, { recursive: true, force: true });
  }
}
