// SPDX-License-Identifier: Apache-2.0
import type { BuildProgress } from '../build/progress.js';

/** Blobs from this size on are reported as a task (start, every 10 s, end) on stderr. */
export const LARGE_BLOB_BYTES = 8 * 1024 * 1024;

/**
 * Passes `source` through, reporting it as `task` when `total` is at least
 * {@link LARGE_BLOB_BYTES} (small blobs would only be noise).
 */
export async function* withProgress(
  source: AsyncIterable<Uint8Array>,
  task: string,
  total: number,
  progress: BuildProgress,
): AsyncGenerator<Uint8Array> {
  if (total < LARGE_BLOB_BYTES) {
    yield* source;
    return;
  }
  progress.begin(task);
  let done = 0;
  for await (const chunk of source) {
    done += chunk.byteLength;
    progress.advance(task, done, total);
    yield chunk;
  }
  progress.end(task);
}
