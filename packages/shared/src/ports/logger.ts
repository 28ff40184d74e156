// SPDX-License-Identifier: Apache-2.0

type LogFn = (obj: unknown, msg?: string) => void;

/** The pino-compatible subset that packages receive; only a binary creates pino. */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => undefined;

export const noopLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger,
};
