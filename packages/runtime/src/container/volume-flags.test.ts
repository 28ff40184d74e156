// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseVolumeFlag } from './volume-flags.js';

describe('-v SRC:DST[:OPTS]', () => {
  it('an absolute source is a bind, anything else a named volume', () => {
    expect(parseVolumeFlag('/srv/data/:/data:ro')).toMatchObject({
      kind: 'bind',
      source: '/srv/data/',
      destination: '/data',
      readonly: true,
    });
    expect(parseVolumeFlag('cache:/var/cache')).toMatchObject({
      kind: 'volume',
      source: 'cache',
      readonly: false,
    });
  });

  it('refuses malformed flags and unknown options', () => {
    expect(() => parseVolumeFlag('/only')).toThrow(/SRC:DST/);
    expect(() => parseVolumeFlag('a:/b:bogus')).toThrow(/option bogus/);
    expect(() => parseVolumeFlag('a:relative')).toThrow(/absolute/);
  });
});
