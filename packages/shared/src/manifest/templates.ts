// SPDX-License-Identifier: Apache-2.0
// Load-time templates `{{ dotted.path }}` (01 §1.2): resolved against the manifest as written, before
// validation, so every check sees resolved values.
import { formatJsonPath, type PathSegment } from '../json/index.js';
import type { Reporter } from './diagnostics.js';
import {
  isTable,
  typeName,
  valueAt,
  type Segments,
  type TomlTable,
  type TomlValue,
} from './tree.js';

/** Deepest allowed chain of templates whose targets are themselves templates. */
export const MAX_TEMPLATE_DEPTH = 16;

export interface TemplateResolution {
  /** The manifest with every resolvable template substituted (others left as written). */
  readonly resolved: TomlTable;
  /** Path text of each value that is wholly one template → path text of its final target. */
  readonly refs: ReadonlyMap<string, string>;
  /** Path texts of values whose templates could not be resolved. */
  readonly failed: ReadonlySet<string>;
}

type Part = { readonly text: string } | { readonly ref: readonly string[] };
type Parsed =
  { readonly parts: readonly Part[]; readonly whole: boolean } | { readonly error: string };
type Outcome = { readonly value: string; readonly depth: number } | { readonly failed: true };

const TEMPLATE = /\{\{[ \t]*([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)[ \t]*\}\}/y;

/** Splits a string into text and template references, or says why its `{{` is malformed. */
export function parseTemplates(value: string): Parsed {
  const parts: Part[] = [];
  let i = 0;
  for (let j = value.indexOf('{{'); j >= 0; j = value.indexOf('{{', i)) {
    if (j > i) parts.push({ text: value.slice(i, j) });
    TEMPLATE.lastIndex = j;
    const match = TEMPLATE.exec(value);
    if (match === null) {
      const close = value.indexOf('}}', j);
      return {
        error:
          close < 0
            ? `unterminated template at "${value.slice(j, j + 30)}"`
            : `malformed template "${value.slice(j, close + 2)}"; expected {{ dotted.path }} of bare keys`,
      };
    }
    parts.push({ ref: (match[1] ?? '').split('.') });
    i = j + match[0].length;
  }
  if (i < value.length) parts.push({ text: value.slice(i) });
  const first = parts[0];
  return { parts, whole: parts.length === 1 && first !== undefined && 'ref' in first };
}

/** Resolves every template of `root`; problems go to `report` as MANIFEST_TEMPLATE. */
export function resolveTemplates(root: TomlTable, report: Reporter): TemplateResolution {
  const memo = new Map<string, Outcome>();
  const reported = new Set<string>();
  const refs = new Map<string, string>();
  const failed = new Set<string>();
  const stack: string[] = [];

  const fail = (path: Segments, message: string, hint?: string): Outcome => {
    const text = formatJsonPath(path);
    failed.add(text);
    if (!reported.has(text)) {
      reported.add(text);
      report({ code: 'MANIFEST_TEMPLATE', path, message, ...(hint ? { hint } : {}) });
    }
    return { failed: true };
  };

  const resolveString = (path: Segments, value: string): Outcome => {
    const text = formatJsonPath(path);
    const known = memo.get(text);
    if (known !== undefined) return known;
    const onStack = stack.indexOf(text);
    if (onStack >= 0) {
      // Only template targets (dotted keys) can be re-entered, so `path` is the start of the cycle.
      const cycle = [...stack.slice(onStack), text].map((p) => p.slice(2)).join(' → ');
      return fail(path, `template cycle: ${cycle}`);
    }
    const parsed = parseTemplates(value);
    if ('error' in parsed) {
      const outcome = fail(path, parsed.error);
      memo.set(text, outcome);
      return outcome;
    }
    stack.push(text);
    const outcome = substitute(path, parsed.parts, parsed.whole);
    stack.pop();
    memo.set(text, outcome);
    return outcome;
  };

  const substitute = (path: Segments, parts: readonly Part[], whole: boolean): Outcome => {
    let out = '';
    let depth = 0;
    for (const part of parts) {
      if ('text' in part) {
        out += part.text;
        continue;
      }
      const dotted = part.ref.join('.');
      const target = valueAt(root, part.ref);
      if (whole) refs.set(formatJsonPath(path), formatJsonPath(finalTarget(root, part.ref)));
      if (target === undefined) {
        return fail(
          path,
          `unresolved template {{${dotted}}}: the manifest has no value at ${dotted}`,
        );
      }
      if (typeof target === 'bigint' || typeof target === 'boolean') {
        out += String(target);
      } else if (typeof target === 'string') {
        const inner = target.includes('{{')
          ? resolveString(part.ref, target)
          : { value: target, depth: 0 };
        if ('failed' in inner) {
          failed.add(formatJsonPath(path));
          if (whole) return inner;
          return fail(path, `template {{${dotted}}} cannot be resolved: ${dotted} has an error`);
        }
        out += inner.value;
        depth = Math.max(depth, inner.depth + 1);
      } else {
        return fail(
          path,
          `template {{${dotted}}} refers to a ${typeName(target)}; only strings, integers and booleans can be substituted`,
        );
      }
    }
    if (depth > MAX_TEMPLATE_DEPTH) {
      return fail(path, `templates nested deeper than ${MAX_TEMPLATE_DEPTH} levels`);
    }
    return { value: out, depth: Math.max(depth, 1) };
  };

  const walk = (node: TomlValue, path: PathSegment[]): TomlValue => {
    if (typeof node === 'string') {
      if (!node.includes('{{')) return node;
      const outcome = resolveString(path, node);
      return 'failed' in outcome ? node : outcome.value;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (isTable(node)) {
      const copy: TomlTable = Object.create(null) as TomlTable;
      for (const key of Object.keys(node)) copy[key] = walk(node[key] as TomlValue, [...path, key]);
      return copy;
    }
    return node;
  };

  const resolved = walk(root, []) as TomlTable;
  return { resolved, refs, failed };
}

/** Follows targets that are themselves wholly one template, to the value that is really written. */
function finalTarget(root: TomlTable, start: readonly string[]): readonly string[] {
  let current = start;
  const seen = new Set<string>();
  for (;;) {
    const value = valueAt(root, current);
    const key = current.join('.');
    if (typeof value !== 'string' || seen.has(key)) return current;
    seen.add(key);
    const parsed = parseTemplates(value);
    if ('error' in parsed || !parsed.whole) return current;
    const part = parsed.parts[0];
    if (part === undefined || !('ref' in part)) return current;
    current = part.ref;
  }
}
