// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  TYPE_A,
  TYPE_AAAA,
  buildAnswer,
  buildServfail,
  parseQuery,
  resolvConfServers,
} from './dns-message.js';

/** A query as a resolver sends it: id, RD, one question. */
function query(name: string, type: number, id = 0x1234): Uint8Array {
  const labels = name.split('.').flatMap((l) => [l.length, ...Buffer.from(l)]);
  return Uint8Array.from([
    id >> 8,
    id & 0xff,
    0x01,
    0x00,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    ...labels,
    0,
    0,
    type,
    0,
    1,
  ]);
}

describe('dns messages', () => {
  it('reads the question of a query (lower case) and refuses replies', () => {
    const q = parseQuery(query('Web.Local', TYPE_A))!;
    expect(q).toMatchObject({ id: 0x1234, name: 'web.local', type: TYPE_A, class: 1, rd: true });
    const reply = query('x', TYPE_A);
    reply[2] = 0x81;
    expect(parseQuery(reply)).toBeUndefined();
    expect(parseQuery(Uint8Array.from([1, 2, 3]))).toBeUndefined();
  });

  it('answers A with the addresses and AAAA with no data', () => {
    const a = buildAnswer(parseQuery(query('api', TYPE_A))!, ['10.89.1.3', '10.89.2.4']);
    const view = Buffer.from(a);
    expect(view.readUInt16BE(0)).toBe(0x1234);
    expect(view.readUInt16BE(2) & 0x8000).toBe(0x8000);
    expect(view.readUInt16BE(2) & 0xf).toBe(0);
    expect(view.readUInt16BE(6)).toBe(2);
    expect([...a.subarray(a.length - 4)]).toEqual([10, 89, 2, 4]);
    const none = Buffer.from(buildAnswer(parseQuery(query('api', TYPE_AAAA))!, ['10.89.1.3']));
    expect(none.readUInt16BE(6)).toBe(0);
    expect(none.readUInt16BE(2) & 0xf).toBe(0);
    expect(Buffer.from(buildServfail(parseQuery(query('x', TYPE_A))!)).readUInt16BE(2) & 0xf).toBe(
      2,
    );
  });

  it('reads nameservers from resolv.conf', () => {
    expect(resolvConfServers('# x\nnameserver 10.0.0.2\nnameserver ::1\nsearch a\n')).toEqual([
      '10.0.0.2',
    ]);
  });
});
