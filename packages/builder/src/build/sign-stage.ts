// SPDX-License-Identifier: Apache-2.0
// Signing and publishing inside `build` (02 §10 step 1, 03 §10): sign every envelope with each key
// the builder can load; when the threshold is met and logs are configured, publish before the
// commit. Nothing is written here: the caller commits the returned bundle.
import { resolve } from 'node:path';
import { VcError, type Clock, type Logger } from '@verified-container/shared';
import { findKey, serializeBundle } from '@verified-container/shared/attestation';
import type { Manifest } from '@verified-container/shared/manifest';
import { closeLogs, planPublish, unlockLogKeys } from '../publish/configured-logs.js';
import { agreementError, agreementExitCode, publishBundle } from '../publish/publish-bundle.js';
import { loadKeyholderKeys, type LoadedKey } from '../signing/load-keys.js';
import { loadTrustStore } from '../signing/load-trust-store.js';
import { passphraseOnce, type KeyPassphrase } from '../signing/passphrase.js';
import { signBundle } from '../signing/sign-bundle.js';
import { thresholdStatus } from '../signing/threshold-status.js';
import type { BuildStatus } from './build-types.js';
import type { BuildProgress } from './progress.js';

export interface SignStageInput {
  readonly manifest: Manifest;
  /** The unsigned bundle (02 §11 bytes). */
  readonly bundleText: string;
  /** `$VC_ROOT`. */
  readonly root: string;
  /** Directory of the manifest (relative `file:` logs). */
  readonly manifestDir: string;
  /** `--key` files. */
  readonly keyFiles: readonly string[];
  readonly noSign: boolean;
  readonly noPublish: boolean;
  /** `--trust-store`. */
  readonly trustStore?: string;
}

export interface SignStageDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly uid: number;
  readonly homeDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly progress: BuildProgress;
  /**
   * The passphrase of encrypted keys (signing keys and `file:` log keys), asked at most once and
   * only when one is met; default: `CT_KEY_PASSPHRASE`, never a prompt.
   */
  readonly passphrase?: KeyPassphrase;
}

export interface SignStage {
  readonly bundleText: string;
  readonly status: BuildStatus;
  /** Keyholders (or key ids of `--key` files without an owner) that signed. */
  readonly signedBy: readonly string[];
  readonly met: boolean;
  readonly entries: readonly { readonly logId: string; readonly logIndex: number }[];
  readonly published: boolean;
}

/**
 * Signs the bundle with the available keys (skipping, with SIGN_KEY_UNTRUSTED warnings, keys the
 * trust store does not know), counts the manifest's threshold, and publishes when it is met.
 * A publish that does not reach the agreement fails the build (PUBLISH_AGREEMENT_NOT_MET,
 * `details.exitCode` 3 when every failure was an unavailable log).
 */
export async function signStage(input: SignStageInput, deps: SignStageDeps): Promise<SignStage> {
  const unsigned: SignStage = {
    bundleText: input.bundleText,
    status: 'unsigned',
    signedBy: [],
    met: false,
    entries: [],
    published: false,
  };
  const signing = input.manifest.attestations.signing;
  if (input.noSign) return unsigned;
  const passphrase =
    deps.passphrase ?? passphraseOnce({ env: deps.env, cwd: deps.cwd, interactive: false });
  const keyFiles = input.keyFiles.map((file) => resolve(deps.cwd, file));
  const loaded = await loadKeyholderKeys(input.root, signing.keyholders, keyFiles, {
    passphrase,
  });
  for (const warning of loaded.warnings) deps.progress.note(warning);
  const trust = await loadTrustStore(input.trustStore, deps);
  const usable: LoadedKey[] = [];
  for (const k of loaded.keys) {
    if (trust !== undefined && findKey(trust.store, k.key.publicKey.keyId) === undefined) {
      deps.progress.note(
        `warning SIGN_KEY_UNTRUSTED: ${k.path} (${k.key.publicKey.keyId}) is not in ${trust.path}: not used`,
      );
      continue;
    }
    usable.push(k);
  }
  if (usable.length === 0) return unsigned;

  const signed = signBundle(
    new TextEncoder().encode(input.bundleText),
    usable.map((k) => k.key),
  );
  const signedBy = usable.map(
    (k) =>
      k.keyholder ??
      (trust !== undefined
        ? findKey(trust.store, k.key.publicKey.keyId)?.key.metadata?.owner
        : undefined) ??
      k.key.publicKey.keyId,
  );
  const bundleText = new TextDecoder().decode(signed.bytes);
  if (trust === undefined) {
    return { ...unsigned, bundleText, status: 'signed', signedBy, met: false };
  }
  const status =
    signing.threshold !== undefined
      ? thresholdStatus(
          signed.bundle,
          trust.store,
          { kind: 'keyholders', k: signing.threshold.k, keyholders: signing.keyholders },
          deps.clock.now(),
        )
      : thresholdStatus(
          signed.bundle,
          trust.store,
          { kind: 'trust-store-groups' },
          deps.clock.now(),
        );
  if (!status.met) {
    return { ...unsigned, bundleText, status: 'pending-signatures', signedBy, met: false };
  }
  const logs = input.manifest.attestations.transparency.logs;
  if (input.noPublish || logs.length === 0) {
    return { ...unsigned, bundleText, status: 'signed', signedBy, met: true };
  }

  const plan = planPublish(trust.store, input.manifest, { baseDir: input.manifestDir });
  for (const warning of plan.warnings) deps.progress.note(warning);
  // 02 §8: encrypted file: log keys are opened before anything is submitted
  await unlockLogKeys(plan.logs, passphrase);
  const task = `publish to ${plan.logs.length} transparency logs`;
  deps.progress.begin(task);
  let outcome;
  try {
    outcome = await publishBundle(signed.bundle, plan.logs, plan.agreement, {
      logger: deps.logger,
    });
  } finally {
    await closeLogs(plan.logs);
  }
  if (!outcome.published) {
    const err = agreementError(outcome);
    throw new VcError(err.code, err.message, {
      ...(err.hint !== undefined ? { hint: err.hint } : {}),
      details: { exitCode: agreementExitCode(outcome), failed: outcome.failed },
    });
  }
  deps.progress.end(task, `${outcome.entries.length} entries`);
  return {
    bundleText: serializeBundle(outcome.bundle),
    status: 'published',
    signedBy,
    met: true,
    entries: outcome.entries.map((e) => ({ logId: e.logId, logIndex: e.logIndex })),
    published: true,
  };
}
