// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseAddHost, renderHosts, renderResolvConf } from './hosts-file.js';

describe('hosts file', () => {
  it('without a network: localhost and the hostname on 127.0.1.1', () => {
    expect(renderHosts({ hostname: 'web', own: [], extraHosts: [], peers: [] })).toBe(
      '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tweb\n',
    );
  });

  it('own addresses, --add-host, peers (each address once)', () => {
    const text = renderHosts({
      hostname: 'web',
      own: [{ ip: '10.89.1.2', names: ['web', 'web', 'www'] }],
      extraHosts: [{ name: 'db.local', ip: '192.0.2.9' }],
      peers: [
        { ip: '10.89.1.3', names: ['api', 'backend'] },
        { ip: '10.89.1.3', names: ['api'] },
        { ip: '10.89.1.2', names: ['web'] },
      ],
    });
    expect(text.split('\n').slice(2)).toEqual([
      '10.89.1.2\tweb www',
      '192.0.2.9\tdb.local',
      '10.89.1.3\tapi backend',
      '',
    ]);
  });

  it('parses --add-host', () => {
    expect(parseAddHost('db.local:10.0.0.5')).toEqual({ name: 'db.local', ip: '10.0.0.5' });
    for (const bad of ['db', 'db:', ':1.2.3.4', 'db:1.2.3', 'd b:1.2.3.4']) {
      expect(() => parseAddHost(bad)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
  });

  it('resolv.conf names the gateway, or nothing for internal-only containers', () => {
    expect(renderResolvConf('10.89.0.1')).toBe('nameserver 10.89.0.1\noptions ndots:0\n');
    expect(renderResolvConf(undefined)).toBe('options ndots:0\n');
  });
});
