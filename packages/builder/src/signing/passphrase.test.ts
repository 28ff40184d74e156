// SPDX-License-Identifier: Apache-2.0
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support.js';
import { obtainNewPassphrase, obtainPassphrase } from './passphrase.js';

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
