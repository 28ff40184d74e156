// SPDX-License-Identifier: Apache-2.0
import { Command, CommanderError } from 'commander';
import { addGlobalFlags, ResultBox } from './cli/command-kit.js';
import type { CliDeps, CommandResult } from './cli/deps.js';
import { EXIT_VORDR_ERROR } from './cli/exit.js';
import { jsonLine } from './cli/output.js';
import { makeVerifyCommand } from './commands/verify.js';
import { makeExecCommand } from './commands/exec.js';
import { makeInspectCommand } from './commands/inspect.js';
import { makeInternalCommand } from './commands/internal.js';
import { makeLogsCommand } from './commands/logs.js';
import { makePsCommand } from './commands/ps.js';
import { makeRmCommand } from './commands/rm.js';
import { makeRunCommand } from './commands/run.js';
import { makeRestartCommand, makeStartCommand } from './commands/start.js';
import { makeStopCommand } from './commands/stop.js';
import { makeVersionCommand, VORDR_VERSION } from './commands/version.js';
import { makeVolumeCommand } from './commands/volume.js';
import { makeImageCommand } from './commands/image.js';
import { makeInfoCommand } from './commands/info.js';
import { makeCheckCommand } from './commands/check.js';

export type { CliDeps, CommandResult, OutputWriter, ForwardedSignal } from './cli/deps.js';

export { VORDR_VERSION };

/** Assembles the `vordr` program; every command lives in its own file under commands/. */
export function createProgram(deps: CliDeps, box: ResultBox): Command {
  const program = new Command('vordr')
    .description('Run OCI images only after verifying them, confined on runc or podman.')
    .usage('<command> [options]')
    .helpOption('-h, --help', 'show this help')
    .option('--version', 'print the version')
    .enablePositionalOptions()
    .allowExcessArguments(true)
    .addHelpText(
      'after',
      `
Exit status: 0 ok; 1 REJECT; 2 malformed bundle; 3 log unavailable; 125 any other vordr error;
otherwise the container's own status.

Environment: VC_ROOT (store, default /var/lib/verified-container as root), VC_TRUST_STORE,
VORDR_SECCOMP_PROFILE, VC_LOG_LEVEL, NO_COLOR.

Run 'vordr <command> --help' for a command's options.`,
    )
    .action((flags: { version?: boolean; json?: boolean }) => {
      const unknown = program.args[0];
      if (unknown !== undefined) {
        box.result = usageResult(`unknown command '${unknown}'`, []);
        return;
      }
      if (flags.version === true) {
        box.result = {
          exitCode: 0,
          stdout:
            flags.json === true
              ? jsonLine({ version: VORDR_VERSION, apiVersion: '1', node: process.versions.node })
              : `vordr ${VORDR_VERSION}\n`,
        };
        return;
      }
      box.result = { exitCode: 0, stdout: program.helpInformation() };
    });
  addGlobalFlags(program);

  // Commands (one line each; helpers add theirs here).
  program.addCommand(makeRunCommand(deps, box));
  program.addCommand(makePsCommand(deps, box));
  program.addCommand(makeLogsCommand(deps, box));
  program.addCommand(makeStopCommand(deps, box));
  program.addCommand(makeStartCommand(deps, box));
  program.addCommand(makeRestartCommand(deps, box));
  program.addCommand(makeRmCommand(deps, box));
  program.addCommand(makeExecCommand(deps, box));
  program.addCommand(makeInspectCommand(deps, box));
  program.addCommand(makeVersionCommand(deps, box));
  program.addCommand(makeVolumeCommand(deps, box));
  program.addCommand(makeImageCommand(deps, box));
  program.addCommand(makeInfoCommand(deps, box));
  program.addCommand(makeCheckCommand(deps, box));
  program.addCommand(makeInternalCommand(deps, box), { hidden: true });
  program.addCommand(makeVerifyCommand(deps, box));
  return program;
}

/**
 * Parses argv (without node and script), runs the command and returns what is left to print
 * (streaming commands have written through `deps.stdout`/`deps.stderr` already).
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<CommandResult> {
  const box = new ResultBox();
  const program = createProgram(deps, box);
  let out = '';
  let err = '';
  const configure = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (s) => (out += s),
      writeErr: (s) => (err += s),
      outputError: () => undefined,
    });
    cmd.commands.forEach(configure);
  };
  configure(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return { exitCode: 0, stdout: out, stderr: err || undefined };
      return usageResult(e.message, argv);
    }
    throw e;
  }
  return box.result ?? { exitCode: 0, stdout: out };
}

/** A commander usage error as `Error [USAGE]` with a hint and exit 125 (00 §8). */
function usageResult(message: string, argv: readonly string[]): CommandResult {
  const command = argv.find((a) => !a.startsWith('-'));
  const help = command === undefined ? 'vordr --help' : `vordr ${command} --help`;
  return {
    exitCode: EXIT_VORDR_ERROR,
    stderr: `Error [USAGE]: ${message.replace(/^error: /, '')}\nhint: see ${help}\n`,
  };
}
