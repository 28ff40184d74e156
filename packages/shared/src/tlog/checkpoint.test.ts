// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  decodeBase64,
  encodeBase64,
  fromHex,
  privateKeyFromSeed,
  sha256,
  toHex,
} from '../crypto/index.js';
import {
  CHECKPOINT_MAX_BYTES,
  formatCheckpoint,
  noteKeyId,
  noteVerifierKey,
  parseCheckpoint,
  verifyCheckpoint,
} from './checkpoint.js';

const cerroTorreLog = privateKeyFromSeed(new Uint8Array(32).fill(0x21));
const localFileLog = privateKeyFromSeed(new Uint8Array(32).fill(0x22));
const ORIGIN = 'cerro-torre-log';
const ROOT_HEX = '417dc10e5d5bee38797ffdcd6721162efcf47adcf1309c3da473cf6eeebc7bfa';
const NOTE = `${ORIGIN}\n7\nQX3BDl1b7jh5f/3NZyEWLvz0etzxMJw9pHPPbu68e/o=\n`;
const SIG_LINE =
  '— cerro-torre-log zRhvL/hNrpuM0nSSa6ZHY14O8yeOZKZoaNumoioXmC+JXNxigYRaEUX0BZvU35VS9o0xIDXntxASPU7Rs79jOCIy2gA=\n';
/** The checkpoint of 03 §5.2, byte for byte. */
const CHECKPOINT = `${NOTE}\n${SIG_LINE}`;

const codes = (text: string | Uint8Array) => parseCheckpoint(text).problems.map((p) => p.code);
const verify = (text: string) => verifyCheckpoint(text, ORIGIN, cerroTorreLog.publicKey);
/** A signature line by another key (name, key ID and signature of its own). */
function foreignLine(name: string, key = localFileLog): string {
  const other = formatCheckpoint(key, name, 7, fromHex(ROOT_HEX)!);
  return other.slice(other.lastIndexOf('\n\n') + 2);
}

describe('signed-note keys (03 §5.2)', () => {
  it('derives the key ID and verifier key of the example', () => {
    expect(noteKeyId(ORIGIN, cerroTorreLog.publicKey)).toBe('cd186f2f');
    expect(noteKeyId(ORIGIN, cerroTorreLog.publicKey.raw)).toBe('cd186f2f');
    expect(noteVerifierKey(ORIGIN, cerroTorreLog.publicKey)).toBe(
      'cerro-torre-log+cd186f2f+AYhLiFf06qFhPGFQTbNNS+rzRlF6DjHePN3U2bQgHZ0L',
    );
  });

  it('hashes name ‖ LF ‖ 0x01 ‖ key', () => {
    const raw = localFileLog.publicKey.raw;
    const input = new Uint8Array([...new TextEncoder().encode('x'), 0x0a, 0x01, ...raw]);
    expect(noteKeyId('x', raw)).toBe(toHex(sha256(input).subarray(0, 4)));
    expect(noteKeyId('y', raw)).not.toBe(noteKeyId('x', raw));
  });
});

describe('formatCheckpoint', () => {
  it('writes the example of 03 §5.2 byte for byte', () => {
    expect(formatCheckpoint(cerroTorreLog, ORIGIN, 7, fromHex(ROOT_HEX)!)).toBe(CHECKPOINT);
  });

  it('writes size 0 for the empty tree', () => {
    const empty = sha256('');
    const text = formatCheckpoint(cerroTorreLog, ORIGIN, 0, empty);
    expect(text.startsWith(`${ORIGIN}\n0\n${encodeBase64(empty)}\n\n— ${ORIGIN} `)).toBe(true);
    expect(verify(text).valid).toBe(true);
  });

  it.each([
    ['an origin with a space', 'cerro torre', 7, 32],
    ['an origin with a plus', 'a+b', 7, 32],
    ['an empty origin', '', 7, 32],
    ['a negative size', ORIGIN, -1, 32],
    ['a fractional size', ORIGIN, 1.5, 32],
    ['a 31-byte root', ORIGIN, 7, 31],
  ])('refuses %s', (_name, origin, size, rootLength) => {
    expect(() => formatCheckpoint(cerroTorreLog, origin, size, new Uint8Array(rootLength))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('parseCheckpoint', () => {
  it('parses the example', () => {
    const { checkpoint, problems } = parseCheckpoint(CHECKPOINT);
    expect(problems).toEqual([]);
    expect(checkpoint).toMatchObject({ origin: ORIGIN, treeSize: 7, noteText: NOTE });
    expect(toHex(checkpoint!.rootHash)).toBe(ROOT_HEX);
    expect(checkpoint!.signatures).toHaveLength(1);
    expect(checkpoint!.signatures[0]).toMatchObject({ name: ORIGIN, keyId: 'cd186f2f' });
    expect(checkpoint!.signatures[0]!.signature.byteLength).toBe(64);
  });

  it('parses UTF-8 bytes', () => {
    expect(parseCheckpoint(new TextEncoder().encode(CHECKPOINT)).problems).toEqual([]);
  });

  it.each([
    ['CRLF line ends', CHECKPOINT.replace(/\n/g, '\r\n')],
    ['one CR', CHECKPOINT.replace('7\n', '7\r\n')],
    ['a tab', CHECKPOINT.replace('7\n', '7\t\n')],
    ['a NUL', CHECKPOINT.replace(ORIGIN, `${ORIGIN}\u0000`)],
    ['a C1 control', CHECKPOINT.replace(ORIGIN, `${ORIGIN}\u0085`)],
    ['no final LF', CHECKPOINT.slice(0, -1)],
    ['no empty line', NOTE + SIG_LINE],
    ['no signature line', `${NOTE}\n`],
    ['a truncated signature line', `${NOTE}\n${SIG_LINE.slice(0, 40)}\n`],
    ['a truncated note', CHECKPOINT.slice(CHECKPOINT.indexOf('\n') + 1)],
    ['only the note', NOTE],
    ['an empty text', ''],
    ['a leading zero', CHECKPOINT.replace('\n7\n', '\n07\n')],
    ['a sign', CHECKPOINT.replace('\n7\n', '\n+7\n')],
    ['a fraction', CHECKPOINT.replace('\n7\n', '\n7.0\n')],
    ['a size beyond 2^53', CHECKPOINT.replace('\n7\n', '\n9007199254740993\n')],
    ['an empty size', CHECKPOINT.replace('\n7\n', '\n\n')],
    ['an extension line', CHECKPOINT.replace('=\n\n', '=\nextension\n\n')],
    ['an empty origin', CHECKPOINT.slice(ORIGIN.length)],
    ['a root without padding', CHECKPOINT.replace('e/o=\n', 'e/o\n')],
    ['a URL-safe root', CHECKPOINT.replace('l1b7jh5f/3', 'l1b7jh5f_3')],
    [
      'a 31-byte root',
      CHECKPOINT.replace(
        'QX3BDl1b7jh5f/3NZyEWLvz0etzxMJw9pHPPbu68e/o=',
        encodeBase64(new Uint8Array(31)),
      ),
    ],
    ['a hyphen instead of the em dash', CHECKPOINT.replace('— ', '- ')],
    ['two spaces in a signature line', CHECKPOINT.replace(`— ${ORIGIN} `, `— ${ORIGIN}  `)],
    ['a signature of 4 bytes', `${NOTE}\n— ${ORIGIN} zRhvLw==\n`],
    ['a signature that is not base64', `${NOTE}\n— ${ORIGIN} zRhv*w==\n`],
    ['an empty line among signatures', `${NOTE}\n${SIG_LINE}\n${SIG_LINE}`],
  ])('rejects %s with MALFORMED_BUNDLE', (_name, text) => {
    const result = parseCheckpoint(text);
    expect(result.checkpoint).toBeUndefined();
    expect(result.problems.length).toBeGreaterThan(0);
    expect(new Set(result.problems.map((p) => p.code))).toEqual(new Set(['MALFORMED_BUNDLE']));
    expect(verify(text).valid).toBe(false);
  });

  it('rejects invalid UTF-8 bytes', () => {
    const bytes = new TextEncoder().encode(CHECKPOINT);
    bytes[0] = 0xff;
    expect(codes(bytes)).toEqual(['MALFORMED_BUNDLE']);
  });

  it('accepts 16 signature lines and rejects 17', () => {
    const others = Array.from({ length: 15 }, (_, i) => foreignLine(`witness-${i}`)).join('');
    expect(codes(`${CHECKPOINT}${others}`)).toEqual([]);
    expect(verify(`${CHECKPOINT}${others}`).valid).toBe(true);
    expect(codes(`${CHECKPOINT}${others}${foreignLine('witness-15')}`)).toEqual([
      'MALFORMED_BUNDLE',
    ]);
  });

  it('rejects more than 1 MiB', () => {
    const big = `${ORIGIN}${'x'.repeat(CHECKPOINT_MAX_BYTES)}\n7\n${CHECKPOINT.slice(CHECKPOINT.indexOf('QX3'))}`;
    expect(codes(big)).toEqual(['MALFORMED_BUNDLE']);
    expect(codes(new TextEncoder().encode(big))).toEqual(['MALFORMED_BUNDLE']);
    // Counted in UTF-8 bytes, not UTF-16 units.
    const wide = 'é'.repeat(CHECKPOINT_MAX_BYTES / 2);
    expect(codes(`${wide}\n7\n${CHECKPOINT.slice(CHECKPOINT.indexOf('QX3'))}`)).toEqual([
      'MALFORMED_BUNDLE',
    ]);
  });
});

describe('verifyCheckpoint', () => {
  it('accepts the example', () => {
    const result = verify(CHECKPOINT);
    expect(result).toMatchObject({ valid: true, problems: [] });
    expect(result.checkpoint?.treeSize).toBe(7);
  });

  it('ignores lines of unknown (name, key ID), before or after the log line', () => {
    expect(verify(`${CHECKPOINT}${foreignLine('witness')}`).valid).toBe(true);
    expect(verify(`${NOTE}\n${foreignLine('witness')}${SIG_LINE}`).valid).toBe(true);
    // The log's name with another key: an unknown key ID, ignored.
    expect(verify(`${CHECKPOINT}${foreignLine(ORIGIN)}`).valid).toBe(true);
  });

  const rejected = (text: string, origin = ORIGIN, key = cerroTorreLog.publicKey) => {
    const result = verifyCheckpoint(text, origin, key);
    expect(result.valid).toBe(false);
    return result.problems.map((p) => p.code);
  };

  it('rejects a tampered signature', () => {
    const blob = decodeBase64(SIG_LINE.slice(SIG_LINE.lastIndexOf(' ') + 1, -1))!;
    blob[10] = blob[10]! ^ 1;
    const text = `${NOTE}\n— ${ORIGIN} ${encodeBase64(blob)}\n`;
    expect(rejected(text)).toEqual(['LOG_PROOF_INVALID']);
  });

  it('rejects a tampered note', () => {
    expect(rejected(CHECKPOINT.replace('\n7\n', '\n8\n'))).toEqual(['LOG_PROOF_INVALID']);
  });

  it('rejects a checkpoint whose only line is by another key', () => {
    expect(rejected(`${NOTE}\n${foreignLine(ORIGIN)}`)).toEqual(['LOG_PROOF_INVALID']);
    expect(rejected(CHECKPOINT, ORIGIN, localFileLog.publicKey)).toEqual(['LOG_PROOF_INVALID']);
  });

  it('rejects when any line from the log key fails, even if another verifies', () => {
    const blob = decodeBase64(SIG_LINE.slice(SIG_LINE.lastIndexOf(' ') + 1, -1))!;
    const bad = blob.slice();
    bad[20] = bad[20]! ^ 1;
    expect(rejected(`${CHECKPOINT}— ${ORIGIN} ${encodeBase64(bad)}\n`)).toEqual([
      'LOG_PROOF_INVALID',
    ]);
    const short = encodeBase64(blob.subarray(0, 67));
    expect(rejected(`${CHECKPOINT}— ${ORIGIN} ${short}\n`)).toEqual(['LOG_PROOF_INVALID']);
  });

  it('rejects another origin', () => {
    const other = formatCheckpoint(cerroTorreLog, 'other-log', 7, fromHex(ROOT_HEX)!);
    expect(rejected(other)).toEqual(['LOG_PROOF_INVALID']);
    expect(rejected(CHECKPOINT, 'other-log')).toEqual(['LOG_PROOF_INVALID']);
  });
});
