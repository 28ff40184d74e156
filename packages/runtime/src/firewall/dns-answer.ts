// SPDX-License-Identifier: Apache-2.0
// The A records of a DNS reply (RFC 1035 §4.1), for feeding the addresses the forwarder returns to
// a container into its egress sets (05 §4.6). Pure; malformed replies give no addresses.
import { isIpv4 } from './ipv4.js';

/** The A/IN addresses of a reply and their smallest TTL (seconds). */
export interface AnswerAddresses {
  readonly addresses: string[];
  readonly ttl: number;
}

const TYPE_A = 1;
const CLASS_IN = 1;

/** Skips a (possibly compressed) name starting at `at`; returns the offset after it, or -1. */
function skipName(msg: Uint8Array, at: number): number {
  for (let hops = 0; hops < 128; hops += 1) {
    if (at >= msg.length) return -1;
    const len = msg[at]!;
    if (len === 0) return at + 1;
    if ((len & 0xc0) === 0xc0) return at + 2 <= msg.length ? at + 2 : -1;
    if (len > 63) return -1;
    at += 1 + len;
  }
  return -1;
}

/** Every A/IN record in the answer section of a reply (NOERROR only). */
export function answerAddresses(reply: Uint8Array): AnswerAddresses {
  const none = { addresses: [], ttl: 0 };
  if (reply.length < 12) return none;
  const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  const flags = view.getUint16(2);
  if (flags >> 15 !== 1 || (flags & 0xf) !== 0) return none;
  let at = 12;
  for (let q = view.getUint16(4); q > 0; q -= 1) {
    at = skipName(reply, at);
    if (at < 0 || at + 4 > reply.length) return none;
    at += 4;
  }
  const addresses: string[] = [];
  let ttl = Number.POSITIVE_INFINITY;
  for (let a = view.getUint16(6); a > 0; a -= 1) {
    at = skipName(reply, at);
    if (at < 0 || at + 10 > reply.length) return none;
    const type = view.getUint16(at);
    const klass = view.getUint16(at + 2);
    const rrTtl = view.getUint32(at + 4);
    const len = view.getUint16(at + 8);
    at += 10;
    if (at + len > reply.length) return none;
    if (type === TYPE_A && klass === CLASS_IN && len === 4) {
      const ip = [...reply.subarray(at, at + 4)].join('.');
      if (isIpv4(ip)) {
        addresses.push(ip);
        ttl = Math.min(ttl, rrTtl);
      }
    }
    at += len;
  }
  return { addresses, ttl: addresses.length === 0 ? 0 : ttl };
}
