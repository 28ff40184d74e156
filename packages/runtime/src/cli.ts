// SPDX-License-Identifier: Apache-2.0
import { Command, CommanderError } from 'commander';
import { addGlobalFlags, ResultBox } from './cli/command-kit.js';
import type { CliDeps, CommandResult } from './cli/deps.js';
import { EXIT_VORDR_ERROR } from './cli/exit.js';
import { jsonLine } from './cli/output.js';
import { VORDR_VERSION } from './commands/version.js';

export type { CliDeps, CommandResult, OutputWriter, ForwardedSignal } from './cli/deps.js';

export { VORDR_VERSION };

/** A command's factory: its declaration (options, help) and action. */
type CommandFactory = (deps: CliDeps, box: ResultBox) => Command;

/** One top-level command; `load` imports its module only when the command line needs it. */
interface CommandEntry {
  readonly name: string;
  readonly load: () => Promise<CommandFactory>;
  readonly hidden?: boolean;
}

/** Every command, in help order (one line each; helpers add theirs here). */
const COMMANDS: readonly CommandEntry[] = [
  { name: 'run', load: async () => (await import('./commands/run.js')).makeRunCommand },
  { name: 'ps', load: async () => (await import('./commands/ps.js')).makePsCommand },
  { name: 'port', load: async () => (await import('./commands/port.js')).makePortCommand },
  { name: 'logs', load: async () => (await import('./commands/logs.js')).makeLogsCommand },
  { name: 'stop', load: async () => (await import('./commands/stop.js')).makeStopCommand },
  { name: 'start', load: async () => (await import('./commands/start.js')).makeStartCommand },
  { name: 'restart', load: async () => (await import('./commands/start.js')).makeRestartCommand },
  { name: 'rm', load: async () => (await import('./commands/rm.js')).makeRmCommand },
  { name: 'exec', load: async () => (await import('./commands/exec.js')).makeExecCommand },
  { name: 'inspect', load: async () => (await import('./commands/inspect.js')).makeInspectCommand },
  { name: 'version', load: async () => (await import('./commands/version.js')).makeVersionCommand },
  { name: 'volume', load: async () => (await import('./commands/volume.js')).makeVolumeCommand },
  { name: 'network', load: async () => (await import('./commands/network.js')).makeNetworkCommand },
  { name: 'image', load: async () => (await import('./commands/image.js')).makeImageCommand },
  { name: 'info', load: async () => (await import('./commands/info.js')).makeInfoCommand },
  {
    name: 'internal',
    load: async () => (await import('./commands/internal.js')).makeInternalCommand,
    hidden: true,
  },
  { name: 'verify', load: async () => (await import('./commands/verify.js')).makeVerifyCommand },
  { name: 'check', load: async () => (await import('./commands/check.js')).makeCheckCommand },
  { name: 'daemon', load: async () => (await import('./commands/daemon.js')).makeDaemonCommand },
];

/** Global flags that take a value (so the word after them is not the command). */
const VALUE_FLAGS = new Set(['--root', '--runtime', '--socket', '--log-level']);

/** The index of the command word of argv (after the global flags), or -1 when there is none. */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) return i;
    if (VALUE_FLAGS.has(arg)) i++;
  }
  return -1;
}

/** The command word of argv (after the global flags), or undefined when there is none. */
function commandWord(argv: readonly string[]): string | undefined {
  return argv[commandIndex(argv)];
}

/** The commands with docker's flags, whose optional values are only given with `=`. */
const DOCKER_FLAG_COMMANDS: ReadonlySet<string> = new Set(['run']);

/**
 * docker's optional flag values are only ever given with `=` (`--read-only=false`): a bare
 * `--read-only` must not take the next word (the image) as its value, as commander would. Each
 * bare optional-value flag of `run`, before its first argument, becomes `--flag=true`. Other
 * commands keep commander's reading (`check --watch 100ms web`: the interval is the value).
 */
export function bindOptionalValues(argv: readonly string[], program: Command): string[] {
  const at = commandIndex(argv);
  if (!DOCKER_FLAG_COMMANDS.has(argv[at] ?? '')) return [...argv];
  const cmd = program.commands.find((c) => c.name() === argv[at]);
  if (cmd === undefined || cmd.name() !== 'run') return [...argv];
  const options = [...cmd.options, ...program.options];
  const out = [...argv];
  for (let i = at + 1; i < out.length; i++) {
    const arg = out[i]!;
    if (arg === '--' || !arg.startsWith('-')) break;
    if (arg.includes('=')) continue;
    const option = options.find((o) => o.long === arg || o.short === arg);
    // `<u[:g]>` is a required value (commander marks it optional too, for the `[`).
    if (option?.required === true) i++;
    else if (option?.optional === true) out[i] = `${option.long ?? arg}=true`;
  }
  return out;
}

/**
 * The commands `argv` needs: only the named one when argv names a known command (its module
 * graph is all that loads), else every command (top-level help, `--version`, usage errors).
 */
function commandsFor(argv: readonly string[] | undefined): readonly CommandEntry[] {
  const word = argv === undefined ? undefined : commandWord(argv);
  const named = COMMANDS.filter((entry) => entry.name === word);
  return named.length > 0 ? named : COMMANDS;
}

/**
 * Assembles the `vordr` program; every command lives in its own file under commands/. With
 * `argv`, only the modules of the command it names are loaded (05: a fast `run`).
 */
export async function createProgram(
  deps: CliDeps,
  box: ResultBox,
  argv?: readonly string[],
): Promise<Command> {
  const entries = commandsFor(argv);
  const factories = await Promise.all(entries.map((entry) => entry.load()));
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

  entries.forEach((entry, i) => {
    program.addCommand(factories[i]!(deps, box), entry.hidden === true ? { hidden: true } : {});
  });
  return program;
}

/**
 * Parses argv (without node and script), runs the command and returns what is left to print
 * (streaming commands have written through `deps.stdout`/`deps.stderr` already).
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<CommandResult> {
  // `vordr --daemon` is `vordr daemon` (05 §3).
  if (argv.includes('--daemon') && commandWord(argv) === undefined) {
    argv = [...argv.filter((a) => a !== '--daemon'), 'daemon'];
  }
  const box = new ResultBox();
  const program = await createProgram(deps, box, argv);
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
    await program.parseAsync(bindOptionalValues(argv, program), { from: 'user' });
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
