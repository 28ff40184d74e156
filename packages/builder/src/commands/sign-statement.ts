// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import type { Problem } from '@verified-container/shared';
import {
  addSignature,
  checkEnvelope,
  checkStatement,
  IN_TOTO_PAYLOAD_TYPE,
  signEnvelope,
  type DsseEnvelope,
} from '@verified-container/shared/attestation';
import { sha256Digest } from '@verified-container/shared/crypto';
import { canonicalBytes, JsonError, parseJson } from '@verified-container/shared/json';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { pathExists, readInputFile, writeFileAtomic } from '../io/files.js';
import { passphraseFromDeps, readPrivateKeyAsking } from '../signing/passphrase.js';

/** Flags of the conformance form `sign --statement F --key K --output O` (04 §8). */
export interface SignStatementFlags {
  statement: string;
  key: string;
  output: string;
  append?: boolean;
  passphraseFile?: string;
}

/**
 * `sign --statement` (04 §8): F must be a strictly parsed in-toto Statement v1 (else exit 1
 * `{"signed":false,"errors":[…]}`); the payload is JCS(F) and the envelope gets one signature.
 * With `--append` the signature is added to the envelope already in O when its payloadType and
 * payload are identical (the same key leaves it unchanged). An unusable key is exit 2 (thrown).
 * The lead registers this under `sign` together with the `sign --key <bundle>` mode.
 */
export async function signStatementCommand(
  flags: SignStatementFlags,
  deps: CliDeps,
): Promise<CommandResult> {
  const statementPath = resolve(deps.cwd, flags.statement);
  const bytes = await readInputFile(statementPath, {
    what: 'statement',
    maxBytes: 64 * 1024 * 1024,
  });
  let value: unknown;
  try {
    value = parseJson(bytes, { mode: 'strict', integersOnly: true });
  } catch (err) {
    if (!(err instanceof JsonError)) throw err;
    return notSigned([
      { code: 'MALFORMED_BUNDLE', path: err.path, message: `${flags.statement}: ${err.message}` },
    ]);
  }
  const problems = checkStatement(value, '$');
  if (problems.length > 0) return notSigned(problems);
  const payload = canonicalBytes(value);

  // 02 §8: --passphrase-file, else CT_KEY_PASSPHRASE, else a prompt on a terminal (encrypted keys)
  const passphrase = passphraseFromDeps(deps, flags.passphraseFile);
  const warnings: string[] = [];
  const key = await readPrivateKeyAsking(
    resolve(deps.cwd, flags.key),
    passphrase,
    warnings,
    flags.key,
  );

  const outputPath = resolve(deps.cwd, flags.output);
  let envelope: DsseEnvelope = signEnvelope(payload, key, IN_TOTO_PAYLOAD_TYPE);
  if (flags.append === true && (await pathExists(outputPath))) {
    const existing = await readExistingEnvelope(outputPath, flags.output);
    if ('errors' in existing) return notSigned(existing.errors);
    if (
      existing.envelope.payloadType !== envelope.payloadType ||
      existing.envelope.payload !== envelope.payload
    ) {
      return notSigned([
        {
          code: 'MALFORMED_BUNDLE',
          path: '$.payload',
          message: `${flags.output} holds an envelope over another payload; --append needs the same statement`,
        },
      ]);
    }
    envelope = addSignature(existing.envelope, key);
  }
  await writeFileAtomic(outputPath, `${JSON.stringify(envelope, null, 2)}\n`);
  return {
    exitCode: 0,
    stdout: jsonLine({
      signed: true,
      keyid: key.publicKey.keyId,
      payloadDigest: sha256Digest(payload),
      path: flags.output,
    }),
    stderr: [...warnings, `✓ signed with ${key.publicKey.keyId}`].join('\n') + '\n',
  };
}

async function readExistingEnvelope(
  path: string,
  name: string,
): Promise<{ envelope: DsseEnvelope } | { errors: Problem[] }> {
  const bytes = await readInputFile(path, { what: 'envelope', maxBytes: 64 * 1024 * 1024 });
  let value: unknown;
  try {
    value = parseJson(bytes, { mode: 'strict', integersOnly: true });
  } catch (err) {
    if (!(err instanceof JsonError)) throw err;
    return {
      errors: [{ code: 'MALFORMED_BUNDLE', path: err.path, message: `${name}: ${err.message}` }],
    };
  }
  const errors = checkEnvelope(value, '$').filter((p) => p.code === 'MALFORMED_BUNDLE');
  if (errors.length > 0) return { errors };
  return { envelope: value as DsseEnvelope };
}

function notSigned(errors: readonly Problem[]): CommandResult {
  return {
    exitCode: 1,
    stdout: jsonLine({ signed: false, errors }),
    stderr: errors.map((e) => `✗ ${e.code}: ${e.message} (${e.path ?? '$'})\n`).join(''),
  };
}
