// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { expandWord, isWord, lexWords, wordProblem, type ShellToken } from './shell-lexer.js';

const vars: Record<string, string> = { HOME: '/root', EMPTY: '', SPACED: 'a b' };
const lookup = (n: string): string | undefined => vars[n];
const values = (tokens: ShellToken[]): string[] =>
  tokens.map((t) => (isWord(t) ? t.value : `<${t.op}>`));

describe('lexWords', () => {
  it('removes quotes and escapes', () => {
    expect(values(lexWords(`a 'b c' "d \\"e\\"" f\\ g`))).toEqual(['a', 'b c', 'd "e"', 'f g']);
  });

  it('expands the variable forms Docker supports', () => {
    const words = lexWords(
      '$HOME ${HOME}/x ${EMPTY:-dflt} ${EMPTY-dflt} ${HOME:+set} ${EMPTY:+set} "$HOME" \'$HOME\' \\$HOME',
      { lookup },
    );
    expect(values(words)).toEqual([
      '/root',
      '/root/x',
      'dflt',
      '',
      'set',
      '',
      '/root',
      '$HOME',
      '$HOME',
    ]);
  });

  it('records unknown variables instead of guessing them', () => {
    const [w] = lexWords('/usr/bin:$PATH:${NOPE:-x}', { lookup }).filter(isWord);
    expect(w?.unresolved).toEqual(['PATH', 'NOPE']);
    expect(w && wordProblem(w)).toMatch(/^\$PATH, \$NOPE have no value known here/);
  });

  it('in shell mode, splits operators and reports what needs a shell', () => {
    const tokens = lexWords('a && b || c | d > e; f & (g)', { shell: true });
    expect(values(tokens)).toEqual([
      'a',
      '<&&>',
      'b',
      '<||>',
      'c',
      '<|>',
      'd',
      '<>>',
      'e',
      '<;>',
      'f',
      '<&>',
      '<(>',
      'g',
      '<)>',
    ]);
    const problems = (text: string): readonly string[] =>
      lexWords(text, { shell: true, lookup })
        .filter(isWord)
        .flatMap((w) => w.problems);
    expect(problems('echo $(date)')).toEqual(['uses command substitution']);
    expect(problems('echo `date`')).toEqual(['uses command substitution']);
    expect(problems('echo $((1+2))')).toEqual(['uses arithmetic expansion']);
    expect(problems('echo $?')).toEqual(['uses the shell parameter $?']);
    expect(problems('cd ~/x')).toEqual(['uses ~ (tilde expansion)']);
    expect(problems('mkdir /a/{b,c}')).toEqual(['uses brace expansion']);
    expect(problems('mkdir $SPACED')).toEqual(['splits the value of $SPACED into words']);
    expect(problems('mkdir "$SPACED" /a/{b}')).toEqual([]);
  });

  it('drops shell comments but keeps # inside words', () => {
    expect(values(lexWords('echo a#b # comment', { shell: true }))).toEqual(['echo', 'a#b']);
  });

  it('marks unquoted wildcards only', () => {
    const words = lexWords('*.php "a*" b\\?', { shell: true }).filter(isWord);
    expect(words.map((w) => w.glob)).toEqual([true, false, false]);
  });

  it('uses the Dockerfile escape character outside shell mode', () => {
    expect(values(lexWords('a`"b c` d', { escape: '`' }))).toEqual(['a"b', 'c d']);
    expect(values(lexWords('C:\\dir', { escape: '`' }))).toEqual(['C:\\dir']);
  });

  it('keeps offsets of each word', () => {
    const [, w] = lexWords('mkdir  "/a b"', { shell: true }).filter(isWord);
    expect(w).toMatchObject({ start: 7, end: 13, quoted: true });
  });
});

describe('expandWord', () => {
  it('keeps whitespace, as the value of ENV k v', () => {
    expect(expandWord('hello   "big" $HOME', { lookup }).value).toBe('hello   big /root');
  });
});
