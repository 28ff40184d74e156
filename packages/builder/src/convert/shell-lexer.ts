// SPDX-License-Identifier: Apache-2.0
// Splits text into words the way a POSIX shell (RUN) or the Dockerfile's own word processing (ENV,
// COPY, LABEL, …) does: quotes, the escape character and `$VAR`/`${VAR…}` expansion. Anything whose
// value depends on running something (command substitution, `$?`, tilde, brace expansion) is not
// guessed: the word records why, and the caller lists it.

export interface WordToken {
  readonly kind: 'word';
  /** The word after quote removal and expansion. */
  readonly value: string;
  /** Offsets of the word in the input. */
  readonly start: number;
  readonly end: number;
  /** Whether part of the word was quoted or escaped. */
  readonly quoted: boolean;
  /** An unquoted `*`, `?` or `[`: the shell would expand it against the file system. */
  readonly glob: boolean;
  /** Variables whose value is not known. */
  readonly unresolved: readonly string[];
  /** Why the value cannot be known without running a shell (command substitution, …). */
  readonly problems: readonly string[];
}

export interface OperatorToken {
  readonly kind: 'operator';
  readonly op: string;
  readonly start: number;
  readonly end: number;
}

export type ShellToken = WordToken | OperatorToken;

export interface LexOptions {
  /** The escape character (`\` in a shell; the Dockerfile's escape character otherwise). */
  readonly escape?: string;
  /** Recognise shell operators and comments (RUN); otherwise `;`, `|`, `&`, `<`, `>` are plain. */
  readonly shell?: boolean;
  /** Split on unquoted whitespace (otherwise the whole text is one word, as for `ENV k v`). */
  readonly split?: boolean;
  /** The value of a variable, or undefined when it is not known. */
  readonly lookup?: (name: string) => string | undefined;
}

const OPERATORS = ['&&', '||', ';;', '>>', '<<', '<&', '>&', '&>', '|&', '<>', '>|'];
const OPERATOR_CHARS = new Set(['&', '|', ';', '<', '>', '(', ')', '\n']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Words (and, in shell mode, operators) of `text`. */
export function lexWords(text: string, opts: LexOptions = {}): ShellToken[] {
  return new Lexer(text, opts).run();
}

/** The text as one word (Docker's ProcessWord): the value, or the reason it cannot be known. */
export function expandWord(
  text: string,
  opts: Omit<LexOptions, 'split' | 'shell'> = {},
): { value: string; unresolved: readonly string[]; problems: readonly string[] } {
  const words = lexWords(text, { ...opts, split: false, shell: false }).filter(isWord);
  return {
    value: words.map((w) => w.value).join(''),
    unresolved: words.flatMap((w) => w.unresolved),
    problems: words.flatMap((w) => w.problems),
  };
}

export function isWord(token: ShellToken): token is WordToken {
  return token.kind === 'word';
}

/** Why a word's value cannot be known, or undefined when it can. */
export function wordProblem(word: {
  readonly unresolved: readonly string[];
  readonly problems: readonly string[];
}): string | undefined {
  const names = [...new Set(word.unresolved)];
  if (word.problems[0] !== undefined) return word.problems[0];
  if (names.length === 0) return undefined;
  const list = names.map((n) => `$${n}`).join(', ');
  return `${list} ${names.length === 1 ? 'has' : 'have'} no value known here; the base image or the build sets ${names.length === 1 ? 'it' : 'them'}`;
}

class Lexer {
  private readonly tokens: ShellToken[] = [];
  private readonly escape: string;
  private readonly shell: boolean;
  private readonly split: boolean;
  private pos = 0;
  // The word being built.
  private value = '';
  private start = -1;
  private quoted = false;
  private glob = false;
  private braceOpen = false;
  private unresolved: string[] = [];
  private problems: string[] = [];

  constructor(
    private readonly text: string,
    private readonly opts: LexOptions,
  ) {
    this.escape = opts.escape ?? '\\';
    this.shell = opts.shell ?? false;
    this.split = opts.split ?? true;
  }

  run(): ShellToken[] {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos] ?? '';
      if (this.split && (c === ' ' || c === '\t' || (c === '\n' && !this.shell))) {
        this.finish();
        this.pos++;
      } else if (this.shell && c === '#' && this.start < 0) {
        // A comment runs to the end of the line.
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? t.length : nl;
      } else if (this.shell && OPERATOR_CHARS.has(c)) {
        this.finish();
        const two = t.slice(this.pos, this.pos + 2);
        const op = OPERATORS.includes(two) ? two : c;
        this.tokens.push({ kind: 'operator', op, start: this.pos, end: this.pos + op.length });
        this.pos += op.length;
      } else {
        this.begin();
        this.wordChar(c);
      }
    }
    this.finish();
    return this.tokens;
  }

  private wordChar(c: string): void {
    const t = this.text;
    if (c === this.escape) {
      const next = t[this.pos + 1];
      this.pos += 2;
      if (next === undefined) {
        this.value += c;
      } else if (next !== '\n') {
        this.value += next;
        this.quoted = true;
      }
    } else if (c === "'") {
      const close = t.indexOf("'", this.pos + 1);
      const end = close < 0 ? t.length : close;
      this.value += t.slice(this.pos + 1, end);
      this.quoted = true;
      this.pos = end + 1;
    } else if (c === '"') {
      this.doubleQuoted();
    } else if (c === '$') {
      this.dollar(false);
    } else if (c === '`' && this.shell) {
      this.problem('uses command substitution');
      const close = t.indexOf('`', this.pos + 1);
      this.pos = close < 0 ? t.length : close + 1;
    } else {
      if (c === '*' || c === '?' || c === '[') this.glob = true;
      if (this.shell && c === '~' && this.value === '' && !this.quoted) {
        this.problem('uses ~ (tilde expansion)');
      }
      if (this.shell && c === '{') this.braceOpen = true;
      if (this.shell && c === '}' && this.braceOpen && /[^{]*\{[^}]*(,|\.\.)/.test(this.value)) {
        this.problem('uses brace expansion');
      }
      this.value += c;
      this.pos++;
    }
  }

  private doubleQuoted(): void {
    const t = this.text;
    this.quoted = true;
    this.pos++;
    while (this.pos < t.length && t[this.pos] !== '"') {
      const c = t[this.pos] ?? '';
      if (c === this.escape) {
        const next = t[this.pos + 1] ?? '';
        if (next === '"' || next === '$' || next === '`' || next === this.escape) {
          this.value += next;
        } else if (next !== '\n') {
          this.value += c + next;
        }
        this.pos += 2;
      } else if (c === '$') {
        this.dollar(true);
      } else if (c === '`' && this.shell) {
        this.problem('uses command substitution');
        const close = t.indexOf('`', this.pos + 1);
        this.pos = close < 0 ? t.length : close + 1;
      } else {
        this.value += c;
        this.pos++;
      }
    }
    this.pos++;
  }

  private dollar(inQuotes: boolean): void {
    const t = this.text;
    const next = t[this.pos + 1] ?? '';
    if (next === '(') {
      this.problem(
        t[this.pos + 2] === '(' ? 'uses arithmetic expansion' : 'uses command substitution',
      );
      this.pos = matchingParen(t, this.pos + 1);
      return;
    }
    if (next === '{') {
      const close = t.indexOf('}', this.pos + 2);
      const inner = t.slice(this.pos + 2, close < 0 ? t.length : close);
      this.pos = close < 0 ? t.length : close + 1;
      this.expansion(inner, inQuotes);
      return;
    }
    const name = NAME.exec(t.slice(this.pos + 1))?.[0];
    if (name !== undefined) {
      this.pos += 1 + name.length;
      this.expansion(name, inQuotes);
      return;
    }
    if (this.shell && /^[0-9?$!#*@-]$/.test(next)) {
      this.problem(`uses the shell parameter $${next}`);
      this.pos += 2;
      return;
    }
    this.value += '$';
    this.pos++;
  }

  /** `NAME`, `NAME:-word`, `NAME-word`, `NAME:+word`, `NAME+word` (what Docker supports). */
  private expansion(inner: string, inQuotes: boolean): void {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(inner);
    if (m === null) {
      this.problem(`uses \${${inner}}, which is not converted`);
      return;
    }
    const name = m[1] ?? '';
    const op = m[2];
    const word = m[3] ?? '';
    const value = this.opts.lookup?.(name);
    if (value === undefined) {
      this.unresolved.push(name);
      return;
    }
    let result = value;
    if (op === ':-' && value === '') result = word;
    else if (op === ':+') result = value === '' ? '' : word;
    else if (op === '+') result = word;
    if (this.shell && !inQuotes && /\s/.test(result)) {
      this.problem(`splits the value of $${name} into words`);
    }
    this.value += result;
  }

  private problem(reason: string): void {
    if (!this.problems.includes(reason)) this.problems.push(reason);
  }

  private begin(): void {
    if (this.start < 0) this.start = this.pos;
  }

  private finish(): void {
    if (this.start < 0) return;
    this.tokens.push({
      kind: 'word',
      value: this.value,
      start: this.start,
      end: this.pos,
      quoted: this.quoted,
      glob: this.glob,
      unresolved: this.unresolved,
      problems: this.problems,
    });
    this.value = '';
    this.start = -1;
    this.quoted = false;
    this.glob = false;
    this.braceOpen = false;
    this.unresolved = [];
    this.problems = [];
  }
}

/** Position after the parenthesis that closes the one at `open`. */
function matchingParen(t: string, open: number): number {
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')' && --depth === 0) return i + 1;
  }
  return t.length;
}
