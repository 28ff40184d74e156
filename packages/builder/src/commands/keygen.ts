// SPDX-License-Identifier: Apache-2.0
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  formatRfc3339Utc,
  resolveStoreRoot,
  storePaths,
  VcError,
} from '@verified-container/shared';
import {
  generatePrivateKey,
  privateKeyToPem,
  publicKeyToBase64,
  publicKeyToPem,
} from '@verified-container/shared/crypto';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { ensureDirectory, pathExists, writeFileAtomic } from '../io/files.js';
import { obtainNewPassphrase } from '../signing/passphrase.js';

const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

interface KeygenFlags {
  id?: string;
  out?: string;
  passphraseFile?: string;
  passphrase?: boolean;
  force?: boolean;
  json?: boolean;
  /** False when the caller must not prompt (trust init --dev creating keys). */
  prompt?: boolean;
}

export function makeKeygenCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('keygen', 'create an Ed25519 signing key')
    .option('--id <name>', 'key name, usually the keyholder name', 'cerro-torre')
    .option('--out <dir>', 'directory for <id>.key and <id>.pub (default $VC_ROOT/keys)')
    .option('--passphrase-file <file>', 'encrypt the private key with the first line of this file')
    .option('--no-passphrase', 'store the private key unencrypted')
    .option('--force', 'replace existing key files')
    .option('--json', 'print the trust-store key entry as JSON (the default output)')
    .addHelpText(
      'after',
      `
Writes <id>.key (PKCS#8 PEM, mode 0600; encrypted with AES-256-CBC when a passphrase is given by
--passphrase-file, CT_KEY_PASSPHRASE, or typed at the prompt when stdin is a terminal; an empty
answer or no terminal means unencrypted, with a warning) and <id>.pub (SPKI PEM). Prints the key id on stderr and,
on stdout, the trust-store key entry to paste into a trust store:
  {"id":"sha256:…","algorithm":"ed25519","publicKey":"…","validFrom":"…","metadata":{"owner":"<id>"}}

Exit status: 0 written, 1 the files exist (use --force), 2 usage or unreadable passphrase file.`,
    )
    .action(action(box, 'builder', async (flags: KeygenFlags) => generateKeyFiles(flags, deps)));
}

export async function generateKeyFiles(flags: KeygenFlags, deps: CliDeps): Promise<CommandResult> {
  const id = flags.id ?? 'cerro-torre';
  if (!KEY_NAME.test(id)) {
    throw new VcError('USAGE', `invalid key id ${JSON.stringify(id)}`, {
      hint: 'use 1–64 of A-Z a-z 0-9 . _ -',
    });
  }
  const root = resolveStoreRoot({ env: deps.env, uid: deps.uid, homeDir: deps.homeDir });
  const dir = flags.out !== undefined ? resolve(deps.cwd, flags.out) : storePaths(root).keys;
  const keyPath = join(dir, `${id}.key`);
  const pubPath = join(dir, `${id}.pub`);
  if (flags.force !== true) {
    for (const p of [keyPath, pubPath]) {
      if (await pathExists(p)) {
        throw new VcError('FILE_EXISTS', `${p} already exists`, {
          hint: 'use --force to replace it',
        });
      }
    }
  }
  const warnings: string[] = [];
  // 02 §8: --passphrase-file, else CT_KEY_PASSPHRASE, else a prompt (twice) on a terminal
  const passphrase =
    flags.passphrase === false && flags.passphraseFile === undefined
      ? undefined
      : await obtainNewPassphrase({
          env: deps.env,
          cwd: deps.cwd,
          interactive: deps.interactive && flags.prompt !== false,
          ...(flags.passphraseFile !== undefined ? { passphraseFile: flags.passphraseFile } : {}),
        });
  if (passphrase === undefined) {
    if (flags.passphrase !== false) {
      warnings.push(
        'warning: no passphrase given; the private key is stored unencrypted (use --passphrase-file FILE or CT_KEY_PASSPHRASE, or --no-passphrase to silence this)',
      );
    }
  }
  const key = generatePrivateKey();
  await ensureDirectory(dir, flags.out === undefined ? 0o700 : 0o755);
  const exclusive = flags.force !== true;
  await writeFileAtomic(keyPath, privateKeyToPem(key, passphrase), { mode: 0o600, exclusive });
  await writeFileAtomic(pubPath, publicKeyToPem(key.publicKey), { mode: 0o644, exclusive });
  const entry = {
    id: key.publicKey.keyId,
    algorithm: 'ed25519',
    publicKey: publicKeyToBase64(key.publicKey),
    validFrom: formatRfc3339Utc(deps.clock.now()),
    metadata: { owner: id },
  };
  const stderr = [
    ...warnings,
    `Generated Ed25519 key ${id} (${passphrase !== undefined ? 'encrypted' : 'unencrypted'})`,
    `key id:  ${key.publicKey.keyId}`,
    `private: ${keyPath}`,
    `public:  ${pubPath}`,
  ];
  return { exitCode: 0, stdout: jsonLine(entry), stderr: `${stderr.join('\n')}\n` };
}
