// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  NAME_ADJECTIVES,
  NAME_NOUNS,
  assertNameFree,
  assertValidName,
  generateContainerName,
  isValidName,
} from './container-name.js';

describe('container names', () => {
  it('accepts the 05 §2 pattern and refuses the rest with INVALID_NAME', () => {
    for (const ok of ['web', 'a', 'Web_1.prod-2', 'x'.repeat(128)])
      expect(isValidName(ok)).toBe(true);
    for (const bad of ['', '_web', '-x', '.x', 'a b', 'a/b', 'é', 'x'.repeat(129)]) {
      expect(isValidName(bad)).toBe(false);
      expect(() => assertValidName(bad)).toThrow(expect.objectContaining({ code: 'INVALID_NAME' }));
    }
  });

  it('reports a taken name as NAME_IN_USE', () => {
    expect(() => assertNameFree('web', new Set(['web']))).toThrow(
      expect.objectContaining({ code: 'NAME_IN_USE' }),
    );
    expect(() => assertNameFree('web', new Set(['db']))).not.toThrow();
  });

  it('generates <adjective>_<noun> from lists of at least 50 distinct words', () => {
    expect(new Set(NAME_ADJECTIVES).size).toBeGreaterThanOrEqual(50);
    expect(new Set(NAME_NOUNS).size).toBeGreaterThanOrEqual(50);
    for (const word of [...NAME_ADJECTIVES, ...NAME_NOUNS]) expect(word).toMatch(/^[a-z]+$/);
    const name = generateContainerName(new Set());
    expect(name).toMatch(/^[a-z]+_[a-z]+$/);
    expect(isValidName(name)).toBe(true);
  });

  it('appends _2, _3 … on a clash', () => {
    const first = () => 0;
    const base = `${NAME_ADJECTIVES[0]}_${NAME_NOUNS[0]}`;
    expect(generateContainerName(new Set(), first)).toBe(base);
    expect(generateContainerName(new Set([base]), first)).toBe(`${base}_2`);
    expect(generateContainerName(new Set([base, `${base}_2`]), first)).toBe(`${base}_3`);
  });
});
