// SPDX-License-Identifier: Apache-2.0
// `cerro-torre key list` and `key export <id>` (02 §8): the keys under $VC_ROOT/keys.
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError, resolveStoreRoot, storePaths } from '@verified-container/shared';
import {
  isEncryptedPem,
  parsePrivateKeyPem,
  parsePublicKeyPem,
  publicKeyToPem,
  type Ed25519PublicKey,
} from '@verified-container/shared/crypto';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { readInputFile, writeFileAtomic } from '../io/files.js';

/** One key name of the keys directory. */
export interface KeyListing {
  readonly id: string;
  /** Key id from the public key (or an unencrypted private key); null when unreadable. */
  readonly keyId: string | null;
  readonly private: boolean;
  readonly public: boolean;
  /** Whether the private key is encrypted; null without a private key. */
  readonly encrypted: boolean | null;
}

export function makeKeyCommand(deps: CliDeps, box: ResultBox): Command {
  const key = newCommand('key', 'list and export signing keys');
  key.addCommand(
    newCommand('list', 'list the keys of $VC_ROOT/keys')
      .option('--json', 'print {"keys":[…]} on stdout')
      .action(
        action(box, 'builder', async (flags: { json?: boolean }) => {
          const keys = await listKeys(storePaths(resolveStoreRoot(deps)).keys);
          if (flags.json === true) return { exitCode: 0, stdout: jsonLine({ keys }) };
          const lines = keys.map(
            (k) =>
              `${k.id}\t${k.keyId ?? '(unreadable)'}\t${[k.private ? 'private' : '', k.public ? 'public' : ''].filter(Boolean).join('+')}${k.encrypted === true ? '\tencrypted' : ''}`,
          );
          return { exitCode: 0, stdout: lines.length > 0 ? `${lines.join('\n')}\n` : '' };
        }),
      ),
  );
  key.addCommand(
    newCommand('export', 'print (or write) the public key PEM of a key')
      .argument('<id>', 'key name (as given to keygen --id)')
      .option('-o, --output <file>', 'write the PEM to this file instead of stdout')
      .action(
        action(box, 'builder', async (id: string, flags: { output?: string }) =>
          exportKey(id, flags, deps),
        ),
      ),
  );
  return key;
}

/** Every `<id>.key` / `<id>.pub` of `dir`, sorted by id; a missing directory lists nothing. */
export async function listKeys(dir: string): Promise<KeyListing[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const ids = [
    ...new Set(names.filter((n) => /\.(key|pub)$/.test(n)).map((n) => n.slice(0, -'.key'.length))),
  ].sort();
  const out: KeyListing[] = [];
  for (const id of ids) {
    const hasPrivate = names.includes(`${id}.key`);
    const hasPublic = names.includes(`${id}.pub`);
    let encrypted: boolean | null = null;
    let publicKey: Ed25519PublicKey | undefined;
    if (hasPublic) publicKey = await tryPublic(join(dir, `${id}.pub`));
    if (hasPrivate) {
      const pem = await fs.readFile(join(dir, `${id}.key`), 'utf8').catch(() => '');
      encrypted = isEncryptedPem(pem);
      if (publicKey === undefined && !encrypted) {
        try {
          publicKey = parsePrivateKeyPem(pem).publicKey;
        } catch {
          // listed as unreadable
        }
      }
    }
    out.push({
      id,
      keyId: publicKey?.keyId ?? null,
      private: hasPrivate,
      public: hasPublic,
      encrypted,
    });
  }
  return out;
}

async function tryPublic(path: string): Promise<Ed25519PublicKey | undefined> {
  try {
    return parsePublicKeyPem(await fs.readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

async function exportKey(
  id: string,
  flags: { output?: string },
  deps: CliDeps,
): Promise<CommandResult> {
  const dir = storePaths(resolveStoreRoot(deps)).keys;
  const pubPath = join(dir, `${id}.pub`);
  const keyPath = join(dir, `${id}.key`);
  let publicKey = await tryPublic(pubPath);
  if (publicKey === undefined) {
    let pem: Uint8Array;
    try {
      pem = await readInputFile(keyPath, { maxBytes: 64 * 1024, what: 'private key' });
    } catch (cause) {
      throw new VcError('KEY_NOT_FOUND', `there is no key ${id} in ${dir}`, {
        cause,
        hint: 'see cerro-torre key list',
      });
    }
    publicKey = parsePrivateKeyPem(
      Buffer.from(pem).toString('utf8'),
      deps.env['CT_KEY_PASSPHRASE'],
    ).publicKey;
  }
  const pem = publicKeyToPem(publicKey);
  if (flags.output !== undefined) {
    const out = resolve(deps.cwd, flags.output);
    await writeFileAtomic(out, pem, { mode: 0o644 });
    return {
      exitCode: 0,
      stderr: `Wrote the public key of ${id} (${publicKey.keyId}) to ${out}\n`,
    };
  }
  return { exitCode: 0, stdout: pem, stderr: `key id: ${publicKey.keyId}\n` };
}
