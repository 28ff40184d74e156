// SPDX-License-Identifier: Apache-2.0
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { privateKeyToPem } from '@verified-container/shared/crypto';
import { SPEC_KEYS } from '@verified-container/testkit';
import { tempDir } from '../../test/support.js';
import { loadKeyholderKeys } from './load-keys.js';

describe('loadKeyholderKeys', () => {
  it('loads --key files first, then keyholder keys in order, each key once', async () => {
    using dir = tempDir();
    const keys = join(dir.path, 'keys');
    mkdirSync(keys);
    const m1 = SPEC_KEYS['maintainer-1'];
    const bot = SPEC_KEYS['release-bot'];
    writeFileSync(join(keys, 'maintainer-1.key'), privateKeyToPem(m1), { mode: 0o600 });
    writeFileSync(join(keys, 'release-bot.key'), privateKeyToPem(bot, 'secret'), { mode: 0o644 });
    const extra = join(dir.path, 'extra.key');
    writeFileSync(extra, privateKeyToPem(bot), { mode: 0o600 });

    const out = await loadKeyholderKeys(
      dir.path,
      ['maintainer-1', 'maintainer-2', 'release-bot'],
      [extra],
      { passphrase: 'secret' },
    );
    expect(out.keys.map((k) => [k.keyholder, k.key.publicKey.keyId])).toEqual([
      [undefined, bot.publicKey.keyId],
      ['maintainer-1', m1.publicKey.keyId],
    ]);
    expect(out.missing).toEqual(['maintainer-2']);
    expect(out.warnings).toEqual([expect.stringMatching(/release-bot\.key is readable by group/)]);
  });

  it('names the file when an encrypted key has no passphrase', async () => {
    using dir = tempDir();
    mkdirSync(join(dir.path, 'keys'));
    const path = join(dir.path, 'keys', 'maintainer-1.key');
    writeFileSync(path, privateKeyToPem(SPEC_KEYS['maintainer-1'], 'pw'), { mode: 0o600 });
    await expect(loadKeyholderKeys(dir.path, ['maintainer-1'], [])).rejects.toMatchObject({
      code: 'KEY_PASSPHRASE_REQUIRED',
      message: `${path}: the private key is encrypted`,
    });
  });
});
