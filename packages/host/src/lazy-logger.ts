// SPDX-License-Identifier: Apache-2.0
import { createRequire } from 'node:module';
import type { Logger } from '@verified-container/shared';
import type * as Pino from 'pino';

/** pino's numeric levels of the level names `VC_LOG_LEVEL` takes. */
const LEVELS: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

type Method = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/**
 * A pino logger (JSON lines on fd 2) that loads pino only when something is logged at an enabled
 * level. At the default `warn` most commands log nothing, and loading pino is 25–30 ms of every
 * `cerro-torre` or `vordr` start. An unknown level name is not an error (a log setting must not
 * stop a command): one warning line on stderr, then `warn`.
 */
export function lazyPinoLogger(requested: string, base: Record<string, unknown>): Logger {
  let level = requested;
  if (LEVELS[level] === undefined) {
    process.stderr.write(
      `warning: VC_LOG_LEVEL=${JSON.stringify(requested)} is not a log level ` +
        `(${Object.keys(LEVELS).join(', ')}); using warn\n`,
    );
    level = 'warn';
  }
  let instance: Logger | undefined;
  const root = (): Logger => {
    if (instance === undefined) {
      // pino is CommonJS: require keeps the first log call synchronous.
      const { pino } = createRequire(import.meta.url)('pino') as typeof Pino;
      instance = pino({ level, base }, pino.destination(2));
    }
    return instance;
  };
  return lazyView(root, LEVELS[level] ?? 0);
}

/** A Logger over `target()` that calls it only for levels at or above `threshold`. */
function lazyView(target: () => Logger, threshold: number): Logger {
  const method =
    (name: Method) =>
    (obj: unknown, msg?: string): void => {
      if ((LEVELS[name] ?? 0) < threshold) return;
      if (msg === undefined) target()[name](obj);
      else target()[name](obj, msg);
    };
  let child: Logger | undefined;
  return {
    trace: method('trace'),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    child: (bindings) => lazyView(() => (child ??= target().child(bindings)), threshold),
  };
}
