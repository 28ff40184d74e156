// SPDX-License-Identifier: Apache-2.0
// Debian control-file syntax (deb822): Packages indexes, control files, dpkg status, DEP-5.

/** One `Name: value` field. Continuation lines stay in `value` verbatim (`"first\n second"`). */
export interface ControlField {
  readonly name: string;
  /**
   * Text after the colon with the first line's surrounding blanks removed; every continuation line
   * follows after `\n` with its leading blank kept, so writing `Name: value` gives the field back.
   * A field whose first line is empty (`Conffiles:`) starts with `\n`.
   */
  readonly value: string;
}

/** A paragraph (stanza): fields in file order, looked up case-insensitively. */
export class ControlParagraph {
  readonly fields: readonly ControlField[];
  private readonly index: ReadonlyMap<string, ControlField>;

  constructor(fields: readonly ControlField[]) {
    this.fields = fields;
    const index = new Map<string, ControlField>();
    for (const f of fields) {
      const key = f.name.toLowerCase();
      if (!index.has(key)) index.set(key, f);
    }
    this.index = index;
  }

  /** Raw value (continuation lines included), or undefined when the field is absent. */
  get(name: string): string | undefined {
    return this.index.get(name.toLowerCase())?.value;
  }

  has(name: string): boolean {
    return this.index.has(name.toLowerCase());
  }

  /** The first line of a field, trimmed ('' when absent). */
  first(name: string): string {
    const value = this.get(name);
    if (value === undefined) return '';
    const nl = value.indexOf('\n');
    return (nl === -1 ? value : value.slice(0, nl)).trim();
  }

  /** A folded field (Depends, Provides) as one line: continuation lines joined with a space. */
  folded(name: string): string {
    const value = this.get(name);
    if (value === undefined) return '';
    return value
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .join(' ');
  }
}

export interface ParseControlOptions {
  /** Skip lines starting with `#` (debian/control, DEP-5 in the wild). Default false. */
  readonly comments?: boolean;
}

/** Thrown for text that is not deb822; callers turn it into their own error code. */
export class ControlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'ControlSyntaxError';
  }
}

const FIELD = /^([!-9;-~][!-9;-~]*):(.*)$/;

/**
 * Parses deb822 text into paragraphs. Blank (or blank-only) lines separate paragraphs; a line
 * starting with a space or tab continues the previous field; CRLF is accepted.
 */
export function parseControl(text: string, opts: ParseControlOptions = {}): ControlParagraph[] {
  const paragraphs: ControlParagraph[] = [];
  let fields: ControlField[] = [];
  let name: string | undefined;
  let value = '';
  const flushField = () => {
    if (name !== undefined) fields.push({ name, value });
    name = undefined;
    value = '';
  };
  const flushParagraph = () => {
    flushField();
    if (fields.length > 0) paragraphs.push(new ControlParagraph(fields));
    fields = [];
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (/^[ \t]*$/.test(line)) {
      flushParagraph();
      continue;
    }
    if (opts.comments === true && line.startsWith('#')) continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (name === undefined) {
        throw new ControlSyntaxError('continuation line outside a field', i + 1);
      }
      value += `\n${line}`;
      continue;
    }
    const m = FIELD.exec(line);
    if (m === null) throw new ControlSyntaxError(`not a field: ${JSON.stringify(line)}`, i + 1);
    flushField();
    name = m[1] ?? '';
    value = (m[2] ?? '').trim();
  }
  flushParagraph();
  return paragraphs;
}

/** One field as a line (or lines): the inverse of the parser's value form. */
export function formatField(field: ControlField): string {
  return field.value.startsWith('\n') || field.value === ''
    ? `${field.name}:${field.value}`
    : `${field.name}: ${field.value}`;
}

/** A paragraph's text, each line ending in LF (no separating blank line). */
export function formatParagraph(fields: readonly ControlField[]): string {
  return fields.map((f) => `${formatField(f)}\n`).join('');
}
