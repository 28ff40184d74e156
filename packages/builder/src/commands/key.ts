// SPDX-License-Identifier: Apache-2.0
// `cerro-torre key list | export | import | delete | id` (02 §8): the keys under $VC_ROOT/keys.
import { promises as fs } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError, resolveStoreRoot, storePaths } from '@verified-container/shared';
import {
  isEncryptedPem,
  parsePrivateKeyPem,
  parsePublicKeyPem,
  publicKeyFromBase64,
  publicKeyToBase64,
  publicKeyToPem,
  type Ed25519PublicKey,
} from '@verified-container/shared/crypto';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { ensureDirectory, pathExists, readInputFile, writeFileAtomic } from '../io/files.js';
import { obtainPassphrase, type PassphraseSources } from '../signing/passphrase.js';

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
  const key = newCommand('key', 'list, export, import, delete and identify signing keys');
  key.addCommand(
    newCommand('list', 'list the keys of $VC_ROOT/keys')
      .option('--json', 'print {"keys":[…]} on stdout')
      .addHelpText(
        'after',
        `
One line per key name: name, key id, private/public, "encrypted" for an encrypted private key.
--json prints {"keys":[{"id","keyId","private","public","encrypted"}]}.

Exit status: 0 listed (an empty or missing keys directory lists nothing).`,
      )
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
      .option('--passphrase-file <file>', 'passphrase when only an encrypted private key exists')
      .addHelpText(
        'after',
        `
Prints <id>.pub, or the public half of <id>.key when there is no .pub (an encrypted key needs a
passphrase: --passphrase-file, CT_KEY_PASSPHRASE, or the prompt on a terminal).

Exit status: 0 printed or written; 2 no such key (KEY_NOT_FOUND), unreadable key, KEY_PASSPHRASE_*.`,
      )
      .action(
        action(box, 'builder', async (id: string, flags: ExportFlags) =>
          exportKey(id, flags, deps),
        ),
      ),
  );
  key.addCommand(
    newCommand('import', 'copy a PEM key file into $VC_ROOT/keys')
      .argument('<file>', 'a public key (SPKI PEM) or a private key (PKCS#8 PEM, maybe encrypted)')
      .option('--id <name>', 'key name (default: the file name without .pem/.pub/.key)')
      .option('--passphrase-file <file>', 'passphrase of an encrypted private key (first line)')
      .option('--force', 'replace an existing key of that name')
      .option('--json', 'print the result as JSON (the default output)')
      .addHelpText(
        'after',
        `
A public key becomes <id>.pub. A private key is copied as it is (still encrypted) to <id>.key, mode
0600, and its public half is written to <id>.pub; an encrypted one is opened with the passphrase
(--passphrase-file, CT_KEY_PASSPHRASE, or the prompt on a terminal) to check it and find its key id.
Prints {"id","keyId","private","public"}.

Exit status: 0 imported; 1 a key of that name exists (FILE_EXISTS, use --force); 2 usage,
unreadable or unsupported key (KEY_UNSUPPORTED, KEY_INVALID), KEY_PASSPHRASE_REQUIRED / INVALID.`,
      )
      .action(
        action(box, 'builder', async (file: string, flags: ImportFlags) =>
          importKey(file, flags, deps),
        ),
      ),
  );
  key.addCommand(
    newCommand('delete', 'remove a key (<id>.key and <id>.pub) from $VC_ROOT/keys')
      .argument('<id>', 'key name')
      .option('--force', 'required: deleting a private key cannot be undone')
      .option('--json', 'print the result as JSON (the default output)')
      .addHelpText(
        'after',
        `
Exit status: 0 deleted; 2 without --force (USAGE) or no such key (KEY_NOT_FOUND).`,
      )
      .action(
        action(box, 'builder', async (id: string, flags: { force?: boolean }) =>
          deleteKey(id, flags, deps),
        ),
      ),
  );
  key.addCommand(
    newCommand('id', 'print the key id of a public or private key file')
      .argument('<file>', 'SPKI PEM, PKCS#8 PEM, or base64 SPKI')
      .option('--passphrase-file <file>', 'passphrase of an encrypted private key (first line)')
      .option('--json', 'print {"keyId","publicKey"}')
      .addHelpText(
        'after',
        `
The key id is sha256: + hex of sha256(SPKI DER) (02 §8). Prints it on stdout.

Exit status: 0 printed; 2 unreadable or unsupported key, KEY_PASSPHRASE_REQUIRED / INVALID.`,
      )
      .action(
        action(box, 'builder', async (file: string, flags: IdFlags) => keyIdOf(file, flags, deps)),
      ),
  );
  return key;
}

interface ExportFlags {
  output?: string;
  passphraseFile?: string;
}
interface ImportFlags {
  id?: string;
  passphraseFile?: string;
  force?: boolean;
  json?: boolean;
}
interface IdFlags {
  passphraseFile?: string;
  json?: boolean;
}

const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

function passphraseSources(deps: CliDeps, passphraseFile: string | undefined): PassphraseSources {
  return {
    env: deps.env,
    cwd: deps.cwd,
    interactive: deps.interactive,
    ...(passphraseFile !== undefined ? { passphraseFile } : {}),
  };
}

/** The public key of a PEM (public or private, maybe encrypted) or base64 SPKI text. */
async function publicKeyOfText(
  text: string,
  path: string,
  sources: PassphraseSources,
): Promise<{ publicKey: Ed25519PublicKey; private: boolean }> {
  try {
    if (/-----BEGIN (?:ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
      const passphrase = isEncryptedPem(text)
        ? await obtainPassphrase(sources, `Enter passphrase for ${path}: `)
        : undefined;
      return { publicKey: parsePrivateKeyPem(text, passphrase).publicKey, private: true };
    }
    if (text.includes('-----BEGIN')) return { publicKey: parsePublicKeyPem(text), private: false };
    return { publicKey: publicKeyFromBase64(text.trim()), private: false };
  } catch (err) {
    if (err instanceof VcError) {
      throw new VcError(err.code, `${path}: ${err.message}`, {
        cause: err,
        ...(err.hint !== undefined ? { hint: err.hint } : {}),
      });
    }
    throw err;
  }
}

async function readKeyText(path: string): Promise<string> {
  return Buffer.from(await readInputFile(path, { maxBytes: 64 * 1024, what: 'key' })).toString(
    'utf8',
  );
}

async function importKey(file: string, flags: ImportFlags, deps: CliDeps): Promise<CommandResult> {
  const path = resolve(deps.cwd, file);
  const id = flags.id ?? basename(path).replace(/\.(pem|pub|key)$/, '');
  if (!KEY_NAME.test(id)) {
    throw new VcError('USAGE', `invalid key id ${JSON.stringify(id)}`, {
      hint: 'give --id with 1–64 of A-Z a-z 0-9 . _ -',
    });
  }
  const text = await readKeyText(path);
  const opened = await publicKeyOfText(text, path, passphraseSources(deps, flags.passphraseFile));
  const dir = storePaths(resolveStoreRoot(deps)).keys;
  const keyPath = join(dir, `${id}.key`);
  const pubPath = join(dir, `${id}.pub`);
  if (flags.force !== true) {
    for (const p of [keyPath, pubPath]) {
      if (await pathExists(p)) {
        throw new VcError('FILE_EXISTS', `${p} already exists`, {
          hint: 'use --force to replace it, or --id to choose another name',
        });
      }
    }
  }
  await ensureDirectory(dir, 0o700);
  const exclusive = flags.force !== true;
  if (opened.private) {
    await writeFileAtomic(keyPath, text, { mode: 0o600, exclusive });
  } else if (flags.force === true) {
    // a public key replaces a key pair of that name: an old .key would not match the new .pub
    await fs.rm(keyPath, { force: true });
  }
  await writeFileAtomic(pubPath, publicKeyToPem(opened.publicKey), { mode: 0o644, exclusive });
  const result = { id, keyId: opened.publicKey.keyId, private: opened.private, public: true };
  return {
    exitCode: 0,
    stdout: jsonLine(result),
    stderr: `Imported ${opened.private ? 'private' : 'public'} key ${id} (${result.keyId}) into ${dir}\n`,
  };
}

async function deleteKey(
  id: string,
  flags: { force?: boolean },
  deps: CliDeps,
): Promise<CommandResult> {
  if (!KEY_NAME.test(id)) throw new VcError('USAGE', `invalid key id ${JSON.stringify(id)}`);
  const dir = storePaths(resolveStoreRoot(deps)).keys;
  const paths = [join(dir, `${id}.key`), join(dir, `${id}.pub`)];
  const present: string[] = [];
  for (const p of paths) if (await pathExists(p)) present.push(p);
  if (present.length === 0) {
    throw new VcError('KEY_NOT_FOUND', `there is no key ${id} in ${dir}`, {
      hint: 'see cerro-torre key list',
    });
  }
  if (flags.force !== true) {
    throw new VcError('USAGE', `deleting key ${id} needs --force`, {
      hint: `a deleted private key cannot be recovered: cerro-torre key delete ${id} --force`,
    });
  }
  for (const p of present) {
    try {
      await fs.unlink(p);
    } catch (cause) {
      throw new VcError('WRITE_FAILED', `cannot delete ${p}: ${(cause as Error).message}`, {
        cause,
      });
    }
  }
  return {
    exitCode: 0,
    stdout: jsonLine({ id, deleted: present }),
    stderr: `Deleted ${present.join(' and ')}\n`,
  };
}

async function keyIdOf(file: string, flags: IdFlags, deps: CliDeps): Promise<CommandResult> {
  const path = resolve(deps.cwd, file);
  const { publicKey } = await publicKeyOfText(
    await readKeyText(path),
    path,
    passphraseSources(deps, flags.passphraseFile),
  );
  if (flags.json === true) {
    return {
      exitCode: 0,
      stdout: jsonLine({ keyId: publicKey.keyId, publicKey: publicKeyToBase64(publicKey) }),
    };
  }
  return { exitCode: 0, stdout: `${publicKey.keyId}\n` };
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

async function exportKey(id: string, flags: ExportFlags, deps: CliDeps): Promise<CommandResult> {
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
    publicKey = (
      await publicKeyOfText(
        Buffer.from(pem).toString('utf8'),
        keyPath,
        passphraseSources(deps, flags.passphraseFile),
      )
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
