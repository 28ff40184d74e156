// SPDX-License-Identifier: Apache-2.0
import { JsonError } from './json-error.js';
import { formatJsonPath, type PathSegment } from './json-path.js';
import { hasLoneSurrogate } from './surrogates.js';

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface ParseJsonOptions {
  /**
   * `strict` (02 §1, every verify/validate path): duplicate member names, lone surrogates and
   * (with `integersOnly`) fractions, exponents and |n| > 2^53−1 are rejected.
   * `ecma`: ECMA-262 `JSON.parse` semantics (last duplicate wins, any finite number); duplicates are
   * reported through `onDuplicate`. Only `cerro-torre canonicalize` uses it.
   */
  readonly mode?: 'strict' | 'ecma';
  /** Strict mode: every number must be a safe integer (signed documents). Default true. */
  readonly integersOnly?: boolean;
  /** Maximum nesting of arrays and objects. Default 128. */
  readonly maxDepth?: number;
  /** Maximum input size in bytes (UTF-8). Default unlimited. */
  readonly maxBytes?: number;
  readonly onDuplicate?: (key: string, path: string) => void;
}

export const DEFAULT_MAX_JSON_DEPTH = 128;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 bytes, rejecting invalid sequences and a byte-order mark. */
export function decodeJsonText(input: Uint8Array | string, maxBytes = Infinity): string {
  if (typeof input !== 'string' && input.byteLength > maxBytes) {
    throw new JsonError('too-large', `document is larger than ${maxBytes} bytes`, '$', 0);
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = utf8.decode(input);
    } catch (cause) {
      throw new JsonError('encoding', `document is not valid UTF-8 (${String(cause)})`, '$', 0);
    }
  }
  if (text.charCodeAt(0) === 0xfeff) {
    throw new JsonError('bom', 'document starts with a byte-order mark', '$', 0);
  }
  return text;
}

/**
 * Parses RFC 8259 JSON with the rejections signed input needs (02 §1). Throws {@link JsonError}.
 * Objects are created with normal prototypes but members are defined, never assigned, so
 * `__proto__` is an ordinary key.
 */
export function parseJson(input: Uint8Array | string, opts: ParseJsonOptions = {}): JsonValue {
  const text = decodeJsonText(input, opts.maxBytes);
  return new Parser(text, opts).parseDocument();
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
/** A run of string characters needing no attention: no quote, backslash or control character. */
// eslint-disable-next-line no-control-regex -- control characters end the run (then rejected)
const PLAIN = /[^"\\\u0000-\u001f]*/y;

class Parser {
  private pos = 0;
  private readonly path: PathSegment[] = [];
  private readonly strict: boolean;
  private readonly integersOnly: boolean;
  private readonly maxDepth: number;

  constructor(
    private readonly text: string,
    private readonly opts: ParseJsonOptions,
  ) {
    this.strict = (opts.mode ?? 'strict') === 'strict';
    this.integersOnly = this.strict && (opts.integersOnly ?? true);
    this.maxDepth = opts.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  }

  parseDocument(): JsonValue {
    this.skipWs();
    const value = this.parseValue(0);
    this.skipWs();
    if (this.pos < this.text.length) this.fail('syntax', 'unexpected data after the JSON value');
    return value;
  }

  private fail(reason: ConstructorParameters<typeof JsonError>[0], message: string): never {
    const { line, column } = lineColumn(this.text, this.pos);
    throw new JsonError(
      reason,
      `${message} at line ${line} column ${column}`,
      formatJsonPath(this.path),
      this.pos,
    );
  }

  private skipWs(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  private parseValue(depth: number): JsonValue {
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.parseObject(depth + 1);
      case '[':
        return this.parseArray(depth + 1);
      case '"':
        return this.parseString();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case undefined:
        return this.fail('syntax', 'unexpected end of input');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.parseNumber();
        return this.fail('syntax', `unexpected character ${JSON.stringify(c)}`);
    }
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('syntax', 'invalid literal');
    this.pos += word.length;
    return value;
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) this.fail('too-deep', `nesting deeper than ${this.maxDepth}`);
  }

  private parseObject(depth: number): { [key: string]: JsonValue } {
    this.enter(depth);
    this.pos++;
    const obj: { [key: string]: JsonValue } = {};
    this.skipWs();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.skipWs();
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('syntax', 'expected a member name');
      const keyStart = this.pos;
      const key = this.parseString();
      this.skipWs();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail('syntax', 'expected ":"');
      this.pos++;
      this.skipWs();
      this.path.push(key);
      // every member is an own property once read: that is the duplicate check
      if (Object.hasOwn(obj, key)) {
        if (this.strict) {
          this.pos = keyStart;
          this.fail('duplicate-key', `duplicate member name ${JSON.stringify(key)}`);
        }
        this.opts.onDuplicate?.(key, formatJsonPath(this.path));
      }
      const value = this.parseValue(depth);
      this.path.pop();
      if (key === '__proto__') {
        // defined, never assigned: an ordinary member, not the prototype
        Object.defineProperty(obj, key, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      } else {
        obj[key] = value;
      }
      this.skipWs();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x7d) return obj;
      if (c !== 0x2c) {
        this.pos--;
        this.fail('syntax', 'expected "," or "}"');
      }
    }
  }

  private parseArray(depth: number): JsonValue[] {
    this.enter(depth);
    this.pos++;
    const arr: JsonValue[] = [];
    this.skipWs();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return arr;
    }
    for (;;) {
      this.skipWs();
      this.path.push(arr.length);
      arr.push(this.parseValue(depth));
      this.path.pop();
      this.skipWs();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x5d) return arr;
      if (c !== 0x2c) {
        this.pos--;
        this.fail('syntax', 'expected "," or "]"');
      }
    }
  }

  private parseNumber(): number {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) return this.fail('syntax', 'invalid number');
    const raw = m[0];
    const value = Number(raw);
    if (this.integersOnly) {
      if (m[1] !== undefined || m[2] !== undefined) {
        this.fail('unsafe-number', `number ${raw} is not an integer`);
      }
      if (!Number.isSafeInteger(value)) {
        this.fail('unsafe-number', `integer ${raw} is outside ±(2^53−1)`);
      }
    } else if (!Number.isFinite(value)) {
      this.fail('non-finite-number', `number ${raw} is not finite`);
    }
    this.pos += raw.length;
    return value;
  }

  private parseString(): string {
    let out = '';
    let chunk = ++this.pos;
    for (;;) {
      // skip a run of plain characters natively: base64 payloads are megabytes of them
      PLAIN.lastIndex = this.pos;
      PLAIN.test(this.text);
      this.pos = PLAIN.lastIndex;
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) {
        out += this.text.slice(chunk, this.pos);
        this.pos++;
        break;
      }
      if (code === 0x5c) {
        out += this.text.slice(chunk, this.pos);
        out += this.parseEscape();
        chunk = this.pos;
        continue;
      }
      if (Number.isNaN(code)) this.fail('syntax', 'unterminated string');
      this.fail('syntax', 'unescaped control character in string');
    }
    if (hasLoneSurrogate(out)) this.fail('lone-surrogate', 'string holds a lone surrogate');
    return out;
  }

  private parseEscape(): string {
    const c = this.text[this.pos + 1];
    this.pos += 2;
    switch (c) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const hex = this.text.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('syntax', 'invalid \\u escape');
        this.pos += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      case undefined:
      default:
        this.pos -= 2;
        return this.fail('syntax', 'invalid escape');
    }
  }
}

/** 1-based line and column (UTF-16 units) of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
