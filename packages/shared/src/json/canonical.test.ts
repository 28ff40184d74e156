// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical.js';
import { parseJson } from './parse-json.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/rfc8785/${name}`, import.meta.url));

describe('canonicalize (RFC 8785)', () => {
  it.each(['sample', 'sorting', 'appendix-e'])(
    'reproduces the published example %s byte for byte',
    (name) => {
      const input = parseJson(fixture(`${name}.json`), { mode: 'ecma' });
      expect(Buffer.from(canonicalize(input), 'utf8').equals(fixture(`${name}.canonical`))).toBe(
        true,
      );
    },
  );

  // RFC 8785 Appendix B: IEEE 754 bit patterns and their serialisation.
  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('serialises the double %s as %s', (bits, expected) => {
    const value = Buffer.from(bits, 'hex').readDoubleBE(0);
    expect(canonicalize(value)).toBe(expected);
  });

  it('rejects NaN, Infinity, undefined and lone surrogates', () => {
    for (const bad of [NaN, Infinity, -Infinity, undefined, 10n, '\ud800', { '\udc00': 1 }]) {
      expect(() => canonicalize(bad)).toThrow(expect.objectContaining({ code: 'JSON_INVALID' }));
    }
  });

  it('leaves "/" and non-ASCII literal and escapes control characters in lowercase', () => {
    expect(canonicalize({ b: '/\u001f\u00e9', a: [1, 'x'] })).toBe('{"a":[1,"x"],"b":"/\\u001fé"}');
  });
});
