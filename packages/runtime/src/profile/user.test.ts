// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { resolveUser } from './user.js';

const files = {
  passwd:
    'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nbroken line\n',
  group: 'root:x:0:\nwww-data:x:33:\nadm:x:4:www-data\nweb:x:1000:www-data,other\n',
};

describe('resolveUser', () => {
  it('defaults to root', () => {
    expect(resolveUser(undefined, files)).toEqual({
      uid: 0,
      gid: 0,
      additionalGids: [],
      home: '/root',
      name: 'root',
    });
  });

  it('resolves names and adds the groups listing the user', () => {
    expect(resolveUser('www-data', files)).toEqual({
      uid: 33,
      gid: 33,
      additionalGids: [4, 1000],
      home: '/var/www',
      name: 'www-data',
    });
    expect(resolveUser('www-data:web', files)).toMatchObject({ gid: 1000, additionalGids: [4] });
  });

  it('accepts numbers without an entry', () => {
    expect(resolveUser('4242:99', files)).toEqual({ uid: 4242, gid: 99, additionalGids: [] });
  });

  it('rejects unknown names and malformed specs with USAGE', () => {
    for (const spec of ['nobody', 'www-data:nogroup', ':33', 'root:']) {
      expect(() => resolveUser(spec, files)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
  });
});
