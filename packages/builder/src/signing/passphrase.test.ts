// SPDX-License-Identifier: Apache-2.0
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support.js';
import { privateKeyToPem } from '@verified-container/shared/crypto';
import { randomKey } from '@verified-container/testkit';
import { loadKeyholderKeys } from './load-keys.js';
import {
  obtainNewPassphrase,
  obtainPassphrase,
  passphraseOnce,
  readPrivateKeyAsking,
} from './passphrase.js';

const answers =
  (...lines: string[]) =>
  (questions: readonly string[]) =>
    Promise.resolve(questions.map((_, i) => lines[i] ?? ''));
const never = () => Promise.reject(new Error('must not prompt'));

describe('obtainPassphrase (02 §8)', () => {
  it('takes the passphrase file first, then CT_KEY_PASSPHRASE, then a prompt on a terminal', async () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, 'pass'), 'from file\nsecond line\n');
    const env = { CT_KEY_PASSPHRASE: 'from env' };
    const base = { cwd: dir.path, interactive: true, prompt: never };
    expect(await obtainPassphrase({ ...base, env, passphraseFile: 'pass' })).toBe('from file');
    expect(await obtainPassphrase({ ...base, env })).toBe('from env');
    expect(await obtainPassphrase({ ...base, env: {}, prompt: answers('typed') })).toBe('typed');
    expect(await obtainPassphrase({ ...base, env: {}, interactive: false })).toBeUndefined();
    expect(await obtainPassphrase({ ...base, env: { CT_KEY_PASSPHRASE: '' } })).toBeUndefined();
  });

  it('asks for a new passphrase twice; different answers are KEY_PASSPHRASE_INVALID', async () => {
    const base = { cwd: '/', env: {}, interactive: true };
    expect(await obtainNewPassphrase({ ...base, prompt: answers('pw', 'pw') })).toBe('pw');
    expect(await obtainNewPassphrase({ ...base, prompt: answers('', '') })).toBeUndefined();
    await expect(
      obtainNewPassphrase({ ...base, prompt: answers('pw', 'pv') }),
    ).rejects.toMatchObject({
      code: 'KEY_PASSPHRASE_INVALID',
    });
    expect(
      await obtainNewPassphrase({ ...base, interactive: false, prompt: never }),
    ).toBeUndefined();
  });
});

/** A prompt that answers `line` and records the questions it was asked. */
function recording(line: string) {
  const asked: string[] = [];
  const prompt = (questions: readonly string[]) => {
    asked.push(...questions);
    return Promise.resolve(questions.map(() => line));
  };
  return { asked, prompt };
}

describe('passphraseOnce and readPrivateKeyAsking (02 §8)', () => {
  function keys(dir: string) {
    const write = (name: string, passphrase?: string) => {
      const path = join(dir, name);
      writeFileSync(path, privateKeyToPem(randomKey(), passphrase), { mode: 0o600 });
      return path;
    };
    return { a: write('a.key', 'pw'), b: write('b.key', 'pw'), plain: write('plain.key') };
  }

  it('asks once, naming the first encrypted key, and only when one is met', async () => {
    using dir = tempDir();
    const { a, b, plain } = keys(dir.path);
    const typed = recording('pw');
    const passphrase = passphraseOnce({ cwd: dir.path, env: {}, interactive: true, ...typed });
    await readPrivateKeyAsking(plain, passphrase);
    expect(typed.asked).toEqual([]);
    const loaded = await loadKeyholderKeys(join(dir.path, 'store'), [], [plain, a, b], {
      passphrase,
    });
    expect(loaded.keys).toHaveLength(3);
    expect(typed.asked).toEqual([`Enter passphrase for ${a}: `]);
  });

  it('does not ask when the passphrase file or CT_KEY_PASSPHRASE gives one', async () => {
    using dir = tempDir();
    const { a } = keys(dir.path);
    writeFileSync(join(dir.path, 'pass'), 'pw\n');
    const base = { cwd: dir.path, interactive: true, prompt: never };
    await readPrivateKeyAsking(a, passphraseOnce({ ...base, env: {}, passphraseFile: 'pass' }));
    await readPrivateKeyAsking(a, passphraseOnce({ ...base, env: { CT_KEY_PASSPHRASE: 'pw' } }));
  });

  it('without a terminal an encrypted key is KEY_PASSPHRASE_REQUIRED naming the three ways', async () => {
    using dir = tempDir();
    const { a } = keys(dir.path);
    const passphrase = passphraseOnce({
      cwd: dir.path,
      env: {},
      interactive: false,
      prompt: never,
    });
    const err = await readPrivateKeyAsking(a, passphrase).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KEY_PASSPHRASE_REQUIRED' });
    expect((err as { hint: string }).hint).toMatch(
      /--passphrase-file FILE, set CT_KEY_PASSPHRASE, or run on a terminal/,
    );
  });

  it('a wrong answer is KEY_PASSPHRASE_INVALID', async () => {
    using dir = tempDir();
    const { a } = keys(dir.path);
    const typed = recording('nope');
    const passphrase = passphraseOnce({ cwd: dir.path, env: {}, interactive: true, ...typed });
    await expect(readPrivateKeyAsking(a, passphrase)).rejects.toMatchObject({
      code: 'KEY_PASSPHRASE_INVALID',
    });
  });
});
