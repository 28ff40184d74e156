// SPDX-License-Identifier: Apache-2.0
// The `custom-policy` TE subset of 01 §2.3:
//   allow|auditallow|dontaudit <src> <tgt>:<class> <perms>;   type <name>;
// with `{ id … }` sets, `self` as a target and `#` comments. Parsing is for validation and `explain`;
// the builder compiles the result to CIL.
import { selinuxPermissions } from './selinux-classes.js';

export type RuleKind = 'allow' | 'auditallow' | 'dontaudit';

export interface PolicyRule {
  readonly kind: RuleKind;
  readonly sources: readonly string[];
  readonly targets: readonly string[];
  readonly classes: readonly string[];
  readonly permissions: readonly string[];
}

export interface PolicyProblem {
  /** UTF-16 offset in the policy text. */
  readonly offset: number;
  readonly message: string;
}

export interface ParsedPolicy {
  readonly rules: readonly PolicyRule[];
  readonly types: readonly string[];
  readonly problems: readonly PolicyProblem[];
}

interface Token {
  readonly text: string;
  readonly offset: number;
}

const TOKEN = /[A-Za-z_][A-Za-z0-9_]*|[{}:;]|[^\sA-Za-z_{}:;#]+/y;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else {
      TOKEN.lastIndex = i;
      const m = TOKEN.exec(text);
      const token = m?.[0] ?? c;
      tokens.push({ text: token, offset: i });
      i += token.length;
    }
  }
  return tokens;
}

class StatementError extends Error {
  constructor(readonly problem: PolicyProblem) {
    super(problem.message);
  }
}

/** Parses and checks a custom policy; every statement is checked, problems are collected. */
export function parsePolicy(text: string): ParsedPolicy {
  const tokens = tokenize(text);
  const rules: PolicyRule[] = [];
  const types: string[] = [];
  const problems: PolicyProblem[] = [];
  let i = 0;
  const end = text.length;

  const fail = (token: Token | undefined, message: string): never => {
    throw new StatementError({ offset: token?.offset ?? end, message });
  };
  const next = (): Token | undefined => tokens[i++];
  const ident = (what: string): Token => {
    const t = next();
    if (t === undefined) return fail(t, `expected ${what}, found the end of the policy`);
    if (!IDENT.test(t.text)) return fail(t, `expected ${what}, found "${t.text}"`);
    return t;
  };
  const set = (what: string): Token[] => {
    if (tokens[i]?.text !== '{') return [ident(what)];
    i++;
    const items: Token[] = [];
    while (tokens[i]?.text !== '}') items.push(ident(what));
    i++;
    if (items.length === 0) fail(tokens[i - 1], `empty { } where ${what} names were expected`);
    return items;
  };
  const expect = (symbol: string): void => {
    const t = next();
    if (t?.text !== symbol) {
      fail(t, `expected "${symbol}", found ${t ? `"${t.text}"` : 'the end of the policy'}`);
    }
  };

  while (i < tokens.length) {
    const start = i;
    try {
      const head = next();
      if (head?.text === 'type') {
        types.push(ident('a type name').text);
        expect(';');
      } else if (
        head?.text === 'allow' ||
        head?.text === 'auditallow' ||
        head?.text === 'dontaudit'
      ) {
        const sources = set('a source type');
        const self = sources.find((s) => s.text === 'self');
        if (self !== undefined) fail(self, '"self" is only allowed as a target');
        const targets = set('a target type');
        expect(':');
        const classes = set('a class');
        const permissions = set('a permission');
        expect(';');
        problems.push(...checkAccess(classes, permissions));
        rules.push({
          kind: head.text,
          sources: sources.map((t) => t.text),
          targets: targets.map((t) => t.text),
          classes: classes.map((t) => t.text),
          permissions: permissions.map((t) => t.text),
        });
      } else {
        fail(
          head,
          `unknown statement "${head?.text ?? ''}"; expected allow, auditallow, dontaudit or type`,
        );
      }
    } catch (err) {
      if (!(err instanceof StatementError)) throw err;
      problems.push(err.problem);
      // Resume after the next ";" so later statements are still checked.
      i = Math.max(i, start + 1);
      while (i < tokens.length && tokens[i - 1]?.text !== ';') i++;
    }
  }
  return { rules, types, problems };
}

function checkAccess(classes: readonly Token[], permissions: readonly Token[]): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const cls of classes) {
    const allowed = selinuxPermissions(cls.text);
    if (allowed === undefined) {
      problems.push({ offset: cls.offset, message: `unknown class "${cls.text}"` });
      continue;
    }
    for (const perm of permissions) {
      if (!allowed.has(perm.text)) {
        problems.push({
          offset: perm.offset,
          message: `unknown permission "${perm.text}" for class ${cls.text}`,
        });
      }
    }
  }
  return problems;
}
