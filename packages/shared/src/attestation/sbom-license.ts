// SPDX-License-Identifier: Apache-2.0

/**
 * An SPDX 2.3 licence expression (SPDX 2.3 Annex D). `WITH` binds tighter than `AND`, which binds
 * tighter than `OR`; `AND`/`OR` are left-associative.
 */
export type LicenseExpression =
  | { readonly kind: 'license'; readonly id: string; readonly orLater: boolean }
  | { readonly kind: 'license-ref'; readonly id: string; readonly documentRef?: string }
  | {
      readonly kind: 'with';
      readonly license: LicenseExpression & { kind: 'license' | 'license-ref' };
      readonly exception: string;
    }
  | {
      readonly kind: 'and' | 'or';
      readonly left: LicenseExpression;
      readonly right: LicenseExpression;
    };

export type ParseLicenseResult =
  | { readonly ok: true; readonly expression: LicenseExpression }
  | { readonly ok: false; readonly error: string };

/**
 * A licence-list id. We ship no copy of the SPDX licence list, so any `idstring` of Annex D
 * (`[A-Za-z0-9.-]+`) is accepted as a list id or exception id; only `LicenseRef-` ids are checked
 * against the document (`hasExtractedLicensingInfos`).
 */
const ID = /^[A-Za-z0-9.-]+$/;
const LICENSE_REF = /^(?:DocumentRef-([A-Za-z0-9.-]+):)?LicenseRef-[A-Za-z0-9.-]+$/;
const OPERATORS = new Set(['AND', 'OR', 'WITH']);

/**
 * Parses an SPDX 2.3 licence expression: ids (optionally `+`), `LicenseRef-…` and
 * `DocumentRef-…:LicenseRef-…`, `WITH <exception>`, `AND`, `OR` and parentheses. Operators are
 * matched case-sensitively (Annex D). `NOASSERTION` and `NONE` are field values, not expressions:
 * callers accept them before calling this.
 */
export function parseLicenseExpression(text: string): ParseLicenseResult {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { ok: false, error: 'empty licence expression' };
  const parser = new ExpressionParser(tokens);
  try {
    const expression = parser.parseOr();
    if (!parser.atEnd()) parser.fail(`unexpected ${JSON.stringify(parser.peek())}`);
    return { ok: true, expression };
  } catch (err) {
    if (err instanceof LicenseSyntaxError) return { ok: false, error: err.message };
    throw err;
  }
}

/** The `LicenseRef-…` ids (without a `DocumentRef-` prefix) an expression uses, in order. */
export function localLicenseRefs(expression: LicenseExpression): string[] {
  switch (expression.kind) {
    case 'license':
      return [];
    case 'license-ref':
      return expression.documentRef === undefined ? [expression.id] : [];
    case 'with':
      return localLicenseRefs(expression.license);
    case 'and':
    case 'or':
      return [...localLicenseRefs(expression.left), ...localLicenseRefs(expression.right)];
  }
}

class LicenseSyntaxError extends Error {}

function tokenize(text: string): string[] {
  return text
    .replace(/[()]/g, ' $& ')
    .split(/[ \t\r\n]+/)
    .filter((t) => t !== '');
}

class ExpressionParser {
  private pos = 0;

  constructor(private readonly tokens: readonly string[]) {}

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  peek(): string | undefined {
    return this.tokens[this.pos];
  }

  fail(message: string): never {
    throw new LicenseSyntaxError(message);
  }

  parseOr(): LicenseExpression {
    let left = this.parseAnd();
    while (this.peek() === 'OR') {
      this.pos++;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): LicenseExpression {
    let left = this.parseWith();
    while (this.peek() === 'AND') {
      this.pos++;
      left = { kind: 'and', left, right: this.parseWith() };
    }
    return left;
  }

  private parseWith(): LicenseExpression {
    const token = this.peek();
    if (token === '(') {
      this.pos++;
      const inner = this.parseOr();
      if (this.peek() !== ')') this.fail('missing ")"');
      this.pos++;
      return inner;
    }
    const license = this.parseSimple();
    if (this.peek() !== 'WITH') return license;
    this.pos++;
    const exception = this.peek();
    if (exception === undefined || OPERATORS.has(exception) || !ID.test(exception)) {
      this.fail(`WITH must be followed by an exception id, not ${describe(exception)}`);
    }
    this.pos++;
    return { kind: 'with', license, exception };
  }

  private parseSimple(): LicenseExpression & { kind: 'license' | 'license-ref' } {
    const token = this.peek();
    if (token === undefined || token === ')' || OPERATORS.has(token)) {
      this.fail(`expected a licence id, found ${describe(token)}`);
    }
    this.pos++;
    const ref = LICENSE_REF.exec(token);
    if (ref !== null) {
      const colon = token.indexOf(':');
      return ref[1] === undefined
        ? { kind: 'license-ref', id: token }
        : { kind: 'license-ref', id: token.slice(colon + 1), documentRef: token.slice(0, colon) };
    }
    if (/(?:^|:)(?:LicenseRef|DocumentRef)-/.test(token)) {
      this.fail(`malformed licence reference ${JSON.stringify(token)}`);
    }
    if (token === 'NOASSERTION' || token === 'NONE') {
      this.fail(`${token} cannot be part of an expression`);
    }
    const orLater = token.endsWith('+');
    const id = orLater ? token.slice(0, -1) : token;
    if (!ID.test(id)) this.fail(`invalid licence id ${JSON.stringify(token)}`);
    return { kind: 'license', id, orLater };
  }
}

function describe(token: string | undefined): string {
  return token === undefined ? 'the end of the expression' : JSON.stringify(token);
}
