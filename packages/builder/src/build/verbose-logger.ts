// SPDX-License-Identifier: Apache-2.0
// `build --verbose` (01 §9): the debug log as readable lines on stderr, next to the progress.
import type { Logger } from '@verified-container/shared';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/**
 * A {@link Logger} that writes `level msg key=value…` lines (trace left out) through `write`,
 * and forwards every call to `inner` too, so the JSON log configured by VC_LOG_LEVEL still sees it.
 */
export function verboseLogger(
  write: (line: string) => void,
  inner: Logger,
  bindings: Record<string, unknown> = {},
): Logger {
  const emit =
    (level: Level) =>
    (obj: unknown, msg?: string): void => {
      inner[level](obj, msg);
      if (level === 'trace') return;
      const fields: Record<string, unknown> = {
        ...bindings,
        ...(typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>) : {}),
      };
      const text = typeof obj === 'string' ? obj : (msg ?? '');
      const pairs = Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      write(`${level} ${text}${pairs === '' ? '' : `  ${pairs}`}\n`);
    };
  return {
    trace: emit('trace'),
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (more) => verboseLogger(write, inner.child(more), { ...bindings, ...more }),
  };
}
