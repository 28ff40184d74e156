// SPDX-License-Identifier: Apache-2.0
import { Command, Option } from 'commander';
import { resolveStoreRoot } from '@verified-container/shared';
import type { CliDeps, CommandResult } from './deps.js';
import { errorResult } from './output.js';

/** Collects the result of whichever action commander ran. */
export class ResultBox {
  result: CommandResult | undefined;
}

/** The global flags of 05 §3, accepted before the command and on every command. */
export interface GlobalFlags {
  readonly root?: string;
  readonly runtime?: string;
  readonly socket?: string;
  readonly direct?: boolean;
  readonly daemon?: boolean;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  readonly logLevel?: string;
}

/** Adds the global flags of 05 §3 to `cmd` (the program and every subcommand). */
export function addGlobalFlags(
  cmd: Command,
  opts: { hidden?: boolean; except?: readonly string[] } = {},
): Command {
  const add = (option: Option): void => {
    if (opts.except?.includes(option.attributeName()) === true) return;
    if (opts.hidden === true) option.hideHelp();
    cmd.addOption(option);
  };
  add(new Option('--root <dir>', 'the store (default $VC_ROOT, else /var/lib/verified-container)'));
  add(
    new Option(
      '--runtime <runtime>',
      'runc, podman, or a path to runc or podman, for new containers (default runc; VORDR_RUNTIME)',
    ),
  );
  add(new Option('--socket <path>', 'the daemon socket'));
  add(new Option('--direct', 'never use the daemon'));
  add(new Option('--daemon', 'run the daemon (= vordr daemon)'));
  add(new Option('--json', 'print the result as one JSON document'));
  add(new Option('--quiet', 'print less'));
  add(new Option('--verbose', 'print more (stack traces of errors)'));
  add(new Option('--log-level <level>', 'debug, info, warn or error'));
  return cmd;
}

/** The flags of `cmd` merged with the global flags given before the command (own flags win). */
export function flagsOf<F extends object>(cmd: Command): F & GlobalFlags {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) chain.unshift(c);
  const merged: Record<string, unknown> = {};
  for (const c of chain) {
    for (const [key, value] of Object.entries(c.opts())) {
      if (value !== undefined) merged[key] = value;
    }
  }
  return merged as F & GlobalFlags;
}

/** The store root: `--root`, else `$VC_ROOT`, else the default of 00 §4. */
export function storeRoot(deps: CliDeps, flags: GlobalFlags): string {
  if (flags.root !== undefined && flags.root !== '') return flags.root;
  return resolveStoreRoot({ env: deps.env, uid: deps.uid, homeDir: deps.homeDir });
}

/**
 * Wraps a handler as a commander action. The handler gets the positionals, the merged flags and
 * the command; it returns a CommandResult (having streamed through `deps.stdout`/`stderr` if it
 * needed to). A thrown error becomes `Error [CODE]: …` (or `{"error":…}` with `--json`) with the
 * exit code of 00 §8.
 */
export function action<A extends unknown[], F extends object>(
  box: ResultBox,
  handler: (args: A, flags: F & GlobalFlags, cmd: Command) => Promise<CommandResult>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    // commander passes (...positionals, options, command)
    const cmd = args[args.length - 1] as Command;
    const positionals = args.slice(0, -2) as A;
    const flags = flagsOf<F>(cmd);
    try {
      box.result = await handler(positionals, flags, cmd);
    } catch (err) {
      box.result = errorResult(err, { json: flags.json === true, verbose: flags.verbose === true });
    }
  };
}

/**
 * A subcommand with the conventions every command shares: the global flags are accepted on it
 * too, except those it defines itself (`ownFlags`, attribute names such as `quiet`).
 */
export function newCommand(
  name: string,
  summary: string,
  ownFlags: readonly string[] = [],
): Command {
  const cmd = new Command(name)
    .description(summary)
    .helpOption('-h, --help', 'show this help')
    .showHelpAfterError(false);
  return addGlobalFlags(cmd, { hidden: true, except: ownFlags });
}

/** Collects a repeatable option's values (`-e A -e B`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
