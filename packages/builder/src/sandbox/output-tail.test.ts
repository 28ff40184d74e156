// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { OutputTail, lastLines } from './output-tail.js';

describe('OutputTail', () => {
  it('keeps everything below the limit', () => {
    const t = new OutputTail(100);
    t.push(Buffer.from('a\n'));
    t.push(Buffer.from('b\n'));
    expect(t.text()).toBe('a\nb\n');
  });

  it('keeps the last bytes and starts at a line boundary', () => {
    const t = new OutputTail(8);
    t.push(Buffer.from('line1\nline2\n'));
    t.push(Buffer.from('line3\n'));
    expect(t.text()).toBe('line3\n');
  });
});

describe('lastLines', () => {
  it('returns the last n lines without the final newline', () => {
    expect(lastLines('1\n2\n3\n', 2)).toBe('2\n3');
    expect(lastLines('1\n2', 5)).toBe('1\n2');
  });
});
