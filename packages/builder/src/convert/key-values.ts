// SPDX-License-Identifier: Apache-2.0
// The `key=value …` arguments of ENV, LABEL and ARG, and the legacy `ENV key value` form, with
// Docker's quote, escape and variable processing applied to each side.
import type { DockerfileInstruction } from './parse-dockerfile.js';
import { expandWord, isWord, lexWords } from './shell-lexer.js';

export interface KeyValue {
  readonly key: string;
  /** undefined when no `=` (and, in the legacy form, no value) was written. */
  readonly value: string | undefined;
  /** Variables in the value whose value is not known. */
  readonly unresolved: readonly string[];
  readonly problems: readonly string[];
  /** The pair as written, for messages. */
  readonly raw: string;
}

/**
 * The pairs of an instruction. With `legacy`, a first word without `=` makes the rest of the line
 * its value (`ENV NAME some value`). Values are expanded with `lookup`; keys are not.
 */
export function keyValues(
  ins: DockerfileInstruction,
  lookup: (name: string) => string | undefined,
  legacy: boolean,
): KeyValue[] {
  const escape = ins.escape;
  const words = lexWords(ins.args, { escape }).filter(isWord);
  const raw = (start: number, end: number): string => ins.args.slice(start, end);
  const first = words[0];
  if (first === undefined) return [];
  const firstRaw = raw(first.start, first.end);
  if (legacy && topLevelEquals(firstRaw, escape) < 0) {
    const rest = ins.args.slice(first.end).trim();
    const value = rest === '' ? undefined : expandWord(rest, { escape, lookup });
    return [
      {
        key: expandWord(firstRaw, { escape }).value,
        value: value?.value,
        unresolved: value?.unresolved ?? [],
        problems: value?.problems ?? [],
        raw: `${firstRaw} ${rest}`.trim(),
      },
    ];
  }
  return words.map((w) => {
    const text = raw(w.start, w.end);
    const eq = topLevelEquals(text, escape);
    if (eq < 0) {
      return { key: w.value, value: undefined, unresolved: [], problems: [], raw: text };
    }
    const value = expandWord(text.slice(eq + 1), { escape, lookup });
    return {
      key: expandWord(text.slice(0, eq), { escape }).value,
      value: value.value,
      unresolved: value.unresolved,
      problems: value.problems,
      raw: text,
    };
  });
}

/** Index of the first `=` outside quotes and escapes, or -1. */
function topLevelEquals(text: string, escape: string): number {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === escape && quote !== "'") i++;
    else if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '=') return i;
  }
  return -1;
}
