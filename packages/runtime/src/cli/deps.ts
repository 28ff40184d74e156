// SPDX-License-Identifier: Apache-2.0
import type { Readable } from 'node:stream';
import type { Clock, Logger } from '@verified-container/shared';

/** Where a command streams its output (the process's stdout/stderr, or a buffer in tests). */
export interface OutputWriter {
  write(chunk: string | Uint8Array): void;
}

/** A signal vordr forwards to a foreground container (05 §4.7). */
export type ForwardedSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** What the commands need from the process, built once in bin.ts (tests pass their own). */
export interface CliDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly uid: number;
  readonly homeDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Streaming output (`run` in the foreground, `logs -f`); results are printed after these. */
  readonly stdout: OutputWriter;
  readonly stderr: OutputWriter;
  /** What `exec -i` passes to the process (the process's stdin; absent in tests unless given). */
  readonly stdin?: Readable;
  /** Aborted when the command should stop waiting (tests; bin.ts never aborts). */
  readonly signal?: AbortSignal;
  /**
   * Subscribes to SIGINT/SIGTERM/SIGHUP for the duration of a foreground run; returns the
   * unsubscribe function. Absent in tests: nothing is forwarded.
   */
  readonly onSignal?: (handler: (signal: ForwardedSignal) => void) => () => void;
  /**
   * How conmon's exit command invokes this vordr (`[node, /path/bin.js]`); `internal cleanup <id>`
   * is appended. Absent: no exit command (cleanup then happens on the next reconciliation).
   */
  readonly selfCommand?: readonly string[];
  /**
   * conmon's exit command when it is not `selfCommand`: a lighter entry point taking the same
   * arguments (`[node, /path/exit-hook.js]`; `--root <root> internal cleanup <id>` is appended).
   */
  readonly exitHookCommand?: readonly string[];
}

/** What a command hands back instead of writing or exiting itself. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout?: string | Uint8Array;
  readonly stderr?: string;
}
