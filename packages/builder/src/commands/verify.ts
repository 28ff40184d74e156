// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError } from '@verified-container/shared';
// ./verify/cache, not ./verify: a result from the cache loads neither the algorithm nor the parsers.
import {
  BUNDLE_MAX_BYTES,
  cerroTorreExitCode,
  decisionLine,
  toVerifyResultJson,
  type VerifyResult,
} from '@verified-container/shared/verify/cache';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { readInputFile } from '../io/files.js';
import {
  commonVerifyOptions,
  decide,
  readManifestFlag,
  verifyInputOf,
  vulnerabilityGate,
  type VerifyFlags,
} from './verify-options.js';

export function makeVerifyCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand(
    'verify',
    'verify an image, a .ctp package or an attestation bundle against a trust store (04)',
  )
    .argument('[target]', 'a store image name:tag, a .ctp package, or oci:<dir>[:<ref>]')
    .option('--bundle <file>', 'conformance form: verify this attestation bundle (02 §11)')
    .option('--trust-store <file>', 'trust store (default $VC_TRUST_STORE, else the store’s)')
    .option('--image-digest <digest>', 'the image digest every subject must name (sha256:…)')
    .option('--mode <mode>', 'strict, permissive or audit', 'strict')
    .option('--now <time>', 'verify at this RFC 3339 time instead of the clock')
    .option('--log-quorum <n>', 'distinct trusted logs each attestation must be in (≥ 1)')
    .option(
      '--threshold-group <group>',
      'a trust-store group that must be met (repeatable; default every signing group)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--manifest <file>', 'the .ctp manifest: its requirements and digest are checked')
    .option(
      '--vuln-db <file>',
      'offline vulnerability database (debsecan format; default $VC_VULN_DB)',
    )
    .option('--require-vuln-db', 'a missing vulnerability database is an error, not a warning')
    .option('--rebuild', 'rebuild from the package’s source/ and compare (may download)')
    .option('--context <dir>', 'with --rebuild: the build context instead of source/context/')
    .option('--offline', 'accepted: verification never uses the network (only --rebuild may)')
    .option(
      '--audit-log <file>',
      'append the audit record here (default $VC_ROOT/audit/verify.jsonl)',
    )
    .option('--no-cache', 'neither use nor store a cached result ($VC_ROOT/cache/verify)')
    .option('--json', 'with a target: print the decision and the checks as JSON on stdout')
    .addHelpText(
      'after',
      `
Two forms; give exactly one of <target> and --bundle.

cerro-torre verify <name:tag | x.ctp | oci:<dir>[:<ref>]>
  Runs every step of 04 §3 on the image: the package (a .ctp is read safely), the bundle, the
  subject (the layout's manifest, config and layer blobs are hashed), keys, signatures, log
  proofs, thresholds, the content gates with the manifest from the package's source/, and with
  --rebuild the reproducibility check. Prints the check list on stderr:
    Verifying <name:tag> (sha256:abcd…wxyz) with trust store <id> (serial n)
    ✓ passed   ✗ failed (one indented CODE: message line per error)   ! warning   – skipped
    ALLOW | REJECT <code> | WARN <code> | LOG <code>
  --json prints the JSON of 04 §5 plus "checks":[{name,status,detail,codes}] on stdout.

cerro-torre verify --bundle F (conformance)
  Runs steps 2–10 and always prints one JSON document on stdout. A missing bundle file is
  MISSING_ATTESTATION.

Every decision appends one audit record; results are cached (not with --now, --rebuild or
--no-cache). --mode permissive / audit turn failures other than MALFORMED_BUNDLE and
SUBJECT_MISMATCH into WARN / LOG (exit 0).

Exit status: 0 ALLOW, WARN or LOG; 1 REJECT; 2 setup error (trust store invalid, unknown group,
image not found, unreadable file, audit log not writable) or usage error; 3 --rebuild could not
download.

Examples:
  cerro-torre verify example/app:1.0.0
  cerro-torre verify dist/example_app-1.0.0.ctp --rebuild
  cerro-torre verify --bundle app.bundle.json --trust-store trust.json`,
    )
    .action(
      action(
        box,
        'conformance',
        async (target: string | undefined, flags: VerifyFlags) => {
          if ((target === undefined) === (flags.bundle === undefined)) {
            throw new VcError('USAGE', 'give exactly one of <target> and --bundle', {
              hint: 'cerro-torre verify <name:tag | x.ctp | oci:dir> or verify --bundle F',
            });
          }
          if (target !== undefined) {
            // The image form pulls in the package reader and the build pipeline (--rebuild).
            const { verifyImageCommand } = await import('./verify-image.js');
            return verifyImageCommand(target, flags, deps);
          }
          if (flags.rebuild === true || flags.context !== undefined) {
            throw new VcError('USAGE', '--rebuild and --context need a <target>, not --bundle');
          }
          return verifyCommand(flags, deps);
        },
        { jsonErrors: (flags) => flags['bundle'] !== undefined || flags['json'] === true },
      ),
    );
}

/** `verify --bundle` (04 §8): reads the files, runs the pure algorithm, audits the decision. */
export async function verifyCommand(flags: VerifyFlags, deps: CliDeps): Promise<CommandResult> {
  const common = commonVerifyOptions(flags, deps);
  const trustStoreBytes = await readInputFile(common.trustStorePath, { what: 'trust store' });
  const bundleBytes = await readBundle(resolve(deps.cwd, flags.bundle ?? ''));
  const manifest =
    flags.manifest !== undefined
      ? await readManifestFlag(resolve(deps.cwd, flags.manifest))
      : undefined;
  const now = common.explicitNow ?? deps.clock.now();
  const vulnerabilities = await vulnerabilityGate(flags, manifest, deps, bundleBytes);
  const input = verifyInputOf({
    bundleBytes,
    trustStoreBytes,
    now,
    common,
    flags,
    manifest,
    vulnerabilities,
  });
  const { result } = await decide(
    input,
    {
      flags,
      common,
      now,
      manifest,
      vulnDb: vulnerabilities.db,
      imageDigest: common.imageDigest ?? null,
      // 04 §10: a cached result is used only without --now and --no-cache.
      useCache: common.explicitNow === undefined && flags.cache !== false,
    },
    deps,
  );
  return {
    exitCode: cerroTorreExitCode(result),
    stdout: jsonLine(toVerifyResultJson(result)),
    stderr: summary(result),
  };
}

/** People-facing lines on stderr: every failure and warning, then the decision line. */
function summary(result: VerifyResult): string {
  const lines = [
    ...result.errors.map(
      (e) => `✗ ${e.code}: ${e.message}${e.path !== undefined ? ` (${e.path})` : ''}`,
    ),
    ...result.warnings.map((w) => `! ${w.code}: ${w.message}`),
    decisionLine(result),
  ];
  return `${lines.join('\n')}\n`;
}

async function readBundle(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readInputFile(path, { maxBytes: BUNDLE_MAX_BYTES, what: 'bundle' });
  } catch (err) {
    const cause =
      err instanceof VcError ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
    if (cause?.code === 'ENOENT') return undefined; // step 2: MISSING_ATTESTATION
    throw err;
  }
}
