// SPDX-License-Identifier: Apache-2.0
import { appendFile, mkdir, open, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock, Logger } from '@verified-container/shared';
import { ChangeNotifier, DEFAULT_RECHECK_MS } from '../engine/change-notifier.js';
import { vordrPaths } from '../store/index.js';
import {
  matchesEvent,
  parseEventLine,
  type EventInput,
  type EventSelection,
  type VordrEvent,
} from './event.js';

/** `events.jsonl` is rotated to `.1` once it reaches this size (05 §13). */
export const EVENTS_ROTATE_BYTES = 10 * 1024 * 1024;

/** What {@link emitEvent} needs: the store root, the clock and a logger for write failures. */
export interface EventSink {
  readonly root: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** `X-Vordr-Actor` of the request, else `cli:<uid>`. */
  readonly actor?: string;
}

/**
 * Appends one event to `vordr/events.jsonl` (05 §12): called by whichever process acts (CLI,
 * daemon, supervisor). Never throws: an event that cannot be written is logged, and the action it
 * describes stands.
 */
export async function emitEvent(
  sink: EventSink,
  input: Omit<EventInput, 'actor'> & { actor?: string },
): Promise<void> {
  const event: VordrEvent = {
    time: sink.clock.now().toISOString(),
    type: input.type,
    action: input.action,
    id: input.id,
    ...(input.name !== undefined ? { name: input.name } : {}),
    actor: input.actor ?? sink.actor ?? `cli:${process.getuid?.() ?? 0}`,
    attributes: input.attributes ?? {},
  };
  const path = vordrPaths(sink.root).events;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await rotateIfFull(path);
    // One write of one line with O_APPEND: concurrent writers do not interleave within a line.
    await appendFile(path, `${JSON.stringify(event)}\n`, { mode: 0o600 });
  } catch (err) {
    sink.logger.warn({ err, event: event.action, id: event.id }, 'could not write an event');
  }
}

async function rotateIfFull(path: string): Promise<void> {
  try {
    if ((await stat(path)).size < EVENTS_ROTATE_BYTES) return;
    await rename(path, `${path}.1`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** The events of `.1` then the current file that pass `selection`, oldest first. */
export async function readEvents(root: string, selection: EventSelection): Promise<VordrEvent[]> {
  const path = vordrPaths(root).events;
  const out: VordrEvent[] = [];
  for (const file of [`${path}.1`, path]) {
    const { text } = await readFrom(file, 0);
    for (const line of text.split('\n')) {
      const event = parseEventLine(line);
      if (event !== undefined && matchesEvent(event, selection)) out.push(event);
    }
  }
  return out;
}

/**
 * `GET /v1/events` (05 §12.1): the stored events that pass `selection`, then every new one as any
 * process appends it, until `signal` aborts or the `until` time has passed. Follows a rotation
 * (the rest of the old file is read from `.1`).
 */
export async function* followEvents(
  root: string,
  selection: EventSelection,
  options: { signal?: AbortSignal; recheckMs?: number; now?: () => number } = {},
): AsyncGenerator<VordrEvent> {
  const path = vordrPaths(root).events;
  const recheckMs = options.recheckMs ?? DEFAULT_RECHECK_MS;
  const now = options.now ?? Date.now;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const notifier = new ChangeNotifier([dirname(path)]);
  try {
    // Replay the rotated file first, then the current one from its start.
    const old = await readFrom(`${path}.1`, 0);
    for (const event of eventsOf(old.text, selection)) yield event;
    let ino = (await statOrUndefined(path))?.ino;
    let offset = 0;
    let partial = '';
    for (;;) {
      const current = await statOrUndefined(path);
      if (current !== undefined && ino !== undefined && current.ino !== ino) {
        // Rotated: what was appended to the old file after our offset is now in `.1`.
        const rest = await readFrom(`${path}.1`, offset);
        for (const event of eventsOf(partial + rest.text, selection)) yield event;
        partial = '';
        offset = 0;
      }
      ino = current?.ino;
      const read = await readFrom(path, offset);
      offset += read.bytes;
      const text = partial + read.text;
      const cut = text.lastIndexOf('\n');
      partial = text.slice(cut + 1);
      for (const event of eventsOf(text.slice(0, cut + 1), selection)) yield event;
      if (options.signal?.aborted === true) return;
      if (selection.untilMs !== undefined && now() > selection.untilMs) return;
      await notifier.next(recheckMs, options.signal);
    }
  } finally {
    notifier.close();
  }
}

function eventsOf(text: string, selection: EventSelection): VordrEvent[] {
  const out: VordrEvent[] = [];
  for (const line of text.split('\n')) {
    const event = parseEventLine(line);
    if (event !== undefined && matchesEvent(event, selection)) out.push(event);
  }
  return out;
}

async function statOrUndefined(path: string): Promise<{ ino: number; size: number } | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/** The text of `path` from byte `offset` (nothing for a missing file); whole lines are the caller's job. */
async function readFrom(path: string, offset: number): Promise<{ text: string; bytes: number }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', bytes: 0 };
    throw err;
  }
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { text: '', bytes: 0 };
    const buffer = Buffer.alloc(size - offset);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    // Only up to the last newline: a line being written is read whole next time.
    const chunk = buffer.subarray(0, bytesRead);
    const cut = chunk.lastIndexOf(0x0a);
    const whole = cut < 0 ? Buffer.alloc(0) : chunk.subarray(0, cut + 1);
    return { text: whole.toString('utf8'), bytes: whole.length };
  } finally {
    await handle.close();
  }
}
