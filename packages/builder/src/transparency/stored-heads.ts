// SPDX-License-Identifier: Apache-2.0
// The heads this machine has seen (03 §12 state): `$VC_ROOT/heads/<hex of the log id>.json`.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError, storePaths } from '@verified-container/shared';
import { checkTreeHead, type SignedTreeHead } from '@verified-container/shared/tlog';
import { ensureDirectory, writeFileAtomic } from '../io/files.js';
import { withLock } from '../store/locks.js';

/** A verified head as stored: the STH, its checkpoint and when this machine verified it. */
export interface StoredHead extends SignedTreeHead {
  checkpoint: string;
  /** RFC 3339 UTC. */
  verifiedAt: string;
}

/** `$VC_ROOT/heads/<hex of the log id's UTF-8 bytes>.json`. */
export function storedHeadPath(root: string, logId: string): string {
  return join(storePaths(root).heads, `${Buffer.from(logId, 'utf8').toString('hex')}.json`);
}

/** The stored head of `logId`, or undefined the first time; an unreadable file → `STATE_CORRUPT`. */
export async function readStoredHead(root: string, logId: string): Promise<StoredHead | undefined> {
  const path = storedHeadPath(root, logId);
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new VcError('READ_FAILED', `cannot read ${path}`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw corrupt(path, 'not JSON', cause);
  }
  const problems = checkTreeHead(value, '$');
  const head = value as Partial<StoredHead>;
  if (problems.length > 0) throw corrupt(path, problems[0]?.message ?? 'not a tree head');
  if (head.logId !== logId) throw corrupt(path, `it is the head of ${String(head.logId)}`);
  if (typeof head.checkpoint !== 'string' || typeof head.verifiedAt !== 'string') {
    throw corrupt(path, 'checkpoint and verifiedAt must be strings');
  }
  return head as StoredHead;
}

/**
 * Replaces the stored head atomically under the store lock `heads`, unless another run stored a
 * larger head since `seen` was read (that run checked it; this one must not move the head back).
 */
export async function storeHead(
  root: string,
  head: StoredHead,
  seen: StoredHead | undefined,
): Promise<void> {
  const path = storedHeadPath(root, head.logId);
  await ensureDirectory(storePaths(root).heads);
  await withLock(root, 'heads', async () => {
    const now = await readStoredHead(root, head.logId).catch(() => undefined);
    const moved = now !== undefined && (seen === undefined || now.rootHash !== seen.rootHash);
    if (moved && now.treeSize > head.treeSize) return;
    await writeFileAtomic(path, `${JSON.stringify(head)}\n`, { mode: 0o644 });
  });
}

function corrupt(path: string, why: string, cause?: unknown): VcError {
  return new VcError('STATE_CORRUPT', `${path}: not a stored tree head (${why})`, {
    ...(cause !== undefined ? { cause } : {}),
    hint: 'delete the file to trust the log head seen next as the first one',
  });
}
