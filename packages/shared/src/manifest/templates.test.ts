// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseManifest } from './index.js';
import { parseTemplates } from './templates.js';

const HEAD = '[package]\nname = "t"\nversion = "1.0"\n';
const parse = (body: string) => parseManifest(HEAD + body, { source: 't.ctp' });
const errors = (body: string) =>
  parse(body).diagnostics.map((d) => ({
    code: d.code,
    path: d.path,
    line: d.line,
    message: d.message,
  }));

describe('parseTemplates', () => {
  it('splits text and references and knows whole templates', () => {
    expect(parseTemplates('{{ a.b }}')).toEqual({ parts: [{ ref: ['a', 'b'] }], whole: true });
    expect(parseTemplates('x-{{a}}-y')).toEqual({
      parts: [{ text: 'x-' }, { ref: ['a'] }, { text: '-y' }],
      whole: false,
    });
    expect(parseTemplates('no template }}')).toEqual({
      parts: [{ text: 'no template }}' }],
      whole: false,
    });
  });

  it('rejects every other use of {{', () => {
    for (const bad of ['{{}}', '{{ a b }}', '{{a..b}}', '{{a.}}', '{{$x}}', '{{a', 'x {{ y']) {
      expect(parseTemplates(bad)).toHaveProperty('error');
    }
  });
});

describe('template resolution (01 §1.2)', () => {
  it('substitutes strings, integers and booleans anywhere in string values', () => {
    const result = parse(
      '[metadata]\ncategory = "v{{ package.version }}-{{runtime.ports.http.internal}}-{{export.oci.enabled}}"\n' +
        'tags = ["{{package.name}}"]\n[runtime.ports]\nhttp = { internal = 8080 }\n[export.oci]\nenabled = false\n' +
        '[runtime.environment]\nVERSION = "{{package.version}}"\n',
    );
    expect(result.ok).toBe(true);
    expect(result.manifest?.metadata.category).toBe('v1.0-8080-false');
    expect(result.manifest?.metadata.tags).toEqual(['t']);
    expect(result.manifest?.runtime.environment['VERSION']).toBe('1.0');
  });

  it('resolves chained targets', () => {
    const result = parse(
      '[metadata]\nsource = "{{metadata.category}}"\ncategory = "{{metadata.license}}"\nlicense = "MIT"\n',
    );
    expect(result.manifest?.metadata.source).toBe('MIT');
  });

  it('reports an unresolved target at the referencing value', () => {
    expect(errors('[metadata]\nlicense = "{{package.nope}}"\n')).toEqual([
      {
        code: 'MANIFEST_TEMPLATE',
        path: '$.metadata.license',
        line: 5,
        message: expect.stringContaining('unresolved') as string,
      },
    ]);
  });

  it('rejects tables, arrays and floats as targets', () => {
    // build.x is an unknown key (every float is an error somewhere), so only a partial use reports here.
    const result = errors(
      '[metadata]\nlicense = "{{package}}"\ncategory = "{{metadata.tags}}"\ntags = []\nsource = "v{{build.x}}"\n[build]\nx = 1.5\n',
    );
    expect(result.filter((d) => d.code === 'MANIFEST_TEMPLATE').map((d) => d.path)).toEqual([
      '$.metadata.license',
      '$.metadata.category',
      '$.metadata.source',
    ]);
    expect(result[0]?.message).toMatch(/table/);
    expect(result[1]?.message).toMatch(/array/);
  });

  it('reports malformed and unterminated templates', () => {
    expect(
      errors('[metadata]\nlicense = "{{ a b }}"\ncategory = "x {{package.name"\n').map((d) => [
        d.code,
        d.path,
      ]),
    ).toEqual([
      ['MANIFEST_TEMPLATE', '$.metadata.license'],
      ['MANIFEST_TEMPLATE', '$.metadata.category'],
    ]);
  });

  it('reports a cycle once', () => {
    const result = errors(
      '[metadata]\nlicense = "{{metadata.category}}"\ncategory = "{{metadata.license}}"\n',
    );
    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({ code: 'MANIFEST_TEMPLATE', path: '$.metadata.license' });
    expect(result[0]?.message).toContain('metadata.license → metadata.category → metadata.license');
  });

  it('allows 16 levels of nesting and rejects 17', () => {
    const chain = (n: number) => {
      const lines = ['[metadata.x]'];
      for (let i = 0; i < n; i++) lines.push(`k${i} = "{{metadata.x.k${i + 1}}}"`);
      lines.push(`k${n} = "end"`);
      return `${lines.join('\n')}\n`;
    };
    // [metadata.x] is itself an unknown key; only template errors matter here.
    const templateErrors = (n: number) =>
      errors(chain(n)).filter((d) => d.code === 'MANIFEST_TEMPLATE');
    expect(templateErrors(16)).toEqual([]);
    expect(templateErrors(17)).toHaveLength(1);
    expect(templateErrors(17)[0]?.message).toMatch(/deeper than 16/);
  });

  it('validates resolved values, at the referencing position', () => {
    const result = errors(
      '[metadata]\ncategory = "relative/dir"\n[runtime]\nworkdir = "{{metadata.category}}"\n',
    );
    expect(result).toEqual([
      expect.objectContaining({ code: 'MANIFEST_PATH', path: '$.runtime.workdir', line: 7 }),
    ]);
  });

  it('reports an error of a template target once, at the target, naming the references', () => {
    const result = parse(
      '[metadata]\nsource = "{{package.version}}"\n[export.oci]\ntags = ["{{package.version}}", "x{{package.version}}"]\n',
    ).diagnostics;
    expect(result).toEqual([]);
    const bad = parseManifest(
      '[package]\nname = "t"\nversion = "bad tag"\n[export.oci]\ntags = ["{{package.version}}", "ok"]\n[build]\nsteps = [{ action = "mkdir", path = "{{package.version}}" }]\n',
      { source: 't.ctp' },
    ).diagnostics;
    expect(bad.map((d) => [d.code, d.path, d.line])).toEqual([
      ['MANIFEST_VALUE', '$.package.version', 3],
    ]);
    expect(bad[0]?.message).toContain('referenced by export.oci.tags[0], build.steps[0].path');
  });

  it('does not fold a value that only partly uses a broken target', () => {
    const result = parseManifest(
      '[package]\nname = "t"\nversion = "bad tag"\n[export.oci]\ntags = ["v-{{package.version}}"]\n',
      { source: 't.ctp' },
    ).diagnostics;
    expect(result.map((d) => d.path)).toEqual(['$.package.version', '$.export.oci.tags[0]']);
  });

  it('treats templates in keys as plain text', () => {
    const result = errors('[runtime.environment]\n"{{package.name}}" = "x"\n');
    expect(result.map((d) => d.code)).toEqual(['MANIFEST_VALUE']);
  });
});
