// SPDX-License-Identifier: Apache-2.0
// The layout part of step 5 (04 §3) for a store image: resolveImage already checked the manifest
// and config blobs; here every layer blob must exist and hash to its digest. A blob hashed once is
// remembered by (inode, size, mtime) in `cache/verify/blobs.json` and not hashed again (04 §10).
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '@verified-container/shared';
import { parseJson } from '@verified-container/shared/json';
import type { ImageLayer } from '../image/index.js';
import { blobPath } from '../image/index.js';
import { writeFileAtomic } from '../store/atomic-file.js';

/** What a blob's file looked like when it last hashed to its digest. */
interface BlobStamp {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * MALFORMED_BUNDLE problems of the layers (missing blob, other digest); empty when every layer
 * blob is intact. `cacheDir` holds `blobs.json`; undefined: hash everything, remember nothing.
 */
export async function checkLayerBlobs(
  root: string,
  layers: readonly Pick<ImageLayer, 'digest'>[],
  cacheDir: string | undefined,
): Promise<Problem[]> {
  const stamps = cacheDir !== undefined ? await readStamps(cacheDir) : {};
  const problems: Problem[] = [];
  let learned = false;
  for (const [i, layer] of layers.entries()) {
    const path = blobPath(root, layer.digest);
    let stat: Awaited<ReturnType<typeof fs.stat>>;
    try {
      stat = await fs.stat(path);
    } catch {
      problems.push(malformed(`the image store: layer ${i} ${layer.digest} is missing`));
      continue;
    }
    const stamp: BlobStamp = { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };
    const known = stamps[layer.digest];
    if (
      known !== undefined &&
      known.ino === stamp.ino &&
      known.size === stamp.size &&
      known.mtimeMs === stamp.mtimeMs
    ) {
      continue;
    }
    const actual = await sha256OfFile(path).catch(() => undefined);
    if (actual === undefined) {
      problems.push(malformed(`the image store: layer ${i} ${layer.digest} cannot be read`));
    } else if (actual !== layer.digest) {
      problems.push(
        malformed(`the image store: layer ${i} ${layer.digest} has the digest ${actual}`),
      );
    } else {
      stamps[layer.digest] = stamp;
      learned = true;
    }
  }
  if (cacheDir !== undefined && learned) await writeStamps(cacheDir, stamps);
  return problems;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

function malformed(message: string): Problem {
  return { code: 'MALFORMED_BUNDLE', path: '$', message };
}

async function readStamps(dir: string): Promise<Record<string, BlobStamp>> {
  try {
    const doc = parseJson(await fs.readFile(join(dir, 'blobs.json')), { mode: 'ecma' });
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return {};
    const out: Record<string, BlobStamp> = Object.create(null) as Record<string, BlobStamp>;
    for (const [digest, value] of Object.entries(doc as Record<string, unknown>)) {
      const v = value as Partial<BlobStamp> | null;
      if (
        typeof v?.ino === 'number' &&
        typeof v.size === 'number' &&
        typeof v.mtimeMs === 'number'
      ) {
        out[digest] = { ino: v.ino, size: v.size, mtimeMs: v.mtimeMs };
      }
    }
    return out;
  } catch {
    return {};
  }
}

/** Another process may write the file at the same time: the last writer wins, nothing breaks. */
async function writeStamps(dir: string, stamps: Record<string, BlobStamp>): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(dir, 'blobs.json'), `${JSON.stringify(stamps)}\n`, {
      mode: 0o600,
    });
  } catch {
    // The stamps only save work.
  }
}
