// SPDX-License-Identifier: Apache-2.0
// smol-toml gives values but no positions. This scanner walks the (already validated) TOML text once and
// records, for every value path, where its key (or array element) starts, where each table header is,
// and the extent of every string value, so diagnostics can point into the file (01 §1.3).
import { formatJsonPath, type PathSegment } from '../json/index.js';
import type { Segments } from './tree.js';
import { decodeTomlString, type StringKind } from './toml-string.js';

/** 1-based line and column, the column counted in code points. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface StringSpan {
  /** Offset of the first character after the opening delimiter. */
  readonly start: number;
  /** Offset of the closing delimiter. */
  readonly end: number;
  readonly kind: StringKind;
}

const START: Position = { line: 1, column: 1 };

/** Where things are in one TOML document. Offsets are UTF-16 indexes into the text. */
export class TomlLocations {
  /** Path text → offset of the key, or of the array element. */
  readonly keys = new Map<string, number>();
  /** Path text → offset of the `[header]` / `[[header]]` that opened the table. */
  readonly headers = new Map<string, number>();
  readonly strings = new Map<string, StringSpan>();
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1))
      this.lineStarts.push(i + 1);
  }

  positionOf(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    const start = this.lineStarts[lo] ?? 0;
    let column = 1;
    for (let i = start; i < offset; i++) {
      const unit = this.text.charCodeAt(i);
      // A low surrogate after a high one is the second half of one code point.
      if (unit >= 0xdc00 && unit <= 0xdfff && i > start) {
        const prev = this.text.charCodeAt(i - 1);
        if (prev >= 0xd800 && prev <= 0xdbff) continue;
      }
      column++;
    }
    return { line: lo + 1, column };
  }

  /**
   * Position for a diagnostic at `path`: its key when it exists in the text; for a missing field (or an
   * unknown path) the nearest enclosing table header, else the nearest located ancestor, else 1:1.
   */
  positionFor(path: Segments, missing = false): Position {
    if (!missing) {
      const own = this.keys.get(formatJsonPath(path));
      if (own !== undefined) return this.positionOf(own);
    }
    for (let n = path.length - 1; n >= 1; n--) {
      const text = formatJsonPath(path.slice(0, n));
      const at = this.headers.get(text) ?? this.keys.get(text);
      if (at !== undefined) return this.positionOf(at);
    }
    return START;
  }

  /**
   * Position of the character at `offset` inside the parsed string value at `path`, when the text of the
   * value in the file decodes to exactly `value` (no templates were substituted).
   */
  positionInString(path: Segments, value: string, offset: number): Position | undefined {
    const span = this.strings.get(formatJsonPath(path));
    if (span === undefined) return undefined;
    const decoded = decodeTomlString(this.text, span.start, span.end, span.kind);
    if (decoded.value !== value) return undefined;
    return this.positionOf(decoded.sources[offset] ?? span.end);
  }
}

/** Scans `text`, which smol-toml has already accepted, and returns the locations of its keys and values. */
export function locateToml(text: string): TomlLocations {
  const locations = new TomlLocations(text);
  try {
    new Scanner(text, locations).run();
  } catch (err) {
    // Partial locations are still useful; positions fall back to enclosing tables or 1:1.
    if (!(err instanceof StopScan)) throw err;
  }
  return locations;
}

class StopScan extends Error {}

const BARE_KEY = /[A-Za-z0-9_-]+/y;

class Scanner {
  private i = 0;
  private readonly arrayTables = new Map<string, number>();

  constructor(
    private readonly s: string,
    private readonly loc: TomlLocations,
  ) {}

  run(): void {
    let table: PathSegment[] = [];
    for (;;) {
      this.skipBlank(true);
      if (this.i >= this.s.length) return;
      if (this.s[this.i] === '[') table = this.header();
      else this.keyValue(table);
    }
  }

  private header(): PathSegment[] {
    const start = this.i;
    const array = this.s[this.i + 1] === '[';
    this.i += array ? 2 : 1;
    const keys = this.dottedKey();
    this.skipBlank(false);
    this.expect(array ? ']]' : ']');
    const path: PathSegment[] = [];
    keys.forEach((key, n) => {
      path.push(key.name);
      this.mark(path, key.at);
      const isLast = n === keys.length - 1;
      const count = this.arrayTables.get(formatJsonPath(path));
      if (isLast && array) {
        const index = count ?? 0;
        this.arrayTables.set(formatJsonPath(path), index + 1);
        path.push(index);
        this.mark(path, start);
      } else if (!isLast && count !== undefined) {
        path.push(count - 1);
      }
    });
    const text = formatJsonPath(path);
    if (!this.loc.headers.has(text)) this.loc.headers.set(text, start);
    return path;
  }

  private keyValue(base: readonly PathSegment[]): void {
    const path = [...base];
    for (const key of this.dottedKey()) {
      path.push(key.name);
      this.mark(path, key.at);
    }
    this.skipBlank(false);
    this.expect('=');
    this.skipBlank(false);
    this.value(path);
  }

  private value(path: readonly PathSegment[]): void {
    const ch = this.s[this.i];
    if (ch === '"' || ch === "'") {
      const span = this.string();
      this.loc.strings.set(formatJsonPath(path), span);
    } else if (ch === '[') {
      this.i++;
      for (let index = 0; ; index++) {
        this.skipBlank(true);
        if (this.s[this.i] === ']') break;
        this.guard();
        const element = [...path, index];
        this.mark(element, this.i);
        this.value(element);
        this.skipBlank(true);
        if (this.s[this.i] === ',') this.i++;
      }
      this.i++;
    } else if (ch === '{') {
      this.i++;
      for (;;) {
        this.skipBlank(true);
        if (this.s[this.i] === '}') break;
        this.guard();
        this.keyValue(path);
        this.skipBlank(true);
        if (this.s[this.i] === ',') this.i++;
      }
      this.i++;
    } else {
      // Numbers, booleans and dates (which may contain a space) end at a separator or a comment.
      const start = this.i;
      while (this.i < this.s.length && !',]}\n\r#'.includes(this.s[this.i] ?? '')) this.i++;
      if (this.i === start) throw new StopScan();
    }
  }

  private string(): StringSpan {
    const s = this.s;
    const quote = s[this.i] ?? '';
    const multiline = s.startsWith(quote.repeat(3), this.i);
    const basic = quote === '"';
    const kind: StringKind = multiline
      ? basic
        ? 'multiline-basic'
        : 'multiline-literal'
      : basic
        ? 'basic'
        : 'literal';
    const start = this.i + (multiline ? 3 : 1);
    let j = start;
    while (j < s.length) {
      const c = s[j];
      if (basic && c === '\\') {
        j += 2;
      } else if (c === quote && (!multiline || s.startsWith(quote.repeat(3), j))) {
        break;
      } else {
        j++;
      }
    }
    if (j >= s.length) throw new StopScan();
    if (!multiline) {
      this.i = j + 1;
      return { start, end: j, kind };
    }
    // Up to two quotes right before the closing delimiter belong to the content.
    let run = 0;
    while (run < 5 && s[j + run] === quote) run++;
    this.i = j + run;
    return { start, end: j + run - 3, kind };
  }

  private dottedKey(): { name: string; at: number }[] {
    const keys: { name: string; at: number }[] = [];
    for (;;) {
      this.skipBlank(false);
      const at = this.i;
      const ch = this.s[this.i];
      let name: string;
      if (ch === '"' || ch === "'") {
        const span = this.string();
        name = decodeTomlString(this.s, span.start, span.end, span.kind).value;
      } else {
        BARE_KEY.lastIndex = this.i;
        const match = BARE_KEY.exec(this.s);
        if (match === null) throw new StopScan();
        name = match[0];
        this.i += name.length;
      }
      keys.push({ name, at });
      this.skipBlank(false);
      if (this.s[this.i] !== '.') return keys;
      this.i++;
    }
  }

  private mark(path: readonly PathSegment[], offset: number): void {
    const text = formatJsonPath(path);
    if (!this.loc.keys.has(text)) this.loc.keys.set(text, offset);
  }

  private skipBlank(newlines: boolean): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === ' ' || c === '\t' || (newlines && (c === '\n' || c === '\r'))) {
        this.i++;
      } else if (c === '#') {
        const end = s.indexOf('\n', this.i);
        this.i = end < 0 ? s.length : newlines ? end + 1 : end;
      } else {
        return;
      }
    }
  }

  private expect(token: string): void {
    if (!this.s.startsWith(token, this.i)) throw new StopScan();
    this.i += token.length;
  }

  private guard(): void {
    if (this.i >= this.s.length) throw new StopScan();
  }
}
