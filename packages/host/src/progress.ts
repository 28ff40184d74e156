// SPDX-License-Identifier: Apache-2.0
// Progress of long work for people (00 §6: builds, downloads, pushes): stderr only, never stdout.

/** Where long work reports its tasks; the CLI prints them, the API may ignore them. */
export interface TaskProgress {
  /** A task starts (`download busybox`, `pack packages layer`). */
  begin(task: string, detail?: string): void;
  /** Bytes done of a task with a known total. */
  advance(task: string, bytes: number, total: number): void;
  /** A task ends; `detail` says how (`1.2 MB`, `cached`). */
  end(task: string, detail?: string): void;
  /** One line of its own (lock written, base resolved). */
  note(text: string): void;
}

export const silentProgress: TaskProgress = {
  begin: () => undefined,
  advance: () => undefined,
  end: () => undefined,
  note: () => undefined,
};

/** Interval between the lines of a long task when stderr is not a terminal (00 §6). */
export const PROGRESS_INTERVAL_MS = 10_000;

/**
 * Progress as plain lines, for a stderr that is not a terminal: one line when a task starts,
 * one every {@link PROGRESS_INTERVAL_MS} while it advances, one when it ends.
 */
export class LineProgress implements TaskProgress {
  readonly #write: (line: string) => void;
  readonly #now: () => number;
  readonly #lastLine = new Map<string, number>();

  constructor(write: (line: string) => void, now: () => number = () => Date.now()) {
    this.#write = write;
    this.#now = now;
  }

  begin(task: string, detail?: string): void {
    this.#lastLine.set(task, this.#now());
    this.#write(`  ${task}${detail === undefined ? '' : `  ${detail}`}\n`);
  }

  advance(task: string, bytes: number, total: number): void {
    const last = this.#lastLine.get(task);
    const now = this.#now();
    if (last !== undefined && now - last < PROGRESS_INTERVAL_MS) return;
    this.#lastLine.set(task, now);
    this.#write(`  ${task}  ${formatBytes(bytes)}/${formatBytes(total)}\n`);
  }

  end(task: string, detail?: string): void {
    this.#lastLine.delete(task);
    this.#write(`  ${task}: done${detail === undefined ? '' : ` (${detail})`}\n`);
  }

  note(text: string): void {
    this.#write(`${text}\n`);
  }
}

/** Redraws of a terminal progress line are at least this far apart. */
export const TTY_REDRAW_MS = 100;

/**
 * Progress on a terminal: the running task is one line redrawn in place (`\r`, erase line) as it
 * advances, and left as its `done` line when it ends; notes print above it.
 */
export class TtyProgress implements TaskProgress {
  readonly #write: (text: string) => void;
  readonly #now: () => number;
  #current: string | undefined;
  #lastDraw = 0;

  constructor(write: (text: string) => void, now: () => number = () => Date.now()) {
    this.#write = write;
    this.#now = now;
  }

  begin(task: string, detail?: string): void {
    this.#draw(`  ${task}${detail === undefined ? '' : `  ${detail}`}`);
  }

  advance(task: string, bytes: number, total: number): void {
    const now = this.#now();
    if (now - this.#lastDraw < TTY_REDRAW_MS && bytes < total) return;
    this.#lastDraw = now;
    const percent = total > 0 ? ` ${Math.floor((bytes / total) * 100)}%` : '';
    this.#draw(`  ${task}  ${formatBytes(bytes)}/${formatBytes(total)}${percent}`);
  }

  end(task: string, detail?: string): void {
    this.#draw(`  ${task}: done${detail === undefined ? '' : ` (${detail})`}`);
    this.#write('\n');
    this.#current = undefined;
  }

  note(text: string): void {
    if (this.#current !== undefined) this.#write('\r\x1b[K');
    this.#write(`${text}\n`);
    if (this.#current !== undefined) this.#write(this.#current);
  }

  #draw(line: string): void {
    this.#write(`\r\x1b[K${line}`);
    this.#current = line;
  }
}

/** Decimal sizes as people read them: `512 B`, `1.5 kB`, `104.2 MB`. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 'B';
  for (const u of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = u;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/** `sha256:4c1f…e9a0`, as progress lines and summaries show digests. */
export function shortDigest(digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return hex.length <= 8 ? digest : `sha256:${hex.slice(0, 4)}…${hex.slice(-4)}`;
}
