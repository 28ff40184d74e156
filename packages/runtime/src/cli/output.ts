// SPDX-License-Identifier: Apache-2.0
import { toVcError, vordrExitCode, type VcError } from '@verified-container/shared';
import type { CommandResult } from './deps.js';

/** One JSON document with the trailing newline of 00 §6. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/** `Error [CODE]: message` then `hint: …` (00 §7). */
export function formatError(err: VcError): string {
  const lines = [`Error [${err.code}]: ${err.message}`];
  if (err.hint !== undefined) lines.push(`hint: ${err.hint}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The result of a command that failed with an error instead of a decision: exit 125 for vordr's
 * own errors, 1/2/3 for decision codes (00 §8); `{"error":…}` on stdout with `--json`.
 */
export function errorResult(
  thrown: unknown,
  opts: { json: boolean; verbose?: boolean },
): CommandResult {
  const err = toVcError(thrown);
  const exitCode = vordrExitCode(err.code);
  const trace =
    opts.verbose === true && thrown instanceof Error && thrown.stack !== undefined
      ? `${thrown.stack}\n`
      : '';
  if (opts.json) {
    return { exitCode, stdout: jsonLine({ error: err.toJSON() }), stderr: trace || undefined };
  }
  return { exitCode, stderr: formatError(err) + trace };
}

/** Plural helper for human summaries. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
