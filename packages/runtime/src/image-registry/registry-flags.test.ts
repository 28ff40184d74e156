// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseCreds, parseTlsVerify } from './registry-flags.js';

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
