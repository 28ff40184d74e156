// SPDX-License-Identifier: Apache-2.0
// A small getopt for the commands RUN lines are converted from: `-abc`, `-m 755`, `-m755`,
// `--mode 755`, `--mode=755`, `--` and GNU-style options after operands.

export interface OptionSpec {
  /** The name results are keyed by (the long name, or the short letter when there is none). */
  readonly key: string;
  readonly short?: string;
  readonly long?: readonly string[];
  /** Whether the option takes a value. */
  readonly value?: boolean;
}

export type ParsedOptions =
  | {
      readonly ok: true;
      readonly options: ReadonlyMap<string, string>;
      readonly operands: string[];
    }
  | { readonly ok: false; readonly reason: string };

/** Options and operands of `args`; an option not in `specs` is a reason not to convert. */
export function parseOptions(args: readonly string[], specs: readonly OptionSpec[]): ParsedOptions {
  const options = new Map<string, string>();
  const operands: string[] = [];
  const fail = (reason: string): ParsedOptions => ({ ok: false, reason });
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const spec = specs.find((s) => s.long?.includes(name) === true);
      if (spec === undefined) return fail(`option --${name} is not converted`);
      if (spec.value !== true) {
        if (eq >= 0) return fail(`option --${name} takes no value`);
        options.set(spec.key, '');
      } else if (eq >= 0) {
        options.set(spec.key, arg.slice(eq + 1));
      } else {
        const next = args[++i];
        if (next === undefined) return fail(`option --${name} needs a value`);
        options.set(spec.key, next);
      }
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let k = 1; k < arg.length; k++) {
        const letter = arg[k] ?? '';
        const spec = specs.find((s) => s.short === letter);
        if (spec === undefined) return fail(`option -${letter} is not converted`);
        if (spec.value !== true) {
          options.set(spec.key, '');
          continue;
        }
        const rest = arg.slice(k + 1);
        const value = rest !== '' ? rest : args[++i];
        if (value === undefined) return fail(`option -${letter} needs a value`);
        options.set(spec.key, value);
        break;
      }
    } else {
      operands.push(arg);
    }
  }
  return { ok: true, options, operands };
}
