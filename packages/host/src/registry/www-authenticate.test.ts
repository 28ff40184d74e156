// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { findChallenge, parseChallenges } from './www-authenticate.js';

describe('parseChallenges', () => {
  it('reads a Bearer challenge with a comma inside the quoted scope', () => {
    const header =
      'Bearer realm="https://auth.example.org/token",service="registry.example.org",scope="repository:a/b:pull,push"';
    expect(parseChallenges(header)).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example.org/token',
          service: 'registry.example.org',
          scope: 'repository:a/b:pull,push',
        },
      },
    ]);
  });

  it('reads Basic, several challenges, spaces, token values and escapes', () => {
    expect(parseChallenges('Basic realm="test"')).toEqual([
      { scheme: 'basic', params: { realm: 'test' } },
    ]);
    const many = parseChallenges(
      'Bearer realm="https://a/t", Service = reg , error="insufficient_scope", Basic realm="say \\"hi\\""',
    );
    expect(many).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://a/t', service: 'reg', error: 'insufficient_scope' },
      },
      { scheme: 'basic', params: { realm: 'say "hi"' } },
    ]);
    expect(findChallenge(many, 'BASIC')?.params['realm']).toBe('say "hi"');
    expect(findChallenge(many, 'digest')).toBeUndefined();
  });

  it('never throws on odd input', () => {
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges('   ,  ')).toEqual([]);
    expect(parseChallenges('Bearer realm="unterminated')).toEqual([
      { scheme: 'bearer', params: {} },
    ]);
    expect(parseChallenges('Negotiate')).toEqual([{ scheme: 'negotiate', params: {} }]);
    expect(parseChallenges('"quoted"')).toEqual([]);
  });
});
