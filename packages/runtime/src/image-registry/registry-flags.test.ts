// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseCreds, parseTlsVerify, registryOpener } from './registry-flags.js';

describe('parseCreds', () => {
  it('splits at the first colon: the password may hold more', () => {
    expect(parseCreds('alice:s3:cret')).toEqual({
      username: 'alice',
      password: 's3:cret',
      source: '--creds',
    });
    expect(parseCreds('bob:')).toMatchObject({ username: 'bob', password: '' });
  });

  it.each(['alice', ':pass', ''])('refuses %j with USAGE', (text) => {
    expect(() => parseCreds(text)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('parseTlsVerify', () => {
  it('is true unless false is given', () => {
    expect(parseTlsVerify(undefined)).toBe(true);
    expect(parseTlsVerify(true)).toBe(true);
    expect(parseTlsVerify('true')).toBe(true);
    expect(parseTlsVerify('false')).toBe(false);
    expect(parseTlsVerify('FALSE')).toBe(false);
    expect(parseTlsVerify('0')).toBe(false);
  });

  it('refuses anything but a boolean with USAGE', () => {
    expect(() => parseTlsVerify('no-way')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('registryOpener', () => {
  const ref = { host: 'registry.example', repository: 'x/app', tag: '1' };
  const env = { env: {}, homeDir: '/nonexistent' };

  it('speaks https unless --tls-verify=false', async () => {
    expect((await registryOpener({}, env)(ref)).baseUrl).toBe('https://registry.example');
    const insecure = await registryOpener({ tlsVerify: 'false' }, env)(ref);
    expect(insecure.baseUrl).toBe('http://registry.example');
  });

  it('refuses bad --creds at once and a missing --authfile when opening', async () => {
    expect(() => registryOpener({ creds: 'nobody' }, env)).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    await expect(
      registryOpener({ authfile: '/nonexistent/auth.json' }, env)(ref),
    ).rejects.toMatchObject({ code: 'READ_FAILED' });
  });
});
