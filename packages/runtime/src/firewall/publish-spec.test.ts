// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { choosePorts, parsePublish, parsePublishFlags } from './publish-spec.js';

describe('parsePublish', () => {
  it('reads [IP:][HOST:]CTR[/proto]', () => {
    expect(parsePublish('80')).toEqual([{ containerPort: 80, protocol: 'tcp' }]);
    expect(parsePublish('8080:80')).toEqual([
      { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    ]);
    expect(parsePublish('127.0.0.1:8080:80/udp')).toEqual([
      { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' },
    ]);
    expect(parsePublish('127.0.0.1::80')).toEqual([
      { hostIp: '127.0.0.1', containerPort: 80, protocol: 'tcp' },
    ]);
    expect(parsePublish('0.0.0.0:81:80')).toEqual([
      { hostPort: 81, containerPort: 80, protocol: 'tcp' },
    ]);
  });

  it('expands ranges of equal length', () => {
    expect(parsePublish('8000-8001:80-81').map((p) => [p.hostPort, p.containerPort])).toEqual([
      [8000, 80],
      [8001, 81],
    ]);
    expect(parsePublish('80-82')).toHaveLength(3);
  });

  it.each([
    '0',
    '65536',
    '8000-8002:80-81',
    '81-80',
    'x:80',
    '1.2.3:80:80',
    '::1:80:80',
    '80/sctp',
    '80/tcp/udp',
  ])('refuses %s with USAGE', (spec) => {
    expect(() => parsePublish(spec)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('refuses more than 64 ports and one host port twice', () => {
    expect(() => parsePublishFlags(['1000-1064:1000-1064'])).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    expect(() => parsePublishFlags(['8080:80', '8080:81'])).toThrow(
      expect.objectContaining({ code: 'PORT_IN_USE' }),
    );
    expect(parsePublishFlags(['8080:80', '8080:80/udp'])).toHaveLength(2);
  });
});

describe('choosePorts', () => {
  it('names the holder of a fixed port', async () => {
    const probe = (port: number) =>
      Promise.resolve(port === 8080 ? 'container web (0123456789ab)' : undefined);
    await expect(choosePorts(parsePublish('8080:80'), probe)).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      message: expect.stringContaining('container web'),
    });
  });

  it('chooses distinct free ports in 32768-60999, skipping held ones, wrapping at the end', async () => {
    const held = new Set([60999, 32768]);
    const probe = (port: number) => Promise.resolve(held.has(port) ? 'a host process' : undefined);
    const ports = await choosePorts(
      [...parsePublish('80'), ...parsePublish('81'), ...parsePublish('60998:82')],
      probe,
      60998,
    );
    expect(ports.map((p) => p.hostPort)).toEqual([32769, 32770, 60998]);
  });
});
