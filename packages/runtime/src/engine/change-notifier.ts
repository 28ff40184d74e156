// SPDX-License-Identifier: Apache-2.0
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** How often waiting code looks again when no inotify event came (a safety net, not the mechanism). */
export const DEFAULT_RECHECK_MS = 500;

/**
 * Wakes waiters when anything changes in a set of directories (inotify through `fs.watch`), and at
 * the latest after a recheck interval, so a missed event only costs latency. Close it when done.
 */
export class ChangeNotifier {
  readonly #watchers: FSWatcher[] = [];
  #changed = false;
  #wake: (() => void) | undefined;

  constructor(dirs: readonly string[]) {
    for (const dir of dirs) {
      try {
        const watcher = watch(dir, { persistent: false }, () => this.#notify());
        watcher.on('error', () => this.#notify());
        this.#watchers.push(watcher);
      } catch {
        // A directory that does not exist yet is covered by the recheck interval.
      }
    }
  }

  /** Resolves at the next change (or at once if one happened since the last call), a timeout or an abort. */
  async next(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#changed || signal?.aborted === true) {
      this.#changed = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
    this.#changed = false;
  }

  close(): void {
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers.length = 0;
    this.#wake?.();
  }

  #notify(): void {
    this.#changed = true;
    this.#wake?.();
  }
}

/** The text of a file, or undefined when it does not exist. */
export async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
