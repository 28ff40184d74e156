// SPDX-License-Identifier: Apache-2.0
// Dockerfile syntax as BuildKit's frontend reads it: parser directives, comments, line continuations,
// heredocs, `--flag=value` options and the exec (JSON array) form. Nothing is interpreted here.

export type EscapeChar = '\\' | '`';

export interface InstructionFlag {
  /** Without the leading `--`. */
  readonly name: string;
  /** undefined for a bare `--flag`. */
  readonly value: string | undefined;
}

export interface Heredoc {
  readonly delimiter: string;
  readonly body: string;
}

export interface DockerfileInstruction {
  /** 1-based line of the keyword. */
  readonly line: number;
  /** Last line of the instruction, continuation lines and heredoc bodies included. */
  readonly endLine: number;
  /** The keyword in upper case (`FROM`, `RUN`, or whatever unknown word was written). */
  readonly keyword: string;
  /** The leading `--name[=value]` options. */
  readonly flags: readonly InstructionFlag[];
  /** The arguments after the options, continuation lines joined (escape and newline removed). */
  readonly args: string;
  /** The arguments as an argv when written in exec form (a JSON array of strings). */
  readonly exec?: readonly string[];
  /** Heredocs opened by the instruction (`<<EOF` … `EOF`), in order. */
  readonly heredocs: readonly Heredoc[];
  /** The escape character in effect (`# escape=` directive). */
  readonly escape: EscapeChar;
  /** Where each physical line starts in `args`, ascending (the first may be negative: options). */
  readonly lineStarts: readonly LineStart[];
  /** The instruction on one line, whitespace collapsed, for messages. */
  readonly text: string;
}

export interface LineStart {
  readonly offset: number;
  readonly line: number;
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const HEREDOC_WORD = /^[0-9]*<<(-?)(["']?)([^\s"'<>]+)\2$/;
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

/**
 * Splits a Dockerfile into instructions with their line numbers. Never throws: an invalid `# escape=`
 * value is ignored (as unknown directives are), and a heredoc without its delimiter runs to the end.
 */
export function parseDockerfile(text: string): DockerfileInstruction[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let escape: EscapeChar = '\\';
  let i = 0;
  // Parser directives are only recognised before anything else, comments and blank lines included.
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i] ?? '');
    if (m === null) break;
    if (m[1]?.toLowerCase() === 'escape' && (m[2] === '\\' || m[2] === '`')) escape = m[2];
  }
  const continuation = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  const instructions: DockerfileInstruction[] = [];
  while (i < lines.length) {
    const first = (lines[i] ?? '').trimStart();
    if (first === '' || first.startsWith('#')) {
      i++;
      continue;
    }
    const startLine = i + 1;
    let logical = '';
    const pieces: LineStart[] = [];
    let current = first;
    let lastLine = startLine;
    for (;;) {
      const cont = continuation.exec(current);
      pieces.push({ offset: logical.length, line: lastLine });
      logical += cont === null ? current : current.slice(0, cont.index);
      i++;
      if (cont === null) break;
      // Comment and blank lines inside a continued instruction are skipped.
      while (i < lines.length && isSkippable(lines[i] ?? '')) i++;
      if (i >= lines.length) break;
      current = lines[i] ?? '';
      lastLine = i + 1;
    }
    const parsed = splitInstruction(logical);
    const heredocs: Heredoc[] = [];
    if (HEREDOC_KEYWORDS.has(parsed.keyword)) {
      for (const word of parsed.args.split(/\s+/)) {
        const m = HEREDOC_WORD.exec(word);
        if (m === null) continue;
        const strip = m[1] === '-';
        const delimiter = m[3] ?? '';
        const body: string[] = [];
        while (i < lines.length) {
          const l = lines[i] ?? '';
          i++;
          lastLine = i;
          if ((strip ? l.replace(/^\t+/, '') : l) === delimiter) break;
          body.push(l);
        }
        heredocs.push({ delimiter, body: body.length === 0 ? '' : `${body.join('\n')}\n` });
      }
    }
    const exec = parsed.keyword === 'HEALTHCHECK' ? undefined : parseExecForm(parsed.args);
    instructions.push({
      line: startLine,
      endLine: lastLine,
      keyword: parsed.keyword,
      flags: parsed.flags,
      args: parsed.args,
      ...(exec !== undefined ? { exec } : {}),
      heredocs,
      escape,
      lineStarts: pieces.map((p) => ({ offset: p.offset - parsed.argsStart, line: p.line })),
      text: logical.replace(/\s+/g, ' ').trim(),
    });
  }
  return instructions;
}

/** An argv when `text` is a JSON array of strings (the exec form), else undefined (shell form). */
export function parseExecForm(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/** The line of the character at `offset` in the instruction's `args`. */
export function lineAt(instruction: DockerfileInstruction, offset: number): number {
  let line = instruction.line;
  for (const start of instruction.lineStarts) {
    if (start.offset > offset) break;
    line = start.line;
  }
  return line;
}

function isSkippable(line: string): boolean {
  const t = line.trimStart();
  return t === '' || t.startsWith('#');
}

interface SplitInstruction {
  keyword: string;
  flags: InstructionFlag[];
  args: string;
  /** Offset of `args` in the logical line. */
  argsStart: number;
}

function splitInstruction(logical: string): SplitInstruction {
  const keywordEnd = logical.search(/\s|$/);
  const keyword = logical.slice(0, keywordEnd).toUpperCase();
  let pos = keywordEnd;
  const flags: InstructionFlag[] = [];
  for (;;) {
    while (pos < logical.length && /\s/.test(logical[pos] ?? '')) pos++;
    if (!logical.startsWith('--', pos)) break;
    const end = wordEnd(logical, pos);
    const word = logical.slice(pos, end);
    pos = end;
    if (word === '--') break;
    const eq = word.indexOf('=');
    flags.push(
      eq < 0
        ? { name: word.slice(2), value: undefined }
        : { name: word.slice(2, eq), value: unquote(word.slice(eq + 1)) },
    );
  }
  return { keyword, flags, args: logical.slice(pos).trimEnd(), argsStart: pos };
}

/** End of the whitespace-delimited word at `pos`, quotes respected. */
function wordEnd(s: string, pos: number): number {
  let quote: string | undefined;
  let i = pos;
  for (; i < s.length; i++) {
    const c = s[i] ?? '';
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (/\s/.test(c)) {
      break;
    }
  }
  return i;
}

function unquote(value: string): string {
  return value.replace(/(["'])(.*?)\1/g, '$2');
}
