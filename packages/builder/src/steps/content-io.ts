// SPDX-License-Identifier: Apache-2.0
// Content-store helpers shared by the steps: storing with our own errors kept, digests, hash checks.
import { createHash } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import { VcError } from '@verified-container/shared';
import { parseDigest, type ParsedDigest } from '@verified-container/shared/crypto';
import type { ContentStore, StoredContent } from '../content/content-store.js';
import type { ContextItem } from './context-dir.js';
import type { StepEnv } from './step-context.js';

/**
 * Stores bytes; a coded error raised while producing them (a size limit, a failed download)
 * comes out as itself rather than as the store's WRITE_FAILED.
 */
export async function putContent(
  store: ContentStore,
  data: Uint8Array | Readable | AsyncIterable<Uint8Array>,
): Promise<StoredContent> {
  try {
    return await store.put(data);
  } catch (err) {
    if (err instanceof VcError && err.code === 'WRITE_FAILED' && err.cause instanceof VcError) {
      throw err.cause;
    }
    throw err;
  }
}

/** A manifest hash (`sha256:<hex>` or `sha512:<hex>`, lowercase after parsing). */
export function parseHash(text: string): ParsedDigest {
  const parsed = parseDigest(text.toLowerCase());
  if (parsed === null) throw new VcError('MANIFEST_HASH', `not a sha256/sha512 hash: ${text}`);
  return parsed;
}

/** Hex digest of stored content; sha256 is the store's key, sha512 is computed by reading it. */
export async function digestOf(
  store: ContentStore,
  digest: string,
  algorithm: ParsedDigest['algorithm'],
): Promise<string> {
  if (algorithm === 'sha256') return digest;
  const hash = createHash('sha512');
  for await (const chunk of store.open(digest)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** BUILD_HASH_MISMATCH with both digests (01 §9.1 format: `sha256 mismatch for <what>: …`). */
export function hashMismatch(what: string, expected: ParsedDigest, actualHex: string): VcError {
  return new VcError(
    'BUILD_HASH_MISMATCH',
    `${expected.algorithm} mismatch for ${what}: expected ${expected.hex}, got ${actualHex}`,
    {
      details: {
        expected: `${expected.algorithm}:${expected.hex}`,
        actual: `${expected.algorithm}:${actualHex}`,
      },
      hint: 'check the source, or update the hash if the new content is trusted',
    },
  );
}

/** The mode a context file or directory gets in the image: 0755 if any x bit (and dirs), else 0644. */
export function contextMode(item: Pick<ContextItem, 'type' | 'mode'>): number {
  return item.type === 'd' || (item.mode & 0o111) !== 0 ? 0o755 : 0o644;
}

/**
 * Reads a resolved context file into the content store and records it as a build input. The
 * final open refuses a symlink, so a file swapped for one after resolution is not followed.
 */
export async function importContextFile(env: StepEnv, item: ContextItem): Promise<StoredContent> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(item.hostPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (cause) {
    throw new VcError('BUILD_STEP_FAILED', `build context: cannot read ${item.path}`, { cause });
  }
  try {
    if (!(await handle.stat()).isFile()) {
      throw new VcError('BUILD_STEP_FAILED', `build context: ${item.path} is not a regular file`);
    }
    const stored = await putContent(
      env.rootfs.content,
      handle.createReadStream({ autoClose: false }),
    );
    env.inputs.recordContextFile({
      path: item.path,
      sha256: stored.digest,
      size: stored.size,
      mode: contextMode(item),
    });
    return stored;
  } finally {
    await handle.close();
  }
}
