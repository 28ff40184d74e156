// SPDX-License-Identifier: Apache-2.0
import type { Clock, Logger } from '@verified-container/shared';

/** What the commands need from the process, built once in bin.ts (tests pass their own). */
export interface CliDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly uid: number;
  readonly homeDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** True when stdin is a terminal (passphrase prompts). */
  readonly interactive: boolean;
  /** Asks questions without echo (passphrases); default: the process's terminal. Tests inject one. */
  readonly prompt?: (questions: readonly string[]) => Promise<string[]>;
}

/** What a command hands back instead of writing or exiting itself. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout?: string | Uint8Array;
  readonly stderr?: string;
}

/** Which exit-code table a command follows (00 §8). */
export type ExitTable = 'conformance' | 'builder';
