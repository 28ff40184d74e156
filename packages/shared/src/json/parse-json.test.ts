// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseJson } from './parse-json.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('parseJson strict', () => {
  it('parses ordinary documents like JSON.parse', () => {
    const text = '{"a":[1,-2,0,{"b":null,"c":true,"d":"x\\u00e9\\n"}],"e":{}}';
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });

  it.each([
    ['duplicate key', '{"a":1,"a":2}', 'duplicate-key', '$.a'],
    ['nested duplicate key', '{"x":[{"k":1,"k":1}]}', 'duplicate-key', '$.x[0].k'],
    ['fraction', '{"n":1.5}', 'unsafe-number', '$.n'],
    ['exponent', '{"n":1e3}', 'unsafe-number', '$.n'],
    ['2^53', '{"n":9007199254740992}', 'unsafe-number', '$.n'],
    ['lone surrogate', '{"s":"\\ud800"}', 'lone-surrogate', '$.s'],
    ['lone low surrogate', '["\\udc00x"]', 'lone-surrogate', '$[0]'],
    ['truncated', '{"a":[1,2', 'syntax', '$.a'],
    ['trailing comma', '{"a":1,}', 'syntax', '$'],
    ['trailing data', '{} {}', 'syntax', '$'],
    ['single quotes', "{'a':1}", 'syntax', '$'],
    ['leading zero', '[01]', 'syntax', '$'],
    ['raw control char', '["a\tb"]', 'syntax', '$[0]'],
    ['bad escape', '["\\x"]', 'syntax', '$[0]'],
    ['unterminated string', '["abc', 'syntax', '$[0]'],
    ['unterminated after an escape', '["a\\n', 'syntax', '$[0]'],
    ['raw control char after a long run', `["${'x'.repeat(5000)}\u0001"]`, 'syntax', '$[0]'],
    ['lone surrogate in raw text', '["a\ud800b"]', 'lone-surrogate', '$[0]'],
    ['empty', '', 'syntax', '$'],
  ])('rejects %s', (_name, text, reason, path) => {
    expect(() => parseJson(text)).toThrow(expect.objectContaining({ reason, path }));
  });

  it('reads long strings with escapes and non-ASCII text like JSON.parse', () => {
    const long = 'A+/='.repeat(100_000);
    const text = `{"p":"${long}","q":"${long}\\"\\u00e9\\n${long}é😀","r":""}`;
    expect(parseJson(text)).toEqual(JSON.parse(text));
    expect(parseJson(bytes(text))).toEqual(JSON.parse(text));
  });

  it('accepts 2^53-1 and negative integers', () => {
    expect(parseJson('[9007199254740991,-9007199254740991]')).toEqual([
      9007199254740991, -9007199254740991,
    ]);
  });

  it('rejects a byte-order mark and invalid UTF-8', () => {
    expect(() => parseJson(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toThrow(
      expect.objectContaining({ reason: 'bom' }),
    );
    expect(() => parseJson(new Uint8Array([0x22, 0xc3, 0x28, 0x22]))).toThrow(
      expect.objectContaining({ reason: 'encoding' }),
    );
  });

  it('limits nesting depth and size', () => {
    expect(() => parseJson('['.repeat(200) + ']'.repeat(200))).toThrow(
      expect.objectContaining({ reason: 'too-deep' }),
    );
    expect(() => parseJson(bytes('[1,2,3]'), { maxBytes: 3 })).toThrow(
      expect.objectContaining({ reason: 'too-large' }),
    );
  });

  it('keeps __proto__ as an ordinary member', () => {
    const value = parseJson('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('allows non-integers when integersOnly is false', () => {
    expect(parseJson('[1.5,2e3]', { integersOnly: false })).toEqual([1.5, 2000]);
  });
});

describe('parseJson ecma', () => {
  it('keeps the last duplicate and reports it', () => {
    const seen: string[] = [];
    const value = parseJson('{"key":"first","key":"second"}', {
      mode: 'ecma',
      onDuplicate: (key, path) => seen.push(`${key} ${path}`),
    });
    expect(value).toEqual({ key: 'second' });
    expect(seen).toEqual(['key $.key']);
  });

  it('accepts any finite number but not overflow', () => {
    expect(parseJson('[1.5e300, 0.1]', { mode: 'ecma' })).toEqual([1.5e300, 0.1]);
    expect(() => parseJson('[1e400]', { mode: 'ecma' })).toThrow(
      expect.objectContaining({ reason: 'non-finite-number' }),
    );
  });
});
