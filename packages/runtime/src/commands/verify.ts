// SPDX-License-Identifier: Apache-2.0
// `vordr verify IMAGE|FILE.ctp` (05 §9): 05 §4.2 without creating anything (a `.ctp` is extracted
// into a 0700 temporary directory, removed afterwards). The check lines of 04 §9
// (without the reproducibility line) and the decision on stderr; `--json` prints the document of
// 04 §5 plus `checks` on stdout. Exit 0 ALLOW/WARN/LOG, 1 REJECT, 2 MALFORMED_BUNDLE, 125 setup.
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError } from '@verified-container/shared';
import {
  headerLine,
  parseLogQuorumFlag,
  parseVerifyMode,
  parseVerifyNow,
  toVerifyResultJson,
} from '@verified-container/shared/verify';
import { action, collect, newCommand, storeRoot, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { parseVordrImageReference } from '../image/index.js';
import {
  checkLineJson,
  decisionLine,
  renderCheckLines,
  verifyStoreReference,
  type VerifyImageOptions,
} from '../verification/index.js';

/** The flags of `verify` (05 §3). */
export interface VerifyFlags {
  trustStore?: string;
  mode?: string;
  now?: string;
  logQuorum?: string;
  thresholdGroup?: string[];
  vulnDb?: string;
  requireVulnDb?: boolean;
  cache?: boolean;
  auditLog?: string;
  offline?: boolean;
  online?: boolean;
}

export function makeVerifyCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('verify', 'verify an image of the store or a .ctp package without running it')
    .argument('<image>', 'name:tag, name@sha256:…, a digest (prefix), sha256:… or FILE.ctp')
    .option('--trust-store <file>', 'the trust store (default $VC_TRUST_STORE, else the store’s)')
    .option('--mode <mode>', 'strict, permissive or audit (default strict)')
    .option('--now <time>', 'verify at this RFC 3339 time (no cache)')
    .option('--log-quorum <n>', 'distinct logs required per attestation')
    .option(
      '--threshold-group <group>',
      'a trust-store group that must be met (repeatable)',
      collect,
    )
    .option('--vuln-db <file>', 'a debsecan vulnerability database (default $VC_VULN_DB)')
    .option('--require-vuln-db', 'fail when no vulnerability database is configured')
    .option('--no-cache', 'do not use or store a cached decision')
    .option('--audit-log <file>', 'the audit log (default $VC_ROOT/audit/verify.jsonl)')
    .option('--offline', 'verify without network (the default)')
    .option('--online', 'also check each log’s current tree head (not available yet)')
    .action(
      action<[string], VerifyFlags>(box, async ([text], flags) => {
        if (flags.online === true) {
          throw new VcError('UNSUPPORTED', '--online verification is not available yet', {
            hint: 'verification is offline (--offline, the default)',
          });
        }
        const root = storeRoot(deps, flags);
        const path = (p: string | undefined) =>
          p !== undefined ? resolve(deps.cwd, p) : undefined;
        const trustStore = path(flags.trustStore);
        const vulnDb = path(flags.vulnDb);
        const auditLog = path(flags.auditLog);
        const now = flags.now !== undefined ? parseVerifyNow(flags.now) : undefined;
        const logQuorum =
          flags.logQuorum !== undefined ? parseLogQuorumFlag(flags.logQuorum) : undefined;
        const opts: VerifyImageOptions = {
          root,
          env: deps.env,
          clock: deps.clock,
          mode: parseVerifyMode(flags.mode),
          ...(trustStore !== undefined ? { trustStore } : {}),
          ...(now !== undefined ? { now } : {}),
          ...(logQuorum !== undefined ? { logQuorum } : {}),
          ...(flags.thresholdGroup !== undefined ? { thresholdGroups: flags.thresholdGroup } : {}),
          ...(vulnDb !== undefined ? { vulnDb } : {}),
          ...(flags.requireVulnDb === true ? { requireVulnDb: true } : {}),
          ...(flags.cache === false ? { noCache: true } : {}),
          ...(auditLog !== undefined ? { auditLog } : {}),
        };
        const v = await verifyArgument(text, opts, deps);
        const header = headerLine(v.ref ?? text, v.imageDigest, v.trustStore);
        const stderr = `${header}\n${renderCheckLines(v.verifyChecks, v.result)}${decisionLine(v.result)}\n`;
        if (flags.json === true) {
          return {
            exitCode: v.exitCode,
            stdout: jsonLine({
              ...toVerifyResultJson(v.result),
              checks: v.verifyChecks.map(checkLineJson),
            }),
            stderr,
          };
        }
        return { exitCode: v.exitCode, stderr };
      }),
    );
}

/** A `.ctp` path is verified as a package (05 §9), anything else as a store image. */
async function verifyArgument(text: string, opts: VerifyImageOptions, deps: CliDeps) {
  const reference = parseVordrImageReference(text);
  if (reference.kind !== 'package') return verifyStoreReference(text, opts);
  // On demand: the package reader (tar) stays off the path of verifying a store image.
  const { verifyPackageFile } = await import('../verification/verify-package.js');
  return verifyPackageFile(resolve(deps.cwd, reference.path), reference.path, {
    ...opts,
    tmpDir: tempParent(deps.env),
  });
}

/** `$TMPDIR` of the command's environment, else the OS temporary directory. */
function tempParent(env: CliDeps['env']): string {
  const dir = env['TMPDIR'];
  return dir !== undefined && dir !== '' ? dir : tmpdir();
}
