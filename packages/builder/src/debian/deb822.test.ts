// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { ControlSyntaxError, formatParagraph, parseControl } from './deb822.js';

describe('parseControl', () => {
  it('reads paragraphs, continuation lines and case-insensitive names', () => {
    const text = [
      'Package: bash',
      'Depends: base-files (>= 2.1.12),',
      ' debianutils (>= 5.6-0.1)',
      'Conffiles:',
      ' /etc/bash.bashrc 89269e1298235f1b12b4c16e4065ad0d',
      '',
      '',
      'Package: zlib1g',
      'Version: 1:1.2.13.dfsg-1',
      '',
    ].join('\n');
    const [bash, zlib] = parseControl(text);
    expect(bash?.first('package')).toBe('bash');
    expect(bash?.get('Depends')).toBe('base-files (>= 2.1.12),\n debianutils (>= 5.6-0.1)');
    expect(bash?.folded('Depends')).toBe('base-files (>= 2.1.12), debianutils (>= 5.6-0.1)');
    expect(bash?.get('Conffiles')).toBe('\n /etc/bash.bashrc 89269e1298235f1b12b4c16e4065ad0d');
    expect(zlib?.first('VERSION')).toBe('1:1.2.13.dfsg-1');
    expect(zlib?.has('Depends')).toBe(false);
  });

  it('gives the text back through formatParagraph', () => {
    const text = 'Package: a\nConffiles:\n /etc/a 00\nDescription: x\n more\n .\n end\n';
    const [p] = parseControl(text);
    expect(formatParagraph(p!.fields)).toBe(text);
  });

  it('accepts CRLF and whitespace-only separators, and comments when asked', () => {
    const ps = parseControl('# c\r\nA: 1\r\n \t\r\nB: 2\r\n', { comments: true });
    expect(ps.map((p) => p.fields.map((f) => f.name))).toEqual([['A'], ['B']]);
  });

  it('rejects what is not deb822', () => {
    expect(() => parseControl(' leading continuation')).toThrow(ControlSyntaxError);
    expect(() => parseControl('no colon here')).toThrow(/line 1/);
  });
});
