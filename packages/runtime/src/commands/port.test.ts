// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { PublishedPort } from '../firewall/index.js';
import { parsePrivatePort, portOutput } from './port.js';

const PORTS: PublishedPort[] = [
  { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
  { hostIp: '127.0.0.1', hostPort: 8081, containerPort: 80, protocol: 'tcp' },
  { hostPort: 5353, containerPort: 53, protocol: 'udp' },
];

describe('vordr port', () => {
  it('lists every mapping as `CTR/PROTO -> IP:HOST`', () => {
    expect(portOutput('web', PORTS)).toMatchObject({
      lines: ['53/udp -> 0.0.0.0:5353', '80/tcp -> 0.0.0.0:8080', '80/tcp -> 127.0.0.1:8081'],
    });
  });

  it('with a private port prints only its host addresses (tcp by default)', () => {
    expect(portOutput('web', PORTS, '80')).toMatchObject({
      lines: ['0.0.0.0:8080', '127.0.0.1:8081'],
    });
    expect(portOutput('web', PORTS, '53/udp')).toMatchObject({ lines: ['0.0.0.0:5353'] });
  });

  it("a port that is not published is docker's `No public port` error", () => {
    for (const [ports, ask, hint] of [
      [PORTS, '81', 'web publishes 53/udp, 80/tcp, 80/tcp'],
      [PORTS, '53/tcp', 'web publishes'],
      [[], '80', 'web publishes no ports'],
    ] as const) {
      const out = portOutput('web', ports, ask);
      expect(out).toHaveProperty('notPublished');
      const err = (out as { notPublished: { code: string; message: string; hint?: string } })
        .notPublished;
      expect(err.code).toBe('USAGE');
      expect(err.message).toMatch(/^No public port '[0-9]+\/(tcp|udp)' published for web$/);
      expect(err.hint).toContain(hint);
    }
  });

  it('a malformed private port is USAGE', () => {
    expect(parsePrivatePort('443')).toEqual({ port: 443, protocol: 'tcp' });
    for (const bad of ['', 'http', '0', '70000', '80/sctp', '80/']) {
      expect(() => parsePrivatePort(bad)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
  });
});
