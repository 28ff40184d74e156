// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { PublishedPort } from '../firewall/index.js';
import { portLines, portsCell } from './ports-text.js';

const tcp = (hostPort: number, containerPort: number, hostIp?: string): PublishedPort => ({
  hostPort,
  containerPort,
  protocol: 'tcp',
  ...(hostIp !== undefined ? { hostIp } : {}),
});

describe('portsCell (the PORTS column of ps)', () => {
  it('is empty without published ports', () => {
    expect(portsCell([])).toBe('');
  });

  it('prints one mapping per port, every address as 0.0.0.0, sorted by address', () => {
    expect(portsCell([tcp(9000, 9000, '127.0.0.1'), tcp(8080, 80)])).toBe(
      '0.0.0.0:8080->80/tcp, 127.0.0.1:9000->9000/tcp',
    );
  });

  it('collapses runs where both ports go up by one', () => {
    expect(portsCell([tcp(8001, 81), tcp(8000, 80)])).toBe('0.0.0.0:8000-8001->80-81/tcp');
    expect(portsCell([tcp(8000, 8000), tcp(8001, 8001), tcp(8002, 8002)])).toBe(
      '0.0.0.0:8000-8002->8000-8002/tcp',
    );
  });

  it('does not collapse across a gap, an address or a protocol', () => {
    expect(portsCell([tcp(8000, 80), tcp(8002, 81)])).toBe(
      '0.0.0.0:8000->80/tcp, 0.0.0.0:8002->81/tcp',
    );
    expect(portsCell([tcp(8000, 80), tcp(8001, 81, '127.0.0.1')])).toBe(
      '0.0.0.0:8000->80/tcp, 127.0.0.1:8001->81/tcp',
    );
    expect(portsCell([tcp(53, 53), { hostPort: 54, containerPort: 54, protocol: 'udp' }])).toBe(
      '0.0.0.0:53->53/tcp, 0.0.0.0:54->54/udp',
    );
  });
});

describe('portLines (vordr port)', () => {
  it('prints `CTR/PROTO -> IP:HOST`, sorted by container port', () => {
    expect(portLines([tcp(9000, 443, '127.0.0.1'), tcp(8080, 80)])).toEqual([
      '80/tcp -> 0.0.0.0:8080',
      '443/tcp -> 127.0.0.1:9000',
    ]);
  });
});
