// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES, parseManifest } from './index.js';

const reference = readFileSync(
  new URL('../../test/fixtures/manifests/php-aegis-wordpress.ctp', import.meta.url),
  'utf8',
);
const MINIMAL = '[package]\nname = "m"\nversion = "1.0"\n';
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const parse = (input: string | Uint8Array) => parseManifest(input, { source: 'm.ctp' });

describe('size and encoding (01 §1.1)', () => {
  it('rejects more than 1 MiB with MANIFEST_TOO_LARGE, alone, at 1:1', () => {
    const big = new Uint8Array(MAX_MANIFEST_BYTES + 1).fill(0x23); // '#'
    const result = parse(big);
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({
      code: 'MANIFEST_TOO_LARGE',
      path: '$',
      line: 1,
      column: 1,
    });
  });

  it('measures string input in UTF-8 bytes', () => {
    const comment = `# ${'é'.repeat(MAX_MANIFEST_BYTES / 2)}\n`;
    expect(parse(comment + MINIMAL).diagnostics[0]?.code).toBe('MANIFEST_TOO_LARGE');
    const fits = `# ${'x'.repeat(MAX_MANIFEST_BYTES - 100)}\n${MINIMAL}`;
    expect(parse(fits).ok).toBe(true);
  });

  it('rejects invalid UTF-8 with MANIFEST_ENCODING at the offending position', () => {
    const bytes = Uint8Array.from([
      ...utf8(`${MINIMAL}[metadata]\nlicense = "ab`),
      0xff,
      ...utf8('"\n'),
    ]);
    const result = parse(bytes);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ code: 'MANIFEST_ENCODING', line: 5, column: 14 });
  });

  it('rejects overlong and surrogate encodings', () => {
    expect(parse(Uint8Array.from([0xc0, 0xaf])).diagnostics[0]?.code).toBe('MANIFEST_ENCODING');
    expect(parse(Uint8Array.from([0xed, 0xa0, 0x80])).diagnostics[0]?.code).toBe(
      'MANIFEST_ENCODING',
    );
    expect(parse(`${MINIMAL}# \uD800\n`).diagnostics[0]?.code).toBe('MANIFEST_ENCODING');
  });

  it('rejects U+0000 with its position', () => {
    const result = parse(utf8(`${MINIMAL}# a\u0000b\n`));
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ code: 'MANIFEST_ENCODING', line: 4, column: 4 }),
    ]);
  });

  it('ignores a leading BOM, in bytes and in strings, and counts columns after it', () => {
    const withBom = Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8(`${MINIMAL}nmae = 1\n`)]);
    const result = parse(withBom);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ code: 'MANIFEST_UNKNOWN_KEY', line: 4, column: 1 }),
    ]);
    expect(parse(`\uFEFF${MINIMAL}`).ok).toBe(true);
  });

  it('accepts CRLF line endings with the same positions', () => {
    const crlf = reference.replaceAll('\n', '\r\n');
    const result = parse(crlf);
    expect(result.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([
      ['MANIFEST_HASH', 61, 91],
      ['MANIFEST_UNSUPPORTED', 62, 34],
      ['MANIFEST_HASH', 62, 77],
      ['MANIFEST_UNSUPPORTED_FEATURE', 222, 32],
      ['MANIFEST_UNSUPPORTED_FEATURE', 237, 1],
    ]);
  });

  it('counts columns in code points', () => {
    const result = parse(`${MINIMAL}[metadata]\ncategory = "𝄞"; x = 1\n`);
    expect(result.diagnostics[0]).toMatchObject({ code: 'MANIFEST_SYNTAX', line: 5, column: 15 });
  });
});

describe('TOML syntax (01 §1.1)', () => {
  it('reports a duplicate key alone as MANIFEST_SYNTAX', () => {
    const result = parse(`${MINIMAL}name = "again"\nbogus = 1\n`);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ code: 'MANIFEST_SYNTAX', path: '$', line: 4, column: 1 }),
    ]);
    expect(result.diagnostics[0]?.hint).toMatch(/only once/);
  });

  it('reports a duplicate table alone', () => {
    const result = parse(`${MINIMAL}[runtime]\n[runtime]\n`);
    expect(result.diagnostics.map((d) => [d.code, d.line])).toEqual([['MANIFEST_SYNTAX', 5]]);
  });

  it('reports the reference manifest cut inside a string', () => {
    const cut = reference.indexOf('WordPress with php-aegis') + 5;
    const result = parse(reference.slice(0, cut));
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ code: 'MANIFEST_SYNTAX', line: 9 });
    expect(result.diagnostics[0]?.column).toBeGreaterThan(1);
  });

  it('reports the reference manifest cut inside a table header and inside an inline table', () => {
    const header = parse(reference.slice(0, reference.indexOf('[runtime.environment]') + 8));
    expect(header.diagnostics).toEqual([
      expect.objectContaining({ code: 'MANIFEST_SYNTAX', line: 96 }),
    ]);
    const inline = parse(reference.slice(0, reference.indexOf('php-aegis = {') + 30));
    expect(inline.diagnostics).toEqual([
      expect.objectContaining({ code: 'MANIFEST_SYNTAX', line: 62 }),
    ]);
  });

  it('reports the reference manifest cut inside the multi-line custom policy', () => {
    const result = parse(reference.slice(0, reference.indexOf('allow container_web_t self')));
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ code: 'MANIFEST_SYNTAX', line: 136 }),
    ]);
  });

  it('rejects prototype-polluting keys as a syntax error', () => {
    expect(parse(`${MINIMAL}[runtime.environment]\n__proto__ = "x"\n`).diagnostics[0]?.code).toBe(
      'MANIFEST_SYNTAX',
    );
  });
});
