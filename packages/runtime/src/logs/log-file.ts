// SPDX-License-Identifier: Apache-2.0
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { ChangeNotifier, DEFAULT_RECHECK_MS } from '../engine/change-notifier.js';
import { K8sFileParser, type TimedLogEntry, parseK8sFileLog } from './k8s-file.js';
import { type LogSelection, isInTimeWindow, selectLogEntries } from './log-query.js';

/** The lines of a container's log file that a selection keeps; a missing file has none. */
export async function readLogFile(
  path: string,
  selection: LogSelection = {},
): Promise<TimedLogEntry[]> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return selectLogEntries(parseK8sFileLog(content), selection);
}

export interface FollowLogOptions {
  /** conmon's exit file of the container: following ends once it exists and the log is drained. */
  readonly exitFile: string;
  readonly selection?: LogSelection;
  /** Ends following early (SIGINT). */
  readonly signal?: AbortSignal;
  readonly recheckMs?: number;
}

const READ_CHUNK = 64 * 1024;

/**
 * `logs -f` (05 §5): yields the selected lines already in the file, then every new line as conmon
 * writes it, until the container has exited (its exit file exists; conmon drains and syncs the log
 * before writing it) and the rest of the file is read, or until the signal aborts. A log that
 * shrinks (conmon restarts a full log) is read again from its start.
 */
export async function* followLogFile(
  path: string,
  options: FollowLogOptions,
): AsyncGenerator<TimedLogEntry> {
  const selection = options.selection ?? {};
  const recheckMs = options.recheckMs ?? DEFAULT_RECHECK_MS;
  const notifier = new ChangeNotifier([dirname(path), dirname(options.exitFile)]);
  const parser = new K8sFileParser();
  let offset = 0;
  let first = true;
  const aborted = (): boolean => options.signal?.aborted === true;
  try {
    for (;;) {
      const exited = existsSync(options.exitFile);
      const read = await readFrom(path, offset);
      if (read.truncated) {
        parser.reset();
        offset = 0;
      }
      offset = read.offset;
      const entries = parser.push(read.bytes);
      if (exited) entries.push(...parser.end());
      const selected = first
        ? selectLogEntries(entries, selection)
        : entries.filter((entry) => isInTimeWindow(entry, selection));
      first = false;
      yield* selected;
      if (exited || aborted()) return;
      await notifier.next(recheckMs, options.signal);
      if (aborted()) return;
    }
  } finally {
    notifier.close();
  }
}

/** The bytes of a file from `offset` to its current end; a file shorter than `offset` is read from 0. */
async function readFrom(
  path: string,
  offset: number,
): Promise<{ bytes: Buffer; offset: number; truncated: boolean }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { bytes: Buffer.alloc(0), offset: 0, truncated: offset > 0 };
    }
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const truncated = size < offset;
    let position = truncated ? 0 : offset;
    const chunks: Buffer[] = [];
    while (position < size) {
      const buffer = Buffer.alloc(Math.min(READ_CHUNK, size - position));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    return { bytes: Buffer.concat(chunks), offset: position, truncated };
  } finally {
    await handle.close();
  }
}
