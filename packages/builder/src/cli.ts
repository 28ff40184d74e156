// SPDX-License-Identifier: Apache-2.0
import { Command, CommanderError } from 'commander';
import { makeBuildCommand } from './commands/build.js';
import { makeCanonicalizeCommand } from './commands/canonicalize.js';
import { makeCheckTransparencyCommand } from './commands/check-transparency.js';
import { makeConvertDockerfileCommand } from './commands/convert-dockerfile.js';
import { makeExplainCommand } from './commands/explain.js';
import { makeExportCommand } from './commands/export.js';
import { makeInitCommand } from './commands/init.js';
import { makeKeyCommand } from './commands/key.js';
import { makeKeygenCommand } from './commands/keygen.js';
import { makeLockCommand } from './commands/lock.js';
import { makeLogCommand } from './commands/log.js';
import { makePublishCommand } from './commands/publish.js';
import { makePushCommand } from './commands/push.js';
import { makeSbomCommand } from './commands/sbom.js';
import { makeSignCommand } from './commands/sign.js';
import { makeTrustCommand } from './commands/trust.js';
import { makeValidateCommand } from './commands/validate.js';
import { makeVerifyProofCommand } from './commands/verify-proof.js';
import { makeVerifyCommand } from './commands/verify.js';
import { makeCreateBundleCommand } from './commands/create-bundle.js';
import { ResultBox } from './cli/command-kit.js';
import type { CliDeps, CommandResult } from './cli/deps.js';
import { jsonLine } from './cli/output.js';
import { BUILDER_VERSION, BUNDLE_VERSION } from './version.js';

export type { CliDeps, CommandResult } from './cli/deps.js';

/** Assembles the `cerro-torre` program; every command lives in its own file. */
export function createProgram(deps: CliDeps, box: ResultBox): Command {
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
CT_KEY_PASSPHRASE, VC_LOG_LEVEL, NO_COLOR.

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

  program.addCommand(makeBuildCommand(deps, box));
  program.addCommand(makeValidateCommand(deps, box));
  program.addCommand(makeExplainCommand(deps, box));
  program.addCommand(makeInitCommand(deps, box));
  program.addCommand(makeKeygenCommand(deps, box));
  program.addCommand(makeCanonicalizeCommand(deps, box));
  program.addCommand(makeVerifyProofCommand(deps, box));
  program.addCommand(makeVerifyCommand(deps, box));
  program.addCommand(makeCreateBundleCommand(deps, box));
  program.addCommand(makeConvertDockerfileCommand(deps, box));
  program.addCommand(makeLockCommand(deps, box));
  program.addCommand(makeSbomCommand(deps, box));
  program.addCommand(makeExportCommand(deps, box));
  program.addCommand(makePushCommand(deps, box));
  program.addCommand(makeKeyCommand(deps, box));
  program.addCommand(makeTrustCommand(deps, box));
  program.addCommand(makeSignCommand(deps, box));
  program.addCommand(makePublishCommand(deps, box));
  program.addCommand(makeLogCommand(deps, box));
  program.addCommand(makeCheckTransparencyCommand(deps, box));
  return program;
}

/** Parses argv (without node and script), runs the command and returns what to print. */
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
