// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';

import { K8sFileParser, parseK8sFileLog, toLogEntry } from './k8s-file.js';

const T1 = '2026-12-07T17:10:09.803761105+00:00';
const T2 = '2026-12-07T17:10:09.803870087+00:00';
const T3 = '2026-12-07T17:10:10.804676729+00:00';

describe('parseK8sFileLog', () => {
  it('reads whole lines of both streams in order', () => {
    const log = `${T1} stdout F out\n${T2} stderr F err\n${T3} stdout F done\n`;
    expect(parseK8sFileLog(log).map(toLogEntry)).toEqual([
      { stream: 'stdout', time: T1, line: 'out' },
      { stream: 'stderr', time: T2, line: 'err' },
      { stream: 'stdout', time: T3, line: 'done' },
    ]);
  });

  it('joins P segments per stream and stamps the line with its first segment', () => {
    const log = [
      `${T1} stdout P hel`,
      `${T1} stderr F oops`,
      `${T2} stdout P lo wor`,
      `${T3} stdout F ld`,
      '',
    ].join('\n');
    expect(parseK8sFileLog(log).map(toLogEntry)).toEqual([
      { stream: 'stderr', time: T1, line: 'oops' },
      { stream: 'stdout', time: T1, line: 'hello world' },
    ]);
  });

  it('keeps empty lines, spaces and times in milliseconds', () => {
    const [empty, spaced] = parseK8sFileLog(`${T1} stdout F\n${T1} stdout F  two  spaces \n`);
    expect(empty?.line).toBe('');
    expect(spaced?.line).toBe(' two  spaces ');
    expect(spaced?.timeMs).toBe(Date.UTC(2026, 11, 7, 17, 10, 9, 803));
  });

  it('returns a partial line left open at the end of the file', () => {
    expect(
      parseK8sFileLog(`${T1} stdout F a\n${T2} stdout P no newline`).map((e) => e.line),
    ).toEqual(['a', 'no newline']);
  });

  it('returns a line whose P segments never got their F', () => {
    expect(parseK8sFileLog(`${T1} stderr P cut \n${T2} stderr P off\n`).map(toLogEntry)).toEqual([
      { stream: 'stderr', time: T1, line: 'cut off' },
    ]);
  });

  it('skips malformed records', () => {
    const log = `garbage\nnot-a-time stdout F x\n${T1} stdin F x\n${T1} stdout F ok\n`;
    expect(parseK8sFileLog(log).map((e) => e.line)).toEqual(['ok']);
  });
});

describe('K8sFileParser', () => {
  it('accepts any chunking, even inside a UTF-8 character', () => {
    const bytes = Buffer.from(`${T1} stdout F grüße\n${T2} stderr P ä\n${T3} stderr F ö\n`);
    const parser = new K8sFileParser();
    const lines: string[] = [];
    for (let i = 0; i < bytes.length; i += 7) {
      lines.push(...parser.push(bytes.subarray(i, i + 7)).map((e) => `${e.stream}:${e.line}`));
    }
    lines.push(...parser.end().map((e) => e.line));
    expect(lines).toEqual(['stdout:grüße', 'stderr:äö']);
  });

  it('holds an unfinished record until its newline arrives', () => {
    const parser = new K8sFileParser();
    expect(parser.push(Buffer.from(`${T1} stdout F par`))).toEqual([]);
    expect(parser.push(Buffer.from('tial\n')).map((e) => e.line)).toEqual(['partial']);
  });

  it('forgets buffered segments on reset', () => {
    const parser = new K8sFileParser();
    parser.push(Buffer.from(`${T1} stdout P old\n`));
    parser.reset();
    expect(parser.push(Buffer.from(`${T2} stdout F new\n`)).map((e) => e.line)).toEqual(['new']);
  });
});
