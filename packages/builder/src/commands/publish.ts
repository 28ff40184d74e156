// SPDX-License-Identifier: Apache-2.0
// `cerro-torre publish <bundle.json | name:tag>` (02 §10 step 3, 03 §10).
import type { Command } from 'commander';
import { VcError, resolveStoreRoot } from '@verified-container/shared';
import { serializeBundle } from '@verified-container/shared/attestation';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { formatError, jsonLine } from '../cli/output.js';
import { closeLogs, planPublish, unlockLogKeys } from '../publish/configured-logs.js';
import {
  agreementError,
  agreementExitCode,
  publishBundle,
  type PublishDeps,
  type PublishOutcome,
} from '../publish/publish-bundle.js';
import { openBundleTarget, type BundleTarget } from '../signing/bundle-target.js';
import { loadTrustStore, type LoadedTrustStore } from '../signing/load-trust-store.js';
import { passphraseFromDeps } from '../signing/passphrase.js';
import { readBundle } from '../signing/sign-bundle.js';
import { thresholdStatus, type ThresholdRequirement } from '../signing/threshold-status.js';

interface PublishFlags {
  trustStore?: string;
  passphraseFile?: string;
  json?: boolean;
}

export function makePublishCommand(
  deps: CliDeps,
  box: ResultBox,
  publishDeps: PublishDeps = {},
): Command {
  return newCommand('publish', 'submit every attestation to the transparency logs')
    .argument('<target>', 'a bundle.json file or a store image name:tag')
    .option(
      '--trust-store <file>',
      'trust store (default $VC_TRUST_STORE, else $VC_ROOT/keys/trust-store.json)',
    )
    .option(
      '--passphrase-file <file>',
      'passphrase of encrypted file: log keys (first line; else $CT_KEY_PASSPHRASE, else asked on a terminal)',
    )
    .option('--json', 'print {published, agreement, entries, failed} on stdout')
    .addHelpText(
      'after',
      `
Requires the signing threshold (the manifest's, else every trust-store signing group), then
submits each attestation to every log of the manifest's [attestations.transparency] (else every
trust-store log), retrying unavailable logs, and checks each answer's inclusion proof and SET.
When every attestation is in threshold-agreement k distinct logs, the entries are written to the
bundle atomically; otherwise the bundle is left unchanged. Publishing again is idempotent.

A file: log is written directly with its log.key; an encrypted one needs its passphrase: the first
line of --passphrase-file, else CT_KEY_PASSPHRASE, else it is asked (without echo) when stdin is
a terminal; otherwise KEY_PASSPHRASE_REQUIRED. A wrong one is KEY_PASSPHRASE_INVALID (exit 2)
before anything is submitted.

Exit status: 0 published; 1 THRESHOLD_NOT_MET, LOG_UNKNOWN, or the agreement not reached because a
log misbehaved; 2 usage or unreadable input; 3 the agreement not reached because logs were
unavailable.`,
    )
    .action(
      action(box, 'builder', async (target: string, flags: PublishFlags) =>
        publishTarget(target, flags, deps, publishDeps),
      ),
    );
}

export async function publishTarget(
  targetArg: string,
  flags: PublishFlags,
  deps: CliDeps,
  publishDeps: PublishDeps = {},
): Promise<CommandResult> {
  const root = resolveStoreRoot(deps);
  const trust = await loadTrustStore(flags.trustStore, deps);
  if (trust === undefined) {
    throw new VcError('USAGE', 'publishing needs a trust store (log keys and signers)', {
      hint: 'give --trust-store FILE, set VC_TRUST_STORE, or run cerro-torre trust init',
    });
  }
  const target = await openBundleTarget(targetArg, { cwd: deps.cwd, root });
  try {
    return await publishOpened(target, trust, targetArg, flags, deps, publishDeps);
  } finally {
    await target.close();
  }
}

async function publishOpened(
  target: BundleTarget,
  trust: LoadedTrustStore,
  targetArg: string,
  flags: PublishFlags,
  deps: CliDeps,
  publishDeps: PublishDeps,
): Promise<CommandResult> {
  const bundle = readBundle(target.bytes, target.display);
  const signing = target.manifest?.attestations.signing;
  const requirement: ThresholdRequirement =
    signing?.threshold !== undefined
      ? { kind: 'keyholders', k: signing.threshold.k, keyholders: signing.keyholders }
      : { kind: 'trust-store-groups' };
  const status = thresholdStatus(bundle, trust.store, requirement, deps.clock.now());
  if (!status.met) {
    throw new VcError(
      'THRESHOLD_NOT_MET',
      `${target.display} has ${status.have} of the ${status.required} signatures ${status.group === 'keyholders' ? 'the manifest requires' : `group ${status.group} requires`} on every attestation`,
      { hint: `add signatures with cerro-torre sign --key KEY ${targetArg}` },
    );
  }
  const plan = planPublish(trust.store, target.manifest, { baseDir: target.baseDir });
  let outcome: PublishOutcome;
  try {
    // 02 §8: encrypted file: log keys are opened before anything is submitted
    await unlockLogKeys(plan.logs, passphraseFromDeps(deps, flags.passphraseFile));
    outcome = await publishBundle(bundle, plan.logs, plan.agreement, {
      logger: deps.logger,
      ...publishDeps,
    });
  } finally {
    await closeLogs(plan.logs);
  }
  const document = {
    published: outcome.published,
    agreement: outcome.agreement,
    entries: outcome.entries.map((e) => ({
      attestationDigest: e.attestationDigest,
      logId: e.logId,
      logIndex: e.logIndex,
    })),
    failed: outcome.failed,
  };
  const stdout = flags.json === true ? jsonLine(document) : undefined;
  if (!outcome.published) {
    return {
      exitCode: agreementExitCode(outcome),
      ...(stdout !== undefined ? { stdout } : {}),
      stderr: [...plan.warnings.map((w) => `${w}\n`), formatError(agreementError(outcome))].join(
        '',
      ),
    };
  }
  await target.write(new TextEncoder().encode(serializeBundle(outcome.bundle)));
  const lines = [...plan.warnings];
  for (const log of outcome.logs) {
    const entries = outcome.entries.filter((e) => e.logId === log.logId);
    const failure = outcome.failed.find((f) => f.logId === log.logId);
    lines.push(
      failure === undefined
        ? `✓ ${log.logId}: ${entries.length} attestations included (${entries.map((e) => `#${e.logIndex}`).join(', ')})`
        : `! ${log.logId}: ${failure.code}: ${failure.reason}`,
    );
  }
  lines.push(
    `✓ Transparency agreement (${outcome.agreement}): every attestation is in ${plan.agreement.k} distinct logs; ${target.display} updated`,
  );
  return {
    exitCode: 0,
    ...(stdout !== undefined ? { stdout } : {}),
    stderr: `${lines.join('\n')}\n`,
  };
}
