// SPDX-License-Identifier: Apache-2.0
import { Option, type Command } from 'commander';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, OutputWriter } from '../cli/deps.js';
import { exitedMarker } from '../container/index.js';
import {
  followLogFile,
  parseLogTime,
  parseTail,
  readLogFile,
  toLogEntry,
  type LogSelection,
  type TimedLogEntry,
} from '../logs/index.js';
import { containerPaths } from '../store/index.js';
import { daemonFor, logsViaDaemon } from '../client/cli-daemon.js';
import { contextFor, findContainer } from './support.js';

interface LogsFlags {
  follow?: boolean;
  tail?: string;
  timestamps?: boolean;
  since?: string;
  until?: string;
  format?: 'text' | 'json';
}

export function makeLogsCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('logs', "print a container's log")
    .argument('<container>', 'name, id or id prefix')
    .option('-f, --follow', 'keep printing new lines until the container exits')
    .option('--tail <n>', 'only the last N lines (or all)')
    .option('-t, --timestamps', 'prefix each line with its time')
    .option(
      '--since <time>',
      'lines from this time (RFC 3339, Unix seconds or a duration like 10m)',
    )
    .option('--until <time>', 'lines before this time')
    .addOption(new Option('--format <format>', 'text or json').choices(['text', 'json']))
    .addHelpText(
      'after',
      `
Text output sends the container's stdout lines to stdout and its stderr lines to stderr;
--format json prints {"stream","time","line"} lines on stdout.`,
    )
    .action(
      action<[string], LogsFlags>(box, async ([ref], flags) => {
        const print = printer(deps.stdout, deps.stderr, flags);
        const daemon = await daemonFor(deps, flags);
        if (daemon !== undefined) {
          const entries = logsViaDaemon(
            daemon,
            ref,
            {
              follow: flags.follow === true,
              ...(flags.tail !== undefined ? { tail: flags.tail } : {}),
              ...(flags.since !== undefined ? { since: flags.since } : {}),
              ...(flags.until !== undefined ? { until: flags.until } : {}),
            },
            deps.signal,
          );
          for await (const entry of entries) print(entry);
          return { exitCode: 0 };
        }
        const ctx = contextFor(deps, flags);
        const record = await findContainer(ctx, ref);
        const nowMs = deps.clock.now().getTime();
        const selection: LogSelection = {
          ...(flags.tail !== undefined ? withTail(parseTail(flags.tail)) : {}),
          ...(flags.since !== undefined ? { sinceMs: parseLogTime(flags.since, nowMs) } : {}),
          ...(flags.until !== undefined ? { untilMs: parseLogTime(flags.until, nowMs) } : {}),
        };
        const log = containerPaths(ctx.root, record.id).log;
        if (flags.follow === true && record.state === 'running') {
          // podman: no exit command settles the container; `podman wait` writes the engine's
          // exit file, which ends the follow (the next command settles the exit).
          const podman = record.backend === 'podman';
          const waiting = new AbortController();
          const engine = await ctx.engine.engineOf(record.id);
          if (podman) {
            engine.waitForExit(record.id, { signal: waiting.signal }).catch(() => undefined);
          }
          try {
            for await (const entry of followLogFile(log, {
              exitFile: podman ? engine.exitFile(record.id) : exitedMarker(ctx.root, record.id),
              selection,
              ...(deps.signal !== undefined ? { signal: deps.signal } : {}),
            })) {
              print(entry);
            }
          } finally {
            waiting.abort();
          }
        } else {
          for (const entry of await readLogFile(log, selection)) print(entry);
        }
        return { exitCode: 0 };
      }),
    );
}

function withTail(tail: number | undefined): LogSelection {
  return tail === undefined ? {} : { tail };
}

/** Prints one entry in the chosen format. */
export function printer(
  stdout: OutputWriter,
  stderr: OutputWriter,
  flags: Pick<LogsFlags, 'format' | 'timestamps'>,
): (entry: TimedLogEntry) => void {
  if (flags.format === 'json') {
    return (entry) => stdout.write(`${JSON.stringify(toLogEntry(entry))}\n`);
  }
  return (entry) => {
    const text = flags.timestamps === true ? `${entry.time} ${entry.line}\n` : `${entry.line}\n`;
    (entry.stream === 'stderr' ? stderr : stdout).write(text);
  };
}
