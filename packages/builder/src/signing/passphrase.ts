// SPDX-License-Identifier: Apache-2.0
// Passphrases of encrypted private keys (02 §8): --passphrase-file, CT_KEY_PASSPHRASE, a prompt.
import { Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { VcError } from '@verified-container/shared';
import { isEncryptedPem, type Ed25519PrivateKey } from '@verified-container/shared/crypto';
import { readFirstLine, readInputFile } from '../io/files.js';
import { readPrivateKeyFile } from './load-keys.js';

/** Where a passphrase may come from, in the order of 02 §8. */
export interface PassphraseSources {
  /** `--passphrase-file` (resolved against `cwd`). */
  readonly passphraseFile?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Whether stdin is a terminal: only then is the user prompted. */
  readonly interactive: boolean;
  /** Asks questions without echo; defaults to {@link promptHidden} on the process's terminal. */
  readonly prompt?: (questions: readonly string[]) => Promise<string[]>;
}

/**
 * The passphrase of 02 §8: the first line of `--passphrase-file` (final LF removed), else
 * `CT_KEY_PASSPHRASE`, else a prompt without echo when stdin is a terminal, else undefined.
 * An empty passphrase counts as none.
 */
export async function obtainPassphrase(
  sources: PassphraseSources,
  question = 'Passphrase: ',
): Promise<string | undefined> {
  let passphrase: string | undefined;
  if (sources.passphraseFile !== undefined) {
    passphrase = await readFirstLine(
      resolve(sources.cwd, sources.passphraseFile),
      'passphrase file',
    );
  } else if (sources.env['CT_KEY_PASSPHRASE'] !== undefined) {
    passphrase = sources.env['CT_KEY_PASSPHRASE'];
  } else if (sources.interactive) {
    [passphrase] = await (sources.prompt ?? promptHidden)([question]);
  }
  return passphrase === '' ? undefined : passphrase;
}

/**
 * A new passphrase for `keygen`: like {@link obtainPassphrase}, but a prompt asks twice and the two
 * answers must match (else `KEY_PASSPHRASE_INVALID`). Two empty answers mean "no passphrase".
 */
export async function obtainNewPassphrase(sources: PassphraseSources): Promise<string | undefined> {
  if (sources.passphraseFile !== undefined || sources.env['CT_KEY_PASSPHRASE'] !== undefined) {
    return obtainPassphrase(sources);
  }
  if (!sources.interactive) return undefined;
  const prompt = sources.prompt ?? promptHidden;
  // both questions in one prompt, so answers typed ahead are not lost between them
  const [first = '', again = ''] = await prompt([
    'New passphrase (empty for none): ',
    'Repeat the passphrase: ',
  ]);
  if (again !== first) {
    throw new VcError('KEY_PASSPHRASE_INVALID', 'the two passphrases differ', {
      hint: 'run the command again',
    });
  }
  if (first === '') return undefined;
  return first;
}

/**
 * The passphrase for the encrypted key named `keyPath` (shown in the prompt). Called only when an
 * encrypted key is met; undefined when none was given and none could be asked.
 */
export type KeyPassphrase = (keyPath: string) => Promise<string | undefined>;

/**
 * A {@link KeyPassphrase} that obtains the passphrase (02 §8 order) at most once per run: every
 * encrypted key of a run shares it, so the second key met is not asked for again.
 */
export function passphraseOnce(sources: PassphraseSources): KeyPassphrase {
  let obtained: Promise<string | undefined> | undefined;
  return (keyPath) => (obtained ??= obtainPassphrase(sources, `Enter passphrase for ${keyPath}: `));
}

/** What the commands that load private keys pass to {@link passphraseOnce}. */
export interface PassphraseDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly interactive: boolean;
  readonly prompt?: (questions: readonly string[]) => Promise<string[]>;
}

/** {@link passphraseOnce} from the CLI deps and a `--passphrase-file` flag. */
export function passphraseFromDeps(
  deps: PassphraseDeps,
  passphraseFile: string | undefined,
): KeyPassphrase {
  return passphraseOnce({
    env: deps.env,
    cwd: deps.cwd,
    interactive: deps.interactive,
    ...(deps.prompt !== undefined ? { prompt: deps.prompt } : {}),
    ...(passphraseFile !== undefined ? { passphraseFile } : {}),
  });
}

/** `KEY_PASSPHRASE_REQUIRED` for the encrypted key `path`, with a hint naming the three ways. */
export function passphraseRequired(path: string): VcError {
  return new VcError('KEY_PASSPHRASE_REQUIRED', `${path}: the private key is encrypted`, {
    hint: 'give --passphrase-file FILE, set CT_KEY_PASSPHRASE, or run on a terminal to be asked',
  });
}

/**
 * Reads a private key file, asking `passphrase` only when the key is encrypted (`display` names
 * the key in the prompt; default `path`). An encrypted key without a passphrase →
 * `KEY_PASSPHRASE_REQUIRED`; a wrong one → `KEY_PASSPHRASE_INVALID`. Warnings (a
 * group/other-readable key) are appended to `warnings`.
 */
export async function readPrivateKeyAsking(
  path: string,
  passphrase: KeyPassphrase,
  warnings: string[] = [],
  display = path,
): Promise<Ed25519PrivateKey> {
  const pem = Buffer.from(
    await readInputFile(path, { maxBytes: 64 * 1024, what: 'private key' }),
  ).toString('utf8');
  if (!isEncryptedPem(pem)) return readPrivateKeyFile(path, undefined, warnings);
  const given = await passphrase(display);
  if (given === undefined) throw passphraseRequired(path);
  return readPrivateKeyFile(path, given, warnings);
}

/**
 * Reads a private key file, asking for a passphrase (02 §8 order) only when the key is encrypted.
 * An encrypted key without a passphrase → `KEY_PASSPHRASE_REQUIRED`; a wrong one →
 * `KEY_PASSPHRASE_INVALID`. Warnings (a group/other-readable key) are appended to `warnings`.
 */
export async function readPrivateKeyInteractive(
  path: string,
  sources: PassphraseSources,
  warnings: string[] = [],
): Promise<Ed25519PrivateKey> {
  return readPrivateKeyAsking(path, passphraseOnce(sources), warnings);
}

/**
 * Asks each of `questions` on stderr and reads one line per question from stdin without echoing
 * it. Only for a terminal stdin. Lines typed ahead are kept for the next question. Ctrl-C or end
 * of input → `KEY_PASSPHRASE_REQUIRED`.
 */
export async function promptHidden(questions: readonly string[]): Promise<string[]> {
  // readline echoes what is typed to its output; that output goes nowhere
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: silent, terminal: true });
  const answers: string[] = [];
  try {
    return await new Promise<string[]>((resolveAll, reject) => {
      const refuse = () =>
        reject(new VcError('KEY_PASSPHRASE_REQUIRED', 'no passphrase was entered'));
      rl.on('SIGINT', refuse);
      rl.on('close', refuse);
      rl.on('line', (line) => {
        process.stderr.write('\n');
        answers.push(line);
        if (answers.length === questions.length) resolveAll(answers);
        else process.stderr.write(questions[answers.length] ?? '');
      });
      process.stderr.write(questions[0] ?? '');
    });
  } finally {
    rl.removeAllListeners();
    rl.close();
  }
}
