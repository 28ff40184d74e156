// SPDX-License-Identifier: Apache-2.0
import { Command, CommanderError } from 'commander';
import { ResultBox } from './cli/command-kit.js';
import type { CliDeps, CommandResult } from './cli/deps.js';
import { jsonLine } from './cli/output.js';
import { BUILDER_VERSION, BUNDLE_VERSION } from './version.js';

export type { CliDeps, CommandResult } from './cli/deps.js';

type MakeCommand = (deps: CliDeps, box: ResultBox) => Command;

/**
 * Every command, in help order, each imported only when needed: a run imports the one command it
 * runs (`verify` loads no build, push or sign code); the program's help and unknown commands
 * load them all.
 */
const COMMANDS: Readonly<Record<string, () => Promise<MakeCommand>>> = {
  build: async () => (await import('./commands/build.js')).makeBuildCommand,
  validate: async () => (await import('./commands/validate.js')).makeValidateCommand,
  explain: async () => (await import('./commands/explain.js')).makeExplainCommand,
  init: async () => (await import('./commands/init.js')).makeInitCommand,
  keygen: async () => (await import('./commands/keygen.js')).makeKeygenCommand,
  canonicalize: async () => (await import('./commands/canonicalize.js')).makeCanonicalizeCommand,
  'verify-proof': async () => (await import('./commands/verify-proof.js')).makeVerifyProofCommand,
  verify: async () => (await import('./commands/verify.js')).makeVerifyCommand,
  'create-bundle': async () =>
    (await import('./commands/create-bundle.js')).makeCreateBundleCommand,
  'convert-dockerfile': async () =>
    (await import('./commands/convert-dockerfile.js')).makeConvertDockerfileCommand,
  lock: async () => (await import('./commands/lock.js')).makeLockCommand,
  sbom: async () => (await import('./commands/sbom.js')).makeSbomCommand,
  export: async () => (await import('./commands/export.js')).makeExportCommand,
  push: async () => (await import('./commands/push.js')).makePushCommand,
  key: async () => (await import('./commands/key.js')).makeKeyCommand,
  trust: async () => (await import('./commands/trust.js')).makeTrustCommand,
  sign: async () => (await import('./commands/sign.js')).makeSignCommand,
  publish: async () => (await import('./commands/publish.js')).makePublishCommand,
  log: async () => (await import('./commands/log.js')).makeLogCommand,
  'check-transparency': async () =>
    (await import('./commands/check-transparency.js')).makeCheckTransparencyCommand,
};

/** The names of every `cerro-torre` command, in help order. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/**
 * The command `argv` runs (its first word that is not an option; the program's own options take
 * no value), or undefined for the program itself and unknown commands.
 */
function commandOf(argv: readonly string[]): string | undefined {
  const word = argv.find((arg) => !arg.startsWith('-'));
  return word !== undefined && Object.hasOwn(COMMANDS, word) ? word : undefined;
}

/**
 * Assembles the `cerro-torre` program; every command lives in its own file. With `only`, just
 * that command is loaded and added (enough to run it and show its help).
 */
export async function createProgram(
  deps: CliDeps,
  box: ResultBox,
  only?: string,
): Promise<Command> {
  const program = new Command('cerro-torre')
    .description(
      'Build reproducible, signed and logged OCI images from declarative .ctp manifests, and verify them.',
    )
    .usage('<command> [options]')
    .helpOption('-h, --help', 'show this help')
    .option('--version', 'print the version')
    .option('--json', 'with --version: print it as JSON')
    .enablePositionalOptions()
    .addHelpText(
      'after',
      `
Exit status: 0 ok; 1 the work failed (invalid manifest, REJECT); 2 usage, read or internal
error; 3 network needed and unreachable.

Environment: VC_ROOT (store, default /var/lib/verified-container as root), VC_TRUST_STORE,
CT_KEY_PASSPHRASE, VC_LOG_LEVEL, NO_COLOR. Encrypted keys: --passphrase-file, else
CT_KEY_PASSPHRASE, else the passphrase is asked (once, without echo) when stdin is a terminal.

Run 'cerro-torre <command> --help' for a command's options.`,
    )
    .action((flags: { version?: boolean; json?: boolean }) => {
      if (flags.version === true) {
        box.result = {
          exitCode: 0,
          stdout: flags.json
            ? jsonLine({
                name: 'cerro-torre',
                version: BUILDER_VERSION,
                node: process.versions.node,
                bundleVersion: BUNDLE_VERSION,
              })
            : `cerro-torre ${BUILDER_VERSION}\n`,
        };
        return;
      }
      box.result = { exitCode: 0, stdout: program.helpInformation() };
    });

  const loaders = Object.entries(COMMANDS).filter(([name]) => only === undefined || name === only);
  const makers = await Promise.all(loaders.map(([, load]) => load()));
  for (const make of makers) program.addCommand(make(deps, box));
  return program;
}

/** Parses argv (without node and script), runs the command and returns what to print. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<CommandResult> {
  const box = new ResultBox();
  const program = await createProgram(deps, box, commandOf(argv));
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
      const message = e.message.replace(/^error: /, '');
      return {
        exitCode: 2,
        stderr:
          `Error [USAGE]: ${message}\nhint: see cerro-torre ${argv[0] ?? ''} --help\n`.replace(
            '  --help',
            ' --help',
          ),
      };
    }
    throw e;
  }
  return box.result ?? { exitCode: 0, stdout: out };
}
