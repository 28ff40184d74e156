// SPDX-License-Identifier: Apache-2.0
// A shell-form RUN line → its `&&`/`;` parts, each converted on its own (01 §7: "any other RUN (or
// part of one) → listed"). A part with pipes, redirections, subshells, command substitution or a
// variable whose value is not known is listed as a whole rather than guessed at.
import { mapRunCommand, type RunContext, type RunMapping } from './run-commands.js';
import { isWord, wordProblem, type ShellToken, type WordToken } from './shell-lexer.js';

export interface RunPart {
  readonly words: readonly WordToken[];
  /** Operators other than the `&&`/`;` separators (`|`, `||`, `>`, `(`, …). */
  readonly operators: readonly string[];
  /** Offsets of the part in the RUN arguments. */
  readonly start: number;
  readonly end: number;
}

const SEPARATORS = new Set(['&&', ';', '\n']);
const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const APT_LISTS = '/var/lib/apt/lists/*';
/** Words that make a part a compound command the converter does not follow. */
const RESERVED = new Set('if then else elif fi for while until do done case esac { } !'.split(' '));

/** Splits RUN tokens at `&&`, `;` and newlines. */
export function splitRunParts(tokens: readonly ShellToken[]): RunPart[] {
  const parts: RunPart[] = [];
  let current: ShellToken[] = [];
  const flush = (): void => {
    const first = current[0];
    const last = current[current.length - 1];
    if (first !== undefined && last !== undefined) {
      parts.push({
        words: current.filter(isWord),
        operators: current.flatMap((t) => (t.kind === 'operator' ? [t.op] : [])),
        start: first.start,
        end: last.end,
      });
    }
    current = [];
  };
  for (const token of tokens) {
    if (token.kind === 'operator' && SEPARATORS.has(token.op)) flush();
    else current.push(token);
  }
  flush();
  return parts;
}

/** What one part of a RUN line converts to. */
export function convertRunPart(part: RunPart, ctx: RunContext): RunMapping {
  const op = part.operators[0];
  if (op !== undefined) return unsupported(operatorReason(op));
  const problem = wordProblem({
    problems: part.words.flatMap((w) => w.problems),
    unresolved: part.words.flatMap((w) => w.unresolved),
  });
  if (problem !== undefined) return unsupported(problem);
  let words = part.words;
  const reserved = words[0];
  if (reserved !== undefined && !reserved.quoted && RESERVED.has(reserved.value)) {
    return unsupported(`the shell construct "${reserved.value}" is not converted`);
  }
  // `DEBIAN_FRONTEND=noninteractive apt-get install …` only quiets apt-get.
  const assignments = words.slice(0, firstCommand(words));
  words = words.slice(assignments.length);
  const command = words[0]?.value;
  if (assignments.length > 0) {
    if (command === undefined) return unsupported('sets a shell variable');
    const onlyApt =
      (command === 'apt-get' || command === 'apt') &&
      assignments.every((a) => a.value.startsWith('DEBIAN_FRONTEND='));
    if (!onlyApt) return unsupported('sets environment variables for the command');
  }
  if (isAptListsCleanup(words)) return { kind: 'ignored' };
  if (words.some((w) => w.glob)) return unsupported('uses a wildcard (*, ? or [)');
  return mapRunCommand(
    words.map((w) => w.value),
    ctx,
  );
}

function firstCommand(words: readonly WordToken[]): number {
  const i = words.findIndex((w) => !ENV_ASSIGNMENT.test(w.value));
  return i < 0 ? words.length : i;
}

/** `rm -rf /var/lib/apt/lists/*`: the builder keeps no apt lists, so there is nothing to remove. */
function isAptListsCleanup(words: readonly WordToken[]): boolean {
  const [rm, ...args] = words;
  if (rm?.value !== 'rm') return false;
  const paths = args.filter((a) => !/^-[rRf]+$/.test(a.value));
  return (
    paths.length > 0 &&
    args.some((a) => /^-[rRf]*[rR][rRf]*$/.test(a.value)) &&
    paths.every((p) => p.value === APT_LISTS)
  );
}

function operatorReason(op: string): string {
  switch (op) {
    case '|':
    case '|&':
      return 'uses a pipe';
    case '||':
      return 'uses ||';
    case '&':
      return 'runs in the background (&)';
    case '(':
    case ')':
      return 'uses a subshell';
    case ';;':
      return 'uses case';
    default:
      return `uses the redirection ${op}`;
  }
}

function unsupported(reason: string): RunMapping {
  return { kind: 'unsupported', reason };
}
