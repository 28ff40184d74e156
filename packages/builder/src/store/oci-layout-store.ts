// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { VcError } from '@verified-container/shared';
import { REF_NAME_ANNOTATION, type Descriptor } from '../oci/media-types.js';
import { writeContentAddressed, type BlobSource } from './content-addressed.js';
import { parseImageReference, parseTaggedName, refName } from './image-reference.js';
import { withLock } from './locks.js';
import { ensureLayoutFile, readIndex, refNameOf, writeIndex } from './oci-index.js';

export interface OciLayoutStoreOptions {
  /** `$VC_ROOT`; the layout is `$VC_ROOT/images`, locks are `$VC_ROOT/locks`. */
  readonly root: string;
  /** Recorded in the `images` lock's owner.json. */
  readonly tool?: string;
  /** How long `tag` waits for the `images` lock. */
  readonly lockTimeoutMs?: number;
}

/** A tag of the store. */
export interface TaggedImage {
  /** `name:tag`. */
  readonly ref: string;
  readonly name: string;
  readonly tag: string;
  readonly manifest: Descriptor;
}

/** Reads blobs: what `writeOciLayout` copies from. */
export interface BlobReader {
  readBlob(digest: string): Promise<Uint8Array>;
  openBlob(digest: string): Readable;
}

const NOT_FOUND_HINT = 'build it with cerro-torre build, or load a .ctp with vordr image load';

/**
 * The store's single OCI image layout `$VC_ROOT/images/` (00 §4, 02 §2): blobs shared by all
 * images, and an index.json holding one descriptor per tag (`org.opencontainers.image.ref.name`
 * = `name:tag`). Reads take no lock; `tag` holds the `images` lock.
 */
export class OciLayoutStore implements BlobReader {
  readonly dir: string;
  private readonly opts: OciLayoutStoreOptions;

  constructor(opts: OciLayoutStoreOptions) {
    this.opts = opts;
    this.dir = join(opts.root, 'images');
  }

  /**
   * Stores a blob under its digest (00 §4.1). With `expected`, bytes that do not match fail with
   * MALFORMED_BUNDLE and nothing is stored; a blob already present is not rewritten.
   */
  async putBlob(
    data: BlobSource,
    expected?: { readonly digest: string; readonly size?: number },
  ): Promise<{ digest: string; size: number }> {
    await ensureLayoutFile(this.dir);
    const { hex, size } = await writeContentAddressed(
      { tmpDir: this.dir, dir: join(this.dir, 'blobs', 'sha256') },
      data,
      expected && {
        hex: hexOf(expected.digest),
        ...(expected.size !== undefined ? { size: expected.size } : {}),
        mismatchCode: 'MALFORMED_BUNDLE',
        what: `blob ${expected.digest}`,
      },
    );
    return { digest: `sha256:${hex}`, size };
  }

  async hasBlob(digest: string): Promise<boolean> {
    try {
      await fs.access(this.blobPath(digest));
      return true;
    } catch {
      return false;
    }
  }

  /** Reads a whole blob and checks its digest (use `openBlob` for layers). */
  async readBlob(digest: string): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(this.blobPath(digest)));
    } catch (cause) {
      throw missingBlob(digest, cause);
    }
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (actual !== digest) {
      throw new VcError('STATE_CORRUPT', `blob ${digest} in ${this.dir} has digest ${actual}`, {
        hint: 'the image store is damaged; rebuild or reload the image',
      });
    }
    return bytes;
  }

  /** Streams a blob (no digest check: the consumer hashes what it reads). */
  openBlob(digest: string): Readable {
    const path = this.blobPath(digest);
    return Readable.from(
      (async function* () {
        try {
          yield* createReadStream(path) as AsyncIterable<Buffer>;
        } catch (cause) {
          throw missingBlob(digest, cause);
        }
      })(),
      { objectMode: false },
    );
  }

  blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', hexOf(digest));
  }

  /**
   * Points `name:tag` at a manifest already in the store; an existing tag moves. index.json is
   * replaced atomically under the `images` lock.
   */
  async tag(ref: string, manifest: Descriptor): Promise<void> {
    const { name, tag } = parseTaggedName(ref);
    const refNameValue = refName(name, tag);
    if (!(await this.hasBlob(manifest.digest))) {
      throw new VcError(
        'INTERNAL',
        `cannot tag ${refNameValue}: manifest ${manifest.digest} is not stored`,
      );
    }
    const descriptor: Descriptor = {
      mediaType: manifest.mediaType,
      digest: manifest.digest,
      size: manifest.size,
      annotations: { [REF_NAME_ANNOTATION]: refNameValue },
    };
    await withLock(
      this.opts.root,
      'images',
      async () => {
        const index = await readIndex(this.dir);
        const others = index.manifests.filter((d) => refNameOf(d) !== refNameValue);
        await writeIndex(this.dir, { ...index, manifests: [...others, descriptor] });
      },
      {
        ...(this.opts.tool !== undefined ? { tool: this.opts.tool } : {}),
        ...(this.opts.lockTimeoutMs !== undefined ? { timeoutMs: this.opts.lockTimeoutMs } : {}),
      },
    );
  }

  /**
   * The manifest descriptor of `name:tag`, `name` (= `name:latest`) or `name@sha256:<hex>` (a
   * digest that one of the name's tags points at). IMAGE_NOT_FOUND otherwise.
   */
  async resolve(ref: string): Promise<Descriptor> {
    const parsed = parseImageReference(ref);
    const { manifests } = await readIndex(this.dir);
    const found =
      parsed.kind === 'tag'
        ? manifests.find((d) => refNameOf(d) === refName(parsed.name, parsed.tag))
        : manifests.find(
            (d) => d.digest === parsed.digest && refNameOf(d)?.startsWith(`${parsed.name}:`),
          );
    if (found === undefined) {
      throw new VcError('IMAGE_NOT_FOUND', `image ${JSON.stringify(ref)} is not in the store`, {
        hint: NOT_FOUND_HINT,
      });
    }
    return found;
  }

  /** Every tag, sorted by `name:tag`. */
  async list(): Promise<TaggedImage[]> {
    const { manifests } = await readIndex(this.dir);
    const out: TaggedImage[] = [];
    for (const d of manifests) {
      const ref = refNameOf(d);
      if (ref === undefined) continue;
      const colon = ref.lastIndexOf(':');
      if (colon <= 0) continue;
      out.push({ ref, name: ref.slice(0, colon), tag: ref.slice(colon + 1), manifest: d });
    }
    return out.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  }
}

function hexOf(digest: string): string {
  // The hex becomes a file name: anything but a sha256 digest could escape the blobs directory.
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new VcError('INTERNAL', `not a sha256 digest: ${JSON.stringify(digest)}`);
  }
  return digest.slice(7);
}

function missingBlob(digest: string, cause: unknown): VcError {
  return new VcError('STATE_CORRUPT', `blob ${digest} is not readable in the image store`, {
    cause,
    hint: 'the image store is damaged; rebuild or reload the image',
  });
}
