// SPDX-License-Identifier: Apache-2.0
// `process.env` of 05 §4.5: the image's `Env` with its `${…}` run-time variables (01 §2.1) resolved
// against the run's own variables, then the run's variables, PATH, HOSTNAME and HOME.
import { VcError } from '@verified-container/shared';

/** The default `PATH` of 02 §2. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAME_AT = /[A-Za-z_][A-Za-z0-9_]*/y;

/** The run's own variables (`-e`, `--env-file`), in the order given; a later key wins. */
export type RunVariables = ReadonlyMap<string, string>;

export interface ResolvedValue {
  readonly value: string;
  /** Names of plain `${NAME}` references that were unset (they became empty). */
  readonly unset: string[];
}

/**
 * Expands `${NAME}`, `${NAME:-d}`, `${NAME-d}`, `${NAME:?msg}`, `${NAME?msg}` and `$$` once, against
 * `vars` only (never vordr's own environment). `:-`/`:?` treat an empty value like an unset one.
 * A `$` followed by anything else, and a malformed `${` (possible in foreign images only; the
 * builder rejects it), stay literal. A `?` form whose variable is missing is `ENV_REQUIRED`.
 */
export function resolveRuntimeVariables(
  text: string,
  vars: RunVariables,
  context = 'environment',
): ResolvedValue {
  let out = '';
  const unset: string[] = [];
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('$', i);
    if (at < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, at);
    const next = text[at + 1];
    if (next === '$') {
      out += '$';
      i = at + 2;
      continue;
    }
    const expansion = next === '{' ? parseExpansion(text, at) : undefined;
    if (expansion === undefined) {
      out += '$';
      i = at + 1;
      continue;
    }
    const { name, op, word, end } = expansion;
    const value = vars.get(name);
    const missing = op.startsWith(':') ? value === undefined || value === '' : value === undefined;
    switch (op) {
      case '':
        if (value === undefined) unset.push(name);
        out += value ?? '';
        break;
      case ':-':
      case '-':
        out += missing ? word : (value ?? '');
        break;
      case ':?':
      case '?':
        if (missing) {
          throw new VcError(
            'ENV_REQUIRED',
            `${context}: ${name}: ${word === '' ? 'variable is required' : word}`,
            {
              hint: `set it with -e ${name}=VALUE or --env-file`,
              details: { variable: name, message: word },
            },
          );
        }
        out += value ?? '';
        break;
    }
    i = end;
  }
  return { value: out, unset };
}

interface Expansion {
  name: string;
  op: '' | ':-' | '-' | ':?' | '?';
  word: string;
  /** Index just after the closing `}`. */
  end: number;
}

function parseExpansion(text: string, at: number): Expansion | undefined {
  NAME_AT.lastIndex = at + 2;
  const name = NAME_AT.exec(text)?.[0];
  if (name === undefined) return undefined;
  let k = at + 2 + name.length;
  let op: Expansion['op'] = '';
  for (const candidate of [':-', ':?', '-', '?'] as const) {
    if (text.startsWith(candidate, k)) {
      op = candidate;
      break;
    }
  }
  if (op === '' && text[k] !== '}') return undefined;
  k += op.length;
  const close = text.indexOf('}', k);
  if (close < 0) return undefined;
  return { name, op, word: text.slice(k, close), end: close + 1 };
}

/** Whether `name` is a valid environment variable name (`[A-Za-z_][A-Za-z0-9_]*`). */
export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

export interface RunVariablesInput {
  /** `-e K=V` or `-e K` values, in order. */
  readonly envFlags?: readonly string[];
  /** `--env-file` contents, in order. */
  readonly envFiles?: readonly { readonly path: string; readonly text: string }[];
  /** The caller's environment, read only for `-e K` (copy the caller's value). */
  readonly callerEnv?: Readonly<Record<string, string | undefined>>;
}

/**
 * The run's variables: `--env-file` lines (`K=V`, `#` comments, blank lines; no quote processing),
 * then `-e` flags, later wins. `-e K` copies the caller's value and is dropped when unset. A bad
 * name is `USAGE`.
 */
export function collectRunVariables(input: RunVariablesInput): Map<string, string> {
  const vars = new Map<string, string>();
  const add = (entry: string, where: string, copyFromCaller: boolean) => {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (!isEnvName(name)) {
      throw new VcError(
        'USAGE',
        `${where}: invalid environment variable name ${JSON.stringify(name)}`,
        { hint: 'names match [A-Za-z_][A-Za-z0-9_]*' },
      );
    }
    if (eq >= 0) {
      vars.delete(name);
      vars.set(name, entry.slice(eq + 1));
      return;
    }
    const value = copyFromCaller ? input.callerEnv?.[name] : undefined;
    if (value !== undefined) {
      vars.delete(name);
      vars.set(name, value);
    }
  };
  for (const file of input.envFiles ?? []) {
    file.text.split(/\r?\n/).forEach((line, index) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      add(line.trimStart(), `${file.path}:${index + 1}`, true);
    });
  }
  for (const flag of input.envFlags ?? []) add(flag, '-e', true);
  return vars;
}

export interface ProcessEnvInput {
  /** The image config `Env` (`K=V` strings, templates verbatim). */
  readonly imageEnv: readonly string[];
  readonly runVariables: RunVariables;
  readonly hostname: string;
  /** The container user's home directory from the image's `/etc/passwd`, if known. */
  readonly home?: string;
}

export interface ProcessEnv {
  /** `K=V` strings for `process.env`. */
  readonly env: string[];
  /** One line per unset plain `${NAME}`. */
  readonly warnings: string[];
}

/**
 * `process.env`: the image `Env` resolved once against the run's variables, then the run's
 * variables (later wins, order kept), `PATH` defaulted, `HOSTNAME` set (unless the run sets it), `HOME` from passwd (else
 * `/`) when unset.
 */
export function buildProcessEnv(input: ProcessEnvInput): ProcessEnv {
  const env = new Map<string, string>();
  const warnings: string[] = [];
  for (const entry of input.imageEnv) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    const raw = eq < 0 ? '' : entry.slice(eq + 1);
    const { value, unset } = resolveRuntimeVariables(raw, input.runVariables, name);
    for (const v of unset) warnings.push(`${name}: \${${v}} is not set; using an empty value`);
    env.set(name, value);
  }
  for (const [name, value] of input.runVariables) {
    env.delete(name);
    env.set(name, value);
  }
  if (!env.has('PATH')) env.set('PATH', DEFAULT_PATH);
  if (!input.runVariables.has('HOSTNAME')) env.set('HOSTNAME', input.hostname);
  if (!env.has('HOME')) env.set('HOME', input.home ?? '/');
  return { env: [...env].map(([k, v]) => `${k}=${v}`), warnings };
}
