// SPDX-License-Identifier: Apache-2.0
// Just enough of DNS (RFC 1035) for the forwarder of 05 §4.6: read a query's question, answer A
// queries for peers, answer AAAA (and other types) of a peer name with no data. Pure.

/** The question of a query. */
export interface DnsQuestion {
  readonly id: number;
  /** Lower case, without the trailing dot. */
  readonly name: string;
  readonly type: number;
  readonly class: number;
  /** Whether recursion was desired (copied to the answer). */
  readonly rd: boolean;
  /** The bytes of the question section (copied to the answer). */
  readonly questionBytes: Uint8Array;
}

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
const CLASS_IN = 1;

/** The single question of a standard query; undefined for anything else (a reply, several questions, bad bytes). */
export function parseQuery(msg: Uint8Array): DnsQuestion | undefined {
  if (msg.length < 12) return undefined;
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const flags = view.getUint16(2);
  const qr = flags >> 15;
  const opcode = (flags >> 11) & 0xf;
  if (qr !== 0 || opcode !== 0 || view.getUint16(4) !== 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    if (at >= msg.length) return undefined;
    const len = msg[at]!;
    if (len === 0) {
      at += 1;
      break;
    }
    if (len > 63 || at + 1 + len > msg.length) return undefined;
    labels.push(new TextDecoder().decode(msg.subarray(at + 1, at + 1 + len)));
    at += 1 + len;
  }
  if (at + 4 > msg.length) return undefined;
  return {
    id: view.getUint16(0),
    name: labels.join('.').toLowerCase(),
    type: view.getUint16(at),
    class: view.getUint16(at + 2),
    rd: (flags & 0x0100) !== 0,
    questionBytes: msg.slice(12, at + 4),
  };
}

/**
 * An authoritative answer to `q`: one A record (TTL `ttl`) per address when the question is
 * A/IN, else no data (NOERROR, no answers), as for a peer's AAAA.
 */
export function buildAnswer(q: DnsQuestion, addresses: readonly string[], ttl = 0): Uint8Array {
  const answers = q.type === TYPE_A && q.class === CLASS_IN ? addresses : [];
  const out = new Uint8Array(12 + q.questionBytes.length + answers.length * 16);
  const view = new DataView(out.buffer);
  view.setUint16(0, q.id);
  // QR, AA, RD as asked, RA; RCODE 0.
  view.setUint16(2, 0x8000 | 0x0400 | (q.rd ? 0x0100 : 0) | 0x0080);
  view.setUint16(4, 1);
  view.setUint16(6, answers.length);
  out.set(q.questionBytes, 12);
  let at = 12 + q.questionBytes.length;
  for (const ip of answers) {
    view.setUint16(at, 0xc00c); // the name: a pointer to the question's
    view.setUint16(at + 2, TYPE_A);
    view.setUint16(at + 4, CLASS_IN);
    view.setUint32(at + 6, ttl);
    view.setUint16(at + 10, 4);
    ip.split('.').forEach((octet, i) => out.set([Number(octet)], at + 12 + i));
    at += 16;
  }
  return out;
}

/** SERVFAIL for a query that could not be forwarded. */
export function buildServfail(q: DnsQuestion): Uint8Array {
  const out = new Uint8Array(12 + q.questionBytes.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, q.id);
  view.setUint16(2, 0x8000 | (q.rd ? 0x0100 : 0) | 0x0080 | 2);
  view.setUint16(4, 1);
  out.set(q.questionBytes, 12);
  return out;
}

/** The `nameserver` addresses of a resolv.conf text (IPv4 only). */
export function resolvConfServers(text: string): string[] {
  return text
    .split('\n')
    .map((line) => /^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(line)?.[1])
    .filter((ip): ip is string => ip !== undefined);
}
