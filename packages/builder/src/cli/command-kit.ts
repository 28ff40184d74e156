// SPDX-License-Identifier: Apache-2.0
import { Command } from 'commander';
import type { CommandResult, ExitTable } from './deps.js';
import { errorResult } from './output.js';

/** Collects the result of whichever action commander ran. */
export class ResultBox {
  result: CommandResult | undefined;
}

interface CommonFlags {
  json?: boolean;
  verbose?: boolean;
}

export interface ActionOptions {
  /**
   * Whether an error is printed as `{"error":…}` on stdout: by default when `--json` is given;
   * the conformance commands print one JSON document whatever happens.
   */
  readonly jsonErrors?: (flags: Record<string, unknown>) => boolean;
}

/**
 * Wraps a handler as a commander action: the handler returns a CommandResult; a thrown error
 * becomes the error result of the command's exit table (never a stack trace unless --verbose).
 */
export function action<A extends unknown[]>(
  box: ResultBox,
  table: ExitTable | ((...args: A) => ExitTable),
  handler: (...args: A) => Promise<CommandResult>,
  opts: ActionOptions = {},
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const flags = findFlags(args);
    const json = opts.jsonErrors?.(flags) ?? flags.json === true;
    try {
      box.result = await handler(...args);
    } catch (err) {
      const t = typeof table === 'function' ? table(...args) : table;
      box.result = errorResult(err, {
        table: t,
        json,
        verbose: flags.verbose === true,
      });
    }
  };
}

function findFlags(args: unknown[]): CommonFlags & Record<string, unknown> {
  // commander passes (...positionals, options, command)
  const cmd = args[args.length - 1];
  if (cmd instanceof Command) return cmd.opts<CommonFlags & Record<string, unknown>>();
  return {};
}

/** For commands whose stdout is always one JSON document (04 §8). */
export const ALWAYS_JSON: ActionOptions = { jsonErrors: () => true };

/** A subcommand with the conventions every command shares. */
export function newCommand(name: string, summary: string): Command {
  return new Command(name)
    .description(summary)
    .helpOption('-h, --help', 'show this help')
    .showHelpAfterError(false);
}
