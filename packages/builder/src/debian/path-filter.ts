// SPDX-License-Identifier: Apache-2.0
// dpkg's --path-exclude / --path-include (dpkg(1), src/main/filters.c), as a pure function.
import type { FileType } from '@verified-container/shared/image';

export interface PathRule {
  readonly kind: 'exclude' | 'include';
  /** An fnmatch(3) glob without flags: `*` and `?` also match `/`, a leading `.` is not special. */
  readonly pattern: string;
}

/**
 * Translates an fnmatch(3) pattern (flags 0) to a RegExp: `*` any string, `?` any character
 * (both including `/`), `[…]` bracket expressions with ranges, `!`/`^` negation and POSIX classes,
 * `\x` the literal x. An unterminated `[` is a literal `[`, as in glibc.
 */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] ?? '';
    if (c === '*') {
      re += '[\\s\\S]*';
      i++;
    } else if (c === '?') {
      re += '[\\s\\S]';
      i++;
    } else if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRe(pattern[i + 1] ?? '');
      i += 2;
    } else if (c === '[') {
      const bracket = parseBracket(pattern, i);
      if (bracket === undefined) {
        re += '\\[';
        i++;
      } else {
        re += bracket.re;
        i = bracket.end;
      }
    } else {
      re += escapeRe(c);
      i++;
    }
  }
  return new RegExp(`^${re}$`, 'u');
}

const CLASSES: Readonly<Record<string, string>> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  print: ' -~',
  graph: '!-~',
  cntrl: '\\x00-\\x1f\\x7f',
};

function parseBracket(pattern: string, start: number): { re: string; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (pattern[i] === '!' || pattern[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  let first = true;
  while (i < pattern.length) {
    const c = pattern[i] ?? '';
    if (c === ']' && !first) {
      return { re: `[${negate ? '^' : ''}${body}]`, end: i + 1 };
    }
    first = false;
    if (c === '[' && pattern[i + 1] === ':') {
      const close = pattern.indexOf(':]', i + 2);
      const cls = close === -1 ? undefined : CLASSES[pattern.slice(i + 2, close)];
      if (cls !== undefined) {
        body += cls;
        i = close + 2;
        continue;
      }
    }
    if (c === '\\' && i + 1 < pattern.length) {
      body += escapeClass(pattern[i + 1] ?? '');
      i += 2;
      continue;
    }
    if (pattern[i + 1] === '-' && pattern[i + 2] !== undefined && pattern[i + 2] !== ']') {
      body += `${escapeClass(c)}-${escapeClass(pattern[i + 2] ?? '')}`;
      i += 3;
      continue;
    }
    body += escapeClass(c);
    i++;
  }
  return undefined;
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function escapeClass(c: string): string {
  return /[\]\\^-]/.test(c) ? `\\${c}` : c;
}

/** fnmatch(pattern, path, 0) === 0. */
export function fnmatch(pattern: string, path: string): boolean {
  return compiled(pattern).test(path);
}

const cache = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = globToRegExp(pattern);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/**
 * dpkg's decision for one archive member (`path` absolute, no trailing `/`): the last matching
 * rule wins; an excluded directory or symlink is still unpacked when an include rule's literal
 * prefix (up to its first `*?[\`) is a prefix of the path, so included files keep their parents.
 */
export function shouldSkipPath(rules: readonly PathRule[], path: string, type: FileType): boolean {
  let skip = false;
  for (const rule of rules) {
    if (fnmatch(rule.pattern, path)) skip = rule.kind === 'exclude';
  }
  if (skip && (type === 'd' || type === 'l')) {
    for (const rule of rules) {
      if (rule.kind !== 'include') continue;
      const wildcard = rule.pattern.search(/[*?[\\]/);
      const prefix = wildcard === -1 ? rule.pattern : rule.pattern.slice(0, wildcard);
      if (path.startsWith(prefix)) return false;
    }
  }
  return skip;
}

/** A compiled rule list. */
export class PathFilter {
  constructor(readonly rules: readonly PathRule[]) {}

  /** True when the member is not unpacked. */
  skips(path: string, type: FileType): boolean {
    return this.rules.length > 0 && shouldSkipPath(this.rules, path, type);
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }
}

/**
 * The `path-exclude`/`path-include` options of a dpkg configuration file (dpkg.cfg(5): one long
 * option per line without `--`, value after `=` or blanks; `#` comments). Other options are ignored.
 */
export function parseDpkgCfg(text: string): PathRule[] {
  const rules: PathRule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:--)?(path-exclude|path-include)(?:\s*=\s*|\s+)(\S.*)$/.exec(line);
    if (m === null) continue;
    rules.push({
      kind: m[1] === 'path-exclude' ? 'exclude' : 'include',
      pattern: (m[2] ?? '').trim(),
    });
  }
  return rules;
}

/**
 * The rules that apply to an installation (01 §5.3): the base's `/etc/dpkg/dpkg.cfg.d/*` files
 * (in file-name order, as dpkg reads them), then the manifest's excludes, then its includes. With
 * this order a manifest path is skipped exactly when it matches an exclude and no include.
 */
export function installPathRules(opts: {
  readonly baseConfigFiles?: readonly { name: string; text: string }[];
  readonly exclude?: readonly string[];
  readonly include?: readonly string[];
}): PathRule[] {
  const files = [...(opts.baseConfigFiles ?? [])].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return [
    ...files.flatMap((f) => parseDpkgCfg(f.text)),
    ...(opts.exclude ?? []).map((pattern) => ({ kind: 'exclude' as const, pattern })),
    ...(opts.include ?? []).map((pattern) => ({ kind: 'include' as const, pattern })),
  ];
}

/** The text of a `dpkg.cfg.d` file holding rules (what a `-slim` base writes to `excludes`). */
export function formatDpkgCfg(rules: readonly PathRule[]): string {
  return rules.map((r) => `path-${r.kind}=${r.pattern}\n`).join('');
}
