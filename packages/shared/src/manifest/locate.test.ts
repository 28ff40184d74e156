// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { PathSegment } from '../json/index.js';
import { locateToml } from './locate.js';

const TEXT = `# comment with [brackets] and "quotes"
top = 1
"quoted key" = 'lit'
a."b c".d = "x"

[t1]
s = """
[not.a.table]
x = "y" \\"""
q = 2"""
lit = '''
arr = [
'''
after = true
arr = [ # comment
  1, # one
  [2, 3],
  { k = { kk = "v" }, "w x" = 5 },
]
date = 1979-05-27 07:32:00Z

[[aot]]
x = 1
[[aot]]
x = 2
[aot.sub]
y = 3
[[aot.list]]
z = 4

[t2.deep]
  inner = { a = 1, b = [ "p", "q" ] }
`;

const locations = locateToml(TEXT);
const at = (...path: PathSegment[]) => locations.positionFor(path);

describe('locateToml', () => {
  it('finds keys at the top level, quoted and dotted', () => {
    expect(at('top')).toEqual({ line: 2, column: 1 });
    expect(at('quoted key')).toEqual({ line: 3, column: 1 });
    expect(at('a', 'b c', 'd')).toEqual({ line: 4, column: 9 });
    expect(at('a', 'b c')).toEqual({ line: 4, column: 3 });
  });

  it('skips multi-line basic and literal strings without reading keys inside them', () => {
    expect(at('t1', 's')).toEqual({ line: 7, column: 1 });
    expect(at('t1', 'lit')).toEqual({ line: 11, column: 1 });
    expect(at('t1', 'after')).toEqual({ line: 14, column: 1 });
    expect(locations.keys.has('$.not')).toBe(false);
    expect(locations.keys.has('$.t1.q')).toBe(false);
  });

  it('finds array elements across lines and comments, and nested inline tables', () => {
    expect(at('t1', 'arr', 0)).toEqual({ line: 16, column: 3 });
    expect(at('t1', 'arr', 1, 1)).toEqual({ line: 17, column: 7 });
    expect(at('t1', 'arr', 2)).toEqual({ line: 18, column: 3 });
    expect(at('t1', 'arr', 2, 'k', 'kk')).toEqual({ line: 18, column: 11 });
    expect(at('t1', 'arr', 2, 'w x')).toEqual({ line: 18, column: 23 });
    expect(at('t1', 'date')).toEqual({ line: 20, column: 1 });
  });

  it('numbers arrays of tables and resolves sub-tables to the last element', () => {
    expect(at('aot', 0)).toEqual({ line: 22, column: 1 });
    expect(at('aot', 1, 'x')).toEqual({ line: 25, column: 1 });
    expect(at('aot', 1, 'sub', 'y')).toEqual({ line: 27, column: 1 });
    expect(at('aot', 1, 'list', 0, 'z')).toEqual({ line: 29, column: 1 });
  });

  it('finds keys of headers and indented inline tables', () => {
    expect(at('t2', 'deep')).toEqual({ line: 31, column: 5 });
    expect(at('t2', 'deep', 'inner', 'b', 1)).toEqual({ line: 32, column: 31 });
  });

  it('places a missing field at the enclosing header, inline table, or 1:1', () => {
    expect(locations.positionFor(['t1', 'missing'], true)).toEqual({ line: 6, column: 1 });
    expect(locations.positionFor(['aot', 1, 'sub', 'missing'], true)).toEqual({
      line: 26,
      column: 1,
    });
    expect(locations.positionFor(['t1', 'arr', 2, 'k', 'nope'], true)).toEqual({
      line: 18,
      column: 5,
    });
    expect(locations.positionFor(['absent', 'field'], true)).toEqual({ line: 1, column: 1 });
  });

  it('maps an offset inside a multi-line string back to the file', () => {
    const value = '[not.a.table]\nx = "y" """\nq = 2';
    expect(locations.positionInString(['t1', 's'], value, value.indexOf('q'))).toEqual({
      line: 10,
      column: 1,
    });
    expect(locations.positionInString(['t1', 's'], 'different', 0)).toBeUndefined();
  });
});
