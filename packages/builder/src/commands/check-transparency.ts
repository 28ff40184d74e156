// SPDX-License-Identifier: Apache-2.0
// `cerro-torre check-transparency <image | x.ctp | bundle.json>` (03 §12).
import type { Command } from 'commander';
import { VcError, resolveStoreRoot, toVcError } from '@verified-container/shared';
import { decodeStatement } from '@verified-container/shared/attestation';
import { logQuorum, requirementsFromManifest } from '@verified-container/shared/verify';
import { shortDigest } from '../build/summary.js';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { errorResult, jsonLine, plural } from '../cli/output.js';
import { openBundleTarget } from '../signing/bundle-target.js';
import { loadTrustStore } from '../signing/load-trust-store.js';
import { readBundle } from '../signing/sign-bundle.js';
import {
  TRANSPARENCY_FAILURE_CODES,
  checkTransparency,
  type LogReport,
  type TransparencyReport,
} from '../transparency/check-transparency.js';

interface CheckTransparencyFlags {
  trustStore?: string;
  offline?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export function makeCheckTransparencyCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand(
    'check-transparency',
    'check the log entries of a bundle and that every log is consistent with what was seen before',
  )
    .argument('<target>', 'a store image name:tag, a .ctp package or a bundle.json file')
    .option(
      '--trust-store <file>',
      'trust store (default $VC_TRUST_STORE, else $VC_ROOT/keys/trust-store.json)',
    )
    .option('--offline', 'check only the proofs and SETs in the bundle; contact no log')
    .option('--json', 'print {logs, consensus, errors} on stdout')
    .addHelpText(
      'after',
      `
Offline part: every log entry of the bundle must come from a trust-store log, its inclusion
proof must lead to its root and its signed entry timestamp must verify with the log key; every
attestation must be in as many distinct logs as the quorum (the manifest's minimum-logs and
threshold-agreement, else 2).

Online part (skipped with --offline), per log named in the bundle: the signed tree head and the
checkpoint must verify with the trust-store key and name the same tree; the head must extend the
head this machine stored last time ($VC_ROOT/heads/<hex of the log id>.json) and the tree of every
bundle entry (consistency proofs); revocations of the attestations and the image are looked up.
The new head is stored only when the log passed.

Output on stderr: one ✓, ✗ or ! line per log and the consensus line; --json prints
{logs:[{logId, entries, head, previousHead, status}], consensus:{required, have, met}, errors}.

Exit status: 0 every check passed; 1 LOG_PROOF_INVALID, LOG_INCONSISTENT (forked or rewritten
history), LOG_ROLLBACK, REVOKED, INSUFFICIENT_LOG_COVERAGE or MISSING_ATTESTATION; 2 usage or
unreadable input; 3 a log was unreachable (LOG_UNAVAILABLE) and nothing else failed.`,
    )
    .action(
      action(box, 'builder', async (target: string, flags: CheckTransparencyFlags) => {
        try {
          return await checkTransparencyCommand(target, flags, deps);
        } catch (err) {
          const result = errorResult(err, {
            table: 'builder',
            json: flags.json === true,
            verbose: flags.verbose === true,
          });
          return { ...result, exitCode: exitCodeOf(toVcError(err).code) };
        }
      }),
    );
}

/** Errors that end the command before a report: 1 for failure codes, 3 unavailable, else 2. */
function exitCodeOf(code: string): number {
  if (TRANSPARENCY_FAILURE_CODES.has(code)) return 1;
  return code === 'LOG_UNAVAILABLE' ? 3 : 2;
}

export async function checkTransparencyCommand(
  targetArg: string,
  flags: CheckTransparencyFlags,
  deps: CliDeps,
): Promise<CommandResult> {
  const root = resolveStoreRoot(deps);
  const trust = await loadTrustStore(flags.trustStore, deps);
  if (trust === undefined) {
    throw new VcError('USAGE', 'check-transparency needs a trust store (the log keys)', {
      hint: 'give --trust-store FILE, set VC_TRUST_STORE, or run cerro-torre trust init',
    });
  }
  const target = await openBundleTarget(targetArg, { cwd: deps.cwd, root });
  try {
    const bundle = readBundle(target.bytes, target.display);
    const first = bundle.attestations[0];
    const subject =
      first !== undefined ? decodeStatement(first, '$').statement?.subject[0] : undefined;
    const imageDigest = subject !== undefined ? `sha256:${subject.digest.sha256}` : undefined;
    const quorum = logQuorum({
      ...(target.manifest !== undefined
        ? { requirements: requirementsFromManifest(target.manifest) }
        : {}),
    });
    const report = await checkTransparency({
      bundle,
      store: trust.store,
      quorum,
      imageDigest,
      offline: flags.offline === true,
      root,
      cwd: deps.cwd,
      now: deps.clock.now(),
    });
    const title = `Transparency for ${targetArg}${imageDigest !== undefined ? ` (${shortDigest(imageDigest)})` : ''}`;
    return {
      exitCode: report.exitCode,
      ...(flags.json === true ? { stdout: jsonLine(toJson(report)) } : {}),
      stderr: renderReport(title, report, flags.offline === true),
    };
  } finally {
    await target.close();
  }
}

/** The JSON document of 03 §12 (plus `warnings`). */
function toJson(report: TransparencyReport) {
  return {
    logs: report.logs.map((l) => ({
      logId: l.logId,
      entries: l.entries,
      head: l.head,
      previousHead: l.previousHead,
      status: l.status,
    })),
    consensus: {
      required: report.consensus.required,
      have: report.consensus.have,
      met: report.consensus.met,
    },
    errors: report.errors.map((e) => ({
      code: e.code,
      message: e.logId !== undefined ? `${e.logId}: ${e.message}` : e.message,
    })),
    warnings: report.warnings,
  };
}

/** The people-facing lines of 03 §12. */
export function renderReport(title: string, report: TransparencyReport, offline: boolean): string {
  const lines = [title];
  for (const log of report.logs) lines.push(...logLines(log, offline));
  const { required, have, met, logs } = report.consensus;
  const rule = `Transparency log consensus (${required}-of-${logs})`;
  const coverage = report.errors.filter((e) => e.code === 'INSUFFICIENT_LOG_COVERAGE');
  if (met && coverage.length === 0) {
    lines.push(`✓ ${rule}: every attestation is in ${plural(have, 'distinct log')}`);
  } else {
    for (const e of coverage) lines.push(`✗ ${rule}: ${e.code}: ${e.message}`);
  }
  lines.push(...report.warnings.map((w) => `warning: ${w}`));
  return `${lines.join('\n')}\n`;
}

function logLines(log: LogReport, offline: boolean): string[] {
  const included = `${plural(log.attestationsIncluded, 'attestation')} included (${log.verifiedIndexes.map((i) => `#${i}`).join(', ')})`;
  const lines = log.errors.map((e) => `✗ ${log.logId}: ${e.code}: ${e.message}`);
  if (log.unavailable !== undefined) {
    lines.push(`! ${log.logId}: LOG_UNAVAILABLE: ${log.unavailable}; offline: ${included}`);
  }
  if (lines.length > 0) return lines;
  if (offline || log.head === null)
    return [`✓ ${log.logId}: ${included}; head not checked (--offline)`];
  const h = log.previousHead;
  const head =
    h === null
      ? `head ${log.head.treeSize} recorded (first time seen)`
      : `head ${log.head.treeSize} consistent with head ${h.treeSize} seen ${h.verifiedAt}`;
  return [`✓ ${log.logId}: ${included}; ${head}`];
}
