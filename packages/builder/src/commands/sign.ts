// SPDX-License-Identifier: Apache-2.0
// `cerro-torre sign --key K <bundle.json | name:tag>` (02 §10 step 2).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError, resolveStoreRoot } from '@verified-container/shared';
import { findKey, type TrustedKey } from '@verified-container/shared/attestation';
import type { Ed25519PrivateKey } from '@verified-container/shared/crypto';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { openBundleTarget, type BundleTarget } from '../signing/bundle-target.js';
import { passphraseFromDeps, readPrivateKeyAsking } from '../signing/passphrase.js';
import { loadTrustStore, type LoadedTrustStore } from '../signing/load-trust-store.js';
import { signBundle } from '../signing/sign-bundle.js';
import { signStatementCommand } from './sign-statement.js';
import { thresholdStatus, type ThresholdRequirement } from '../signing/threshold-status.js';

interface SignFlags {
  key: string;
  statement?: string;
  output?: string;
  append?: boolean;
  passphraseFile?: string;
  trustStore?: string;
  force?: boolean;
  json?: boolean;
}

export function makeSignCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('sign', 'add one signature to every attestation of a bundle')
    .argument('[target]', 'a bundle.json file or a store image name:tag')
    .requiredOption('--key <file>', 'Ed25519 private key (PKCS#8 PEM)')
    .option('--statement <file>', 'conformance form (04 §8): sign an in-toto statement file')
    .option('--output <file>', 'with --statement: the envelope to write')
    .option('--append', 'with --statement: add the signature to the envelope already in --output')
    .option(
      '--passphrase-file <file>',
      'passphrase of an encrypted key (first line; else $CT_KEY_PASSPHRASE, else asked on a terminal)',
    )
    .option(
      '--trust-store <file>',
      'trust store (default $VC_TRUST_STORE, else $VC_ROOT/keys/trust-store.json)',
    )
    .option('--force', 'sign with a key the trust store does not hold')
    .option('--json', 'print the result as JSON (the default output)')
    .addHelpText(
      'after',
      `
Appends the key's DSSE signature (over each existing payload) to every envelope and rewrites the
bundle atomically: the file, or the store's bundle of the image. A key that already signed
changes nothing. Envelopes that change lose their log entries; run cerro-torre publish again.
Prints {"signed":true,"keyid","owner","threshold":{"required","have","met"}}.

An encrypted key needs its passphrase: the first line of --passphrase-file, else
CT_KEY_PASSPHRASE, else it is asked (without echo) when stdin is a terminal; otherwise
KEY_PASSPHRASE_REQUIRED. A wrong one is KEY_PASSPHRASE_INVALID and nothing is written.

Exit status: 0 signed (or already signed), 1 the key is not in the trust store
(SIGN_KEY_UNTRUSTED, unless --force) or the bundle is malformed, 2 usage or unreadable key.`,
    )
    .action(
      action(
        box,
        (_target: string | undefined, flags: SignFlags) =>
          flags.statement !== undefined ? 'conformance' : 'builder',
        async (target: string | undefined, flags: SignFlags) => {
          if (flags.statement !== undefined) {
            if (flags.output === undefined) {
              throw new VcError('USAGE', 'sign --statement needs --output <file>');
            }
            return signStatementCommand(
              {
                statement: flags.statement,
                key: flags.key,
                output: flags.output,
                ...(flags.append !== undefined ? { append: flags.append } : {}),
                ...(flags.passphraseFile !== undefined
                  ? { passphraseFile: flags.passphraseFile }
                  : {}),
              },
              deps,
            );
          }
          if (target === undefined) {
            throw new VcError('USAGE', 'name the bundle to sign (bundle.json or name:tag)', {
              hint: 'cerro-torre sign --key KEY <bundle.json | name:tag>',
            });
          }
          return signTarget(target, flags, deps);
        },
        { jsonErrors: (f) => f['statement'] !== undefined || f['json'] === true },
      ),
    );
}

export async function signTarget(
  targetArg: string,
  flags: SignFlags,
  deps: CliDeps,
): Promise<CommandResult> {
  const root = resolveStoreRoot(deps);
  // 02 §8: --passphrase-file, else CT_KEY_PASSPHRASE, else a prompt on a terminal (encrypted keys)
  const passphrase = passphraseFromDeps(deps, flags.passphraseFile);
  const warnings: string[] = [];
  const key = await readPrivateKeyAsking(
    resolve(deps.cwd, flags.key),
    passphrase,
    warnings,
    flags.key,
  );
  const trust = await loadTrustStore(flags.trustStore, deps);
  const keyId = key.publicKey.keyId;
  const trusted = trust !== undefined ? findKey(trust.store, keyId) : undefined;
  if (trust !== undefined && trusted === undefined) {
    if (flags.force !== true) {
      throw new VcError(
        'SIGN_KEY_UNTRUSTED',
        `key ${keyId} is not in the trust store ${trust.path}`,
        {
          hint: 'add it with cerro-torre trust add-key, or sign anyway with --force',
        },
      );
    }
    warnings.push(
      `warning: SIGN_KEY_UNTRUSTED: key ${keyId} is not in the trust store; signing anyway (--force)`,
    );
  }
  const target = await openBundleTarget(targetArg, { cwd: deps.cwd, root });
  try {
    return await signOpened(target, key, trust, trusted, targetArg, warnings, deps);
  } finally {
    await target.close();
  }
}

async function signOpened(
  target: BundleTarget,
  key: Ed25519PrivateKey,
  trust: LoadedTrustStore | undefined,
  trusted: TrustedKey | undefined,
  targetArg: string,
  warnings: string[],
  deps: CliDeps,
): Promise<CommandResult> {
  const keyId = key.publicKey.keyId;
  const signed = signBundle(target.bytes, [key]);
  if (signed.changed) await target.write(signed.bytes);
  if (signed.droppedLogEntries > 0) {
    warnings.push(
      `warning: ${signed.droppedLogEntries} log entries no longer match the re-signed attestations and were removed; run cerro-torre publish ${targetArg}`,
    );
  }
  const owner = trusted?.key.metadata?.owner ?? null;
  let threshold: { required: number; have: number; met: boolean } | null = null;
  if (trust !== undefined) {
    const signing = target.manifest?.attestations.signing;
    const requirement: ThresholdRequirement =
      signing?.threshold !== undefined
        ? { kind: 'keyholders', k: signing.threshold.k, keyholders: signing.keyholders }
        : { kind: 'trust-store-groups' };
    const s = thresholdStatus(signed.bundle, trust.store, requirement, deps.clock.now());
    threshold = { required: s.required, have: s.have, met: s.met };
  }
  const summary = signed.changed
    ? `Signed ${target.display} with ${keyId}${owner !== null ? ` (${owner})` : ''}`
    : `${target.display} is already signed by ${keyId}; nothing changed`;
  const thresholdLine =
    threshold === null
      ? 'no trust store: the threshold was not evaluated'
      : `threshold: ${threshold.have} valid signatures on every attestation, ${threshold.required} required${threshold.met ? ' (met)' : ' (not met)'}`;
  return {
    exitCode: 0,
    stdout: jsonLine({ signed: true, keyid: keyId, owner, threshold }),
    stderr: `${[...warnings, summary, thresholdLine].join('\n')}\n`,
  };
}
