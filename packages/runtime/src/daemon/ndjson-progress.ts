// SPDX-License-Identifier: Apache-2.0
import type { TaskProgress } from '@verified-container/host';
import { toVcError } from '@verified-container/shared';

/** One line of the ndjson progress of `POST /v1/images/pull` and `/push` (05 §12.1). */
export type ProgressLine =
  | { readonly status: 'start'; readonly id: string; readonly detail?: string }
  | {
      readonly status: 'progress';
      readonly id: string;
      readonly current: number;
      readonly total: number;
    }
  | { readonly status: 'complete'; readonly id: string; readonly detail?: string }
  | { readonly status: 'note'; readonly message: string };

/**
 * Runs `task` with a progress that queues ndjson lines, and yields them as they come: the
 * progress lines, then `{"status":"done",…result}` or `{"error":<error object>}` (00 §7) last.
 * Back-to-back `progress` lines of one task are coalesced (only the newest waits in the queue),
 * so a slow client never holds more than a line per task. The task runs to its end even when
 * the consumer stops early (a pull is not left half-committed).
 */
export function progressStream(
  task: (progress: TaskProgress) => Promise<object>,
): AsyncGenerator<string> {
  const queue: (ProgressLine | Record<string, unknown>)[] = [];
  let finished = false;
  let wake: (() => void) | undefined;
  const push = (line: ProgressLine | Record<string, unknown>): void => {
    const last = queue.at(-1) as Partial<ProgressLine> | undefined;
    if (
      last?.status === 'progress' &&
      line.status === 'progress' &&
      (last as { id: string }).id === (line as { id: string }).id
    ) {
      queue[queue.length - 1] = line;
    } else {
      queue.push(line);
    }
    wake?.();
  };
  const progress: TaskProgress = {
    begin: (id, detail) =>
      push({ status: 'start', id, ...(detail !== undefined ? { detail } : {}) }),
    advance: (id, current, total) => push({ status: 'progress', id, current, total }),
    end: (id, detail) =>
      push({ status: 'complete', id, ...(detail !== undefined ? { detail } : {}) }),
    note: (message) => push({ status: 'note', message }),
  };
  const run = Promise.resolve()
    .then(() => task(progress))
    .then(
      (result) => push({ status: 'done', ...result }),
      (err: unknown) => push({ error: toVcError(err).toJSON() }),
    )
    .finally(() => {
      finished = true;
      wake?.();
    });
  async function* lines(): AsyncGenerator<string> {
    for (;;) {
      const line = queue.shift();
      if (line !== undefined) {
        yield `${JSON.stringify(line)}\n`;
        continue;
      }
      if (finished) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  }
  void run;
  return lines();
}
