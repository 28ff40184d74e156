// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { lineAt, parseDockerfile, parseExecForm } from './parse-dockerfile.js';

describe('parseDockerfile', () => {
  it('gives each instruction its keyword, arguments and line', () => {
    const ins = parseDockerfile('FROM debian\n\n# a comment\nrun echo hi\n');
    expect(ins.map((i) => [i.line, i.keyword, i.args])).toEqual([
      [1, 'FROM', 'debian'],
      [4, 'RUN', 'echo hi'],
    ]);
  });

  it('joins continuation lines, skipping comment and blank lines inside them', () => {
    const [run] = parseDockerfile(
      [
        'RUN apt-get install -y \\',
        '    curl \\   ',
        '    # a comment inside',
        '',
        '    unzip',
        'EXPOSE 80',
      ].join('\n'),
    );
    expect(run).toMatchObject({ line: 1, endLine: 5, keyword: 'RUN' });
    expect(run?.args.replace(/\s+/g, ' ')).toBe('apt-get install -y curl unzip');
    expect(run?.text).toBe('RUN apt-get install -y curl unzip');
    expect(run && lineAt(run, run.args.indexOf('unzip'))).toBe(5);
    expect(run && lineAt(run, run.args.indexOf('curl'))).toBe(2);
    expect(run && lineAt(run, 0)).toBe(1);
  });

  it('honours the escape directive, and only at the top', () => {
    const ins = parseDockerfile('# escape=`\nFROM debian\nRUN echo a `\n  b\n');
    expect(ins[1]).toMatchObject({ escape: '`', line: 3, endLine: 4 });
    expect(ins[1]?.args.replace(/\s+/g, ' ')).toBe('echo a b');
    // After an instruction (or a blank line), `# escape=` is a plain comment.
    const late = parseDockerfile('FROM debian\n# escape=`\nRUN echo a `\n');
    expect(late[1]).toMatchObject({ escape: '\\', args: 'echo a `' });
    const blank = parseDockerfile('\n# escape=`\nRUN a \\\n b\n');
    expect(blank[0]).toMatchObject({ escape: '\\', endLine: 4 });
  });

  it('ignores an invalid escape value and other directives', () => {
    const ins = parseDockerfile('# syntax=docker/dockerfile:1\n# escape=x\nRUN a \\\n b\n');
    expect(ins).toHaveLength(1);
    expect(ins[0]).toMatchObject({ escape: '\\', line: 3, endLine: 4 });
  });

  it('accepts CRLF and a byte-order mark', () => {
    const ins = parseDockerfile('\uFEFFFROM debian\r\nRUN a \\\r\n b\r\n');
    expect(ins.map((i) => i.keyword)).toEqual(['FROM', 'RUN']);
    expect(ins[1]?.endLine).toBe(3);
  });

  it('tells the exec form from the shell form', () => {
    const [exec, shell, broken] = parseDockerfile(
      'CMD ["nginx", "-g", "daemon off;"]\nCMD nginx -g "daemon off;"\nCMD [nginx]\n',
    );
    expect(exec?.exec).toEqual(['nginx', '-g', 'daemon off;']);
    expect(shell?.exec).toBeUndefined();
    // Not valid JSON: Docker runs it through the shell.
    expect(broken?.exec).toBeUndefined();
    expect(parseExecForm('[1, 2]')).toBeUndefined();
    expect(parseExecForm(' [] ')).toEqual([]);
  });

  it('reads leading --flags, with or without a value', () => {
    const [copy, run] = parseDockerfile(
      'COPY --from=composer --link /usr/bin/composer /usr/bin/composer\n' +
        'RUN --mount=type=cache,target=/var/cache/apt --network="none" apt-get update\n',
    );
    expect(copy?.flags).toEqual([
      { name: 'from', value: 'composer' },
      { name: 'link', value: undefined },
    ]);
    expect(copy?.args).toBe('/usr/bin/composer /usr/bin/composer');
    expect(run?.flags).toEqual([
      { name: 'mount', value: 'type=cache,target=/var/cache/apt' },
      { name: 'network', value: 'none' },
    ]);
    expect(run?.args).toBe('apt-get update');
  });

  it('detects heredocs and keeps their bodies out of the instructions', () => {
    const ins = parseDockerfile(
      [
        'FROM debian',
        'RUN <<EOF',
        'apt-get update',
        'RUN not an instruction',
        'EOF',
        'COPY <<-"CONF" <<OTHER /etc/',
        '\tkey = value',
        '\tCONF',
        'other',
        'OTHER',
        'USER app',
      ].join('\n'),
    );
    expect(ins.map((i) => [i.keyword, i.line, i.endLine])).toEqual([
      ['FROM', 1, 1],
      ['RUN', 2, 5],
      ['COPY', 6, 10],
      ['USER', 11, 11],
    ]);
    expect(ins[1]?.heredocs).toEqual([
      { delimiter: 'EOF', body: 'apt-get update\nRUN not an instruction\n' },
    ]);
    expect(ins[2]?.heredocs.map((h) => h.delimiter)).toEqual(['CONF', 'OTHER']);
  });

  it('does not take << in other instructions or quoted words for a heredoc', () => {
    const ins = parseDockerfile('ENV A=<<EOF\nRUN echo "<<EOF"\nUSER app\n');
    expect(ins.map((i) => i.keyword)).toEqual(['ENV', 'RUN', 'USER']);
    expect(ins.every((i) => i.heredocs.length === 0)).toBe(true);
  });

  it('runs an unterminated continuation or heredoc to the end of the file', () => {
    expect(parseDockerfile('RUN a \\')[0]).toMatchObject({ args: 'a', endLine: 1 });
    expect(parseDockerfile('RUN <<EOF\nx\n')[0]).toMatchObject({ endLine: 3 });
  });
});
