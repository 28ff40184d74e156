// SPDX-License-Identifier: Apache-2.0
import { type Command } from 'commander';
import { VcError, resolveStoreRoot } from '@verified-container/shared';
import type { BuildProgress } from '../build/index.js';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { formatError, jsonLine } from '../cli/output.js';
import { humanDiagnostics } from './validate.js';

interface BuildFlags {
  out?: string;
  verbose?: boolean;
  frozen?: boolean;
  cache?: boolean;
  sourceDateEpoch?: string;
  key?: string[];
  sign?: boolean;
  publish?: boolean;
  trustStore?: string;
  passphraseFile?: string;
  mirror?: string;
  securityMirror?: string;
  json?: boolean;
}

/**
 * What the build command needs beyond the common deps: where progress lines go while the build
 * runs (stderr; the default writes to the process's stderr, since the build takes minutes and
 * the result's `stderr` is printed only at the end).
 */
export interface BuildCommandDeps extends CliDeps {
  readonly progress?: (line: string) => void;
}

export function makeBuildCommand(deps: BuildCommandDeps, box: ResultBox): Command {
  return newCommand('build', 'build an image from a .ctp manifest into the store and --out')
    .argument('<manifest>', 'the .ctp manifest to build')
    .option('--out <dir>', 'output directory for the .ctp, bundle, SBOM and provenance', 'dist')
    .option('--verbose', 'debug detail on stderr (and stack traces of errors)')
    .option('--frozen', 'build exactly what the lock says; never resolve or write the lock')
    .option('--no-cache', 'ignore the layer and build caches (downloads are still reused)')
    .option('--source-date-epoch <n>', 'SOURCE_DATE_EPOCH of the build (seconds)')
    .option('--key <file>', 'private key to sign with (repeatable)', collect, [])
    .option('--no-sign', 'skip signing (implies --no-publish)')
    .option('--no-publish', 'skip transparency-log submission')
    .option(
      '--trust-store <file>',
      'trust store (default $VC_TRUST_STORE, else $VC_ROOT/keys/trust-store.json)',
    )
    .option(
      '--passphrase-file <file>',
      'passphrase of encrypted keys (first line; else $CT_KEY_PASSPHRASE, else asked on a terminal)',
    )
    .option(
      '--mirror <url>',
      'Debian mirror (default $CT_APT_MIRROR, else http://deb.debian.org/debian)',
    )
    .option('--security-mirror <url>', 'Debian security mirror (default $CT_APT_SECURITY_MIRROR)')
    .option('--json', 'print the result as one JSON document on stdout')
    .addHelpText(
      'after',
      `
Pipeline: validate → base → lock (use or resolve) → packages layer → steps layer → image
config → SBOM, SLSA provenance, file integrity → sign → publish → commit to the store
($VC_ROOT/images, bundles/) → --out files <n>-<version>.{ctp,bundle.json,spdx.json,provenance.json}.

Signing: every attestation is signed with the --key files, then $VC_ROOT/keys/<keyholder>.key of
each [attestations.signing] keyholder; keys the trust store does not know are skipped
(SIGN_KEY_UNTRUSTED). When the threshold is met and logs are configured, the attestations are
submitted to every [attestations.transparency] log before the commit (status "published");
otherwise the status is "signed", "pending-signatures" (add signatures with cerro-torre sign,
then cerro-torre publish) or "unsigned".

Encrypted keys (signing keys and file: log keys) share one passphrase: the first line of
--passphrase-file, else CT_KEY_PASSPHRASE, else it is asked once (without echo) when stdin is a
terminal and the first encrypted key is met; otherwise KEY_PASSPHRASE_REQUIRED. A wrong one is
KEY_PASSPHRASE_INVALID (exit 2) and nothing is committed or written to --out.

Exit status: 0 built (any status); 1 invalid manifest, failed build, or a log misbehaved; 2 usage,
read or internal error; 3 network needed and unreachable (mirror, registry, every failing log).

Examples:
  cerro-torre build hello.ctp
  cerro-torre build hello.ctp --frozen --out dist --json`,
    )
    .action(
      action(box, 'builder', async (manifest: string, flags: BuildFlags) => {
        return runBuild(manifest, flags, deps);
      }),
    );
}

async function runBuild(
  manifest: string,
  flags: BuildFlags,
  deps: BuildCommandDeps,
): Promise<CommandResult> {
  // The build pulls in most of the builder: loaded only when a build runs (fast --help).
  const {
    LineProgress,
    ManifestInvalidError,
    TtyProgress,
    buildImage,
    buildResultDocument,
    renderSummary,
    verboseLogger,
  } = await import('../build/index.js');
  const { passphraseFromDeps } = await import('../signing/passphrase.js');
  const write = deps.progress ?? ((line: string) => void process.stderr.write(line));
  const onTerminal = deps.progress === undefined && process.stderr.isTTY && flags.verbose !== true;
  const progress: BuildProgress = onTerminal ? new TtyProgress(write) : new LineProgress(write);
  const logger = flags.verbose === true ? verboseLogger(write, deps.logger) : deps.logger;
  const root = resolveStoreRoot({ env: deps.env, uid: deps.uid, homeDir: deps.homeDir });
  try {
    const result = await buildImage(
      {
        manifest,
        cwd: deps.cwd,
        root,
        ...(flags.out !== undefined ? { outDir: flags.out } : {}),
        frozen: flags.frozen === true,
        noCache: flags.cache === false,
        ...(flags.sourceDateEpoch !== undefined ? { sourceDateEpoch: flags.sourceDateEpoch } : {}),
        ...(flags.mirror !== undefined ? { mirror: flags.mirror } : {}),
        ...(flags.securityMirror !== undefined ? { securityMirror: flags.securityMirror } : {}),
        keyFiles: flags.key ?? [],
        noSign: flags.sign === false,
        noPublish: flags.publish === false || flags.sign === false,
        ...(flags.trustStore !== undefined ? { trustStore: flags.trustStore } : {}),
      },
      {
        env: deps.env,
        clock: deps.clock,
        logger,
        progress,
        uid: deps.uid,
        homeDir: deps.homeDir,
        passphrase: passphraseFromDeps(deps, flags.passphraseFile),
      },
    );
    const summary = renderSummary(result, deps.cwd);
    if (flags.json === true) {
      return {
        exitCode: 0,
        stdout: jsonLine(buildResultDocument(result, deps.cwd)),
        stderr: summary,
      };
    }
    return { exitCode: 0, stderr: summary };
  } catch (err) {
    // A publish that failed only on unavailable logs is exit 3 (01 §9.1, 03 §10).
    if (isUnavailableLogs(err)) {
      return flags.json === true
        ? { exitCode: 3, stdout: jsonLine({ error: err.toJSON() }) }
        : { exitCode: 3, stderr: formatError(err) };
    }
    if (err instanceof ManifestInvalidError) {
      // Diagnostics as validate prints them, then the error line of 00 §7.
      const lines = humanDiagnostics(manifest, err.diagnostics);
      if (flags.json === true) {
        return { exitCode: 1, stdout: jsonLine({ error: err.toJSON() }), stderr: lines };
      }
      return { exitCode: 1, stderr: lines };
    }
    throw err;
  }
}

/** A publish that did not reach the agreement only because logs were unavailable. */
function isUnavailableLogs(err: unknown): err is VcError {
  return (
    err instanceof VcError &&
    err.code === 'PUBLISH_AGREEMENT_NOT_MET' &&
    err.details?.['exitCode'] === 3
  );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
