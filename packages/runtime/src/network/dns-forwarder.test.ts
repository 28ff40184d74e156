// SPDX-License-Identifier: Apache-2.0
// The forwarder's answers, with a real UDP upstream on loopback standing in for the host resolver.
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsForwarder } from './dns-forwarder.js';
import { TYPE_A, TYPE_AAAA } from './dns-message.js';

function query(name: string, type: number, id = 7): Uint8Array {
  const labels = name.split('.').flatMap((l) => [l.length, ...Buffer.from(l)]);
  const header = [id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
  return Uint8Array.from([...header, ...labels, 0, 0, type, 0, 1]);
}

describe('DnsForwarder', () => {
  const upstream = createSocket('udp4');
  let port = 0;
  beforeAll(async () => {
    // The stand-in upstream answers every query with REFUSED (rcode 5), echoing the id.
    upstream.on('message', (msg, rinfo) => {
      const reply = Buffer.from(msg);
      reply[2] = 0x81;
      reply[3] = 0x85;
      upstream.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', resolve));
    port = upstream.address().port;
  });
  afterAll(() => upstream.close());

  const forwarder = () =>
    new DnsForwarder({
      peersOf: (ip) =>
        Promise.resolve(ip === '10.89.1.2' ? new Map([['api', ['10.89.1.3']]]) : undefined),
      upstreams: ['127.0.0.1'],
      upstreamPort: port,
      timeoutMs: 2000,
    });

  it('answers a peer’s A itself and its AAAA with no data', async () => {
    const a = Buffer.from((await forwarder().handle(query('API', TYPE_A), '10.89.1.2'))!);
    expect(a.readUInt16BE(6)).toBe(1);
    expect([...a.subarray(a.length - 4)]).toEqual([10, 89, 1, 3]);
    const aaaa = Buffer.from((await forwarder().handle(query('api', TYPE_AAAA), '10.89.1.2'))!);
    expect(aaaa.readUInt16BE(6)).toBe(0);
    expect(aaaa[3]! & 0xf).toBe(0);
  });

  it('forwards other names, and a peer name asked by a stranger', async () => {
    const other = Buffer.from(
      (await forwarder().handle(query('example.org', TYPE_A), '10.89.1.2'))!,
    );
    expect(other[3]! & 0xf).toBe(5);
    const stranger = Buffer.from((await forwarder().handle(query('api', TYPE_A), '192.0.2.9'))!);
    expect(stranger[3]! & 0xf).toBe(5);
    expect(stranger.readUInt16BE(0)).toBe(7);
  });

  it('answers SERVFAIL when no upstream answers', async () => {
    const silent = new DnsForwarder({
      peersOf: () => Promise.resolve(undefined),
      upstreams: [],
    });
    const r = Buffer.from((await silent.handle(query('x', TYPE_A), '10.89.1.2'))!);
    expect(r[3]! & 0xf).toBe(2);
  });
});
