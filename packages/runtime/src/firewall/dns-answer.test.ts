// SPDX-License-Identifier: Apache-2.0
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsForwarder } from '../network/dns-forwarder.js';
import { answerAddresses } from './dns-answer.js';
import { setsForName } from './dns-learn.js';
import { collectEgressEntries } from './egress-entries.js';

function name(text: string): number[] {
  return [...text.split('.').flatMap((l) => [l.length, ...Buffer.from(l)]), 0];
}

/** A reply to `www.example.org A`: a CNAME to cdn.example.net, then A records (compressed names). */
function reply(id: number, rcode = 0, answers: [string, number][] = []): Buffer {
  const question = [...name('www.example.org'), 0, 1, 0, 1];
  const cname = [...name('cdn.example.net')];
  const rr = [
    // www.example.org (pointer to 12) CNAME IN ttl 300
    0xc0,
    12,
    0,
    5,
    0,
    1,
    0,
    0,
    1,
    44,
    0,
    cname.length,
    ...cname,
  ];
  const cnameAt = 12 + question.length + 12;
  for (const [ip, ttl] of answers) {
    rr.push(
      0xc0,
      cnameAt,
      0,
      1,
      0,
      1,
      ttl >>> 24,
      (ttl >>> 16) & 255,
      (ttl >>> 8) & 255,
      ttl & 255,
      0,
      4,
    );
    rr.push(...ip.split('.').map(Number));
  }
  const header = [id >> 8, id & 255, 0x81, 0x80 | rcode, 0, 1, 0, 1 + answers.length, 0, 0, 0, 0];
  return Buffer.from([...header, ...question, ...rr]);
}

describe('answerAddresses', () => {
  it('reads the A records behind a CNAME and the smallest TTL', () => {
    expect(
      answerAddresses(
        reply(7, 0, [
          ['93.184.216.34', 600],
          ['93.184.216.35', 30],
        ]),
      ),
    ).toEqual({
      addresses: ['93.184.216.34', '93.184.216.35'],
      ttl: 30,
    });
  });

  it('gives nothing for an error, a query or truncated bytes', () => {
    expect(answerAddresses(reply(7, 3, [['1.2.3.4', 60]])).addresses).toEqual([]);
    const query = reply(7, 0, [['1.2.3.4', 60]]);
    query[2] = 0x01;
    expect(answerAddresses(query).addresses).toEqual([]);
    expect(answerAddresses(reply(7, 0, [['1.2.3.4', 60]]).subarray(0, 40)).addresses).toEqual([]);
  });
});

it('setsForName: host entries by name, patterns by suffix with one more label', () => {
  const { entries } = collectEgressEntries(
    [],
    ['www.example.org:443', '*.example.org:80', '10.0.0.1:1'],
  );
  expect(setsForName(entries, 'WWW.example.org.')).toEqual(['host_0', 'pattern_0']);
  expect(setsForName(entries, 'a.b.example.org')).toEqual(['pattern_0']);
  expect(setsForName(entries, 'example.org')).toEqual([]);
});

describe('the forwarder hands forwarded replies to onAnswer before sending them', () => {
  const upstream = createSocket('udp4');
  let port = 0;
  beforeAll(async () => {
    upstream.on('message', (msg, rinfo) => {
      upstream.send(reply(msg.readUInt16BE(0), 0, [['5.6.7.8', 120]]), rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', resolve));
    port = upstream.address().port;
  });
  afterAll(() => upstream.close());

  it('passes querier, name and reply', async () => {
    const seen: [string, string, string[]][] = [];
    const forwarder = new DnsForwarder({
      peersOf: () => Promise.resolve(undefined),
      upstreams: ['127.0.0.1'],
      upstreamPort: port,
      onAnswer: (ip, qname, bytes) => {
        seen.push([ip, qname, answerAddresses(bytes).addresses]);
        return Promise.resolve();
      },
    });
    const query = Buffer.from([
      0x12,
      0x34,
      0x01,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      ...name('www.example.org'),
      0,
      1,
      0,
      1,
    ]);
    const answer = await forwarder.handle(query, '10.89.0.2');
    expect(answerAddresses(answer!).addresses).toEqual(['5.6.7.8']);
    expect(seen).toEqual([['10.89.0.2', 'www.example.org', ['5.6.7.8']]]);
  });
});
