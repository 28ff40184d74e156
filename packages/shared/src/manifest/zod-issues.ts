// SPDX-License-Identifier: Apache-2.0
// Maps zod issues to manifest diagnostics (01 §1.3): unknown keys with a did-you-mean hint, missing fields,
// strict types, and the codes our rules put in `params`.
import { z } from 'zod';
import type { ManifestCode } from '../error-codes.js';
import { formatJsonPath, type PathSegment } from '../json/index.js';
import { humanPath, type Reporter } from './diagnostics.js';
import { didYouMean } from './did-you-mean.js';
import { STEP_ACTIONS } from './schema-steps.js';
import {
  childOf,
  describeValue,
  isTable,
  valueAt,
  type TomlTable,
  type TomlValue,
} from './tree.js';

type Issue = z.core.$ZodIssue;

const EXPECTED: Readonly<Record<string, string>> = {
  bigint: 'an integer',
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  array: 'an array',
  object: 'a table',
  record: 'a table',
};

const ARGV_FIELDS = new Set([
  '$.runtime.command',
  '$.runtime.entrypoint',
  '$.runtime.healthcheck.command',
]);

/** Reports every issue of a failed `safeParse(input)` of `schema`. */
export function reportZodIssues(
  issues: readonly Issue[],
  schema: z.ZodType,
  input: TomlTable,
  report: Reporter,
): void {
  for (const issue of issues) {
    const path = issue.path.map((p): PathSegment => (typeof p === 'number' ? p : String(p)));
    const raw = valueAt(input, path);
    if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && raw === undefined) {
      report({
        code: 'MANIFEST_MISSING_FIELD',
        path,
        message: `missing required field ${humanPath(formatJsonPath(path))}`,
        missing: true,
      });
      continue;
    }
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeys(schema, path, input);
        const where = unknownKeyContext(path, input);
        for (const key of issue.keys) {
          const hint = known === undefined ? undefined : didYouMean(key, known);
          report({
            code: 'MANIFEST_UNKNOWN_KEY',
            path: [...path, key],
            message:
              path.length > 0
                ? `unknown key "${key}" ${where}`
                : isTable(childOf(input, key))
                  ? `unknown section [${key}]`
                  : `unknown top-level key "${key}"`,
            ...(hint !== undefined ? { hint } : {}),
          });
        }
        break;
      }
      case 'invalid_type':
        if (raw !== undefined)
          reportType(path, raw, EXPECTED[issue.expected] ?? issue.expected, report);
        break;
      case 'invalid_union':
        if (isStepAction(path)) reportAction(path, raw, report);
        else
          report({
            code: 'MANIFEST_TYPE',
            path,
            message: `${issue.message}, got ${describeValue(raw)}`,
          });
        break;
      case 'invalid_value': {
        const values = issue.values.map((v) =>
          JSON.stringify(typeof v === 'bigint' ? String(v) : v),
        );
        if (raw !== undefined && typeof raw !== typeof issue.values[0]) {
          reportType(path, raw, 'a string', report);
        } else {
          report({
            code: 'MANIFEST_VALUE',
            path,
            message:
              values.length === 1
                ? `must be ${values[0]}, got ${describeValue(raw)}`
                : `must be one of ${values.join(', ')}, got ${describeValue(raw)}`,
          });
        }
        break;
      }
      case 'invalid_key': {
        const inner = issue.issues[0];
        report({
          code: paramsOf(inner)?.code ?? 'MANIFEST_VALUE',
          path,
          message: inner?.message ?? issue.message,
        });
        break;
      }
      case 'custom': {
        const params = paramsOf(issue);
        report({
          code: params?.code ?? 'MANIFEST_VALUE',
          path,
          message: issue.message,
          ...(params?.hint !== undefined ? { hint: params.hint } : {}),
        });
        break;
      }
      case 'too_big':
      case 'too_small':
      case 'invalid_format':
      case 'not_multiple_of':
      case 'invalid_element':
        report({ code: 'MANIFEST_VALUE', path, message: issue.message });
        break;
    }
  }
}

function reportType(path: PathSegment[], raw: TomlValue, expected: string, report: Reporter): void {
  const text = formatJsonPath(path);
  const last = path[path.length - 1];
  let hint: string | undefined;
  if ((last === 'mode' || last === 'file-mode') && typeof raw === 'bigint') hint = 'quote it';
  if (ARGV_FIELDS.has(text) && typeof raw === 'string') hint = 'use an argv array';
  report({
    code: 'MANIFEST_TYPE',
    path,
    message: `expected ${expected}, got ${describeValue(raw)}`,
    ...(hint !== undefined ? { hint } : {}),
  });
}

function isStepAction(path: readonly PathSegment[]): boolean {
  return path.length === 4 && path[0] === 'build' && path[1] === 'steps' && path[3] === 'action';
}

function reportAction(path: PathSegment[], raw: TomlValue | undefined, report: Reporter): void {
  if (raw === undefined) {
    report({ code: 'MANIFEST_MISSING_FIELD', path, message: 'step has no action', missing: true });
  } else if (typeof raw !== 'string') {
    report({
      code: 'MANIFEST_TYPE',
      path,
      message: `expected a string, got ${describeValue(raw)}`,
    });
  } else {
    report({
      code: 'MANIFEST_UNKNOWN_ACTION',
      path,
      message: `unknown action ${JSON.stringify(raw)}`,
      hint: didYouMean(raw, STEP_ACTIONS) ?? `one of ${STEP_ACTIONS.join(', ')}`,
    });
  }
}

function unknownKeyContext(path: readonly PathSegment[], input: TomlTable): string {
  if (path[0] === 'build' && path[1] === 'steps' && path.length === 3) {
    const action = childOf(valueAt(input, path), 'action');
    return `for action ${JSON.stringify(action)}`;
  }
  return `in ${humanPath(formatJsonPath(path))}`;
}

function paramsOf(issue: Issue | undefined): { code: ManifestCode; hint?: string } | undefined {
  if (issue?.code !== 'custom') return undefined;
  const params: unknown = issue.params;
  if (!isTable(params) || typeof params['code'] !== 'string') return undefined;
  const hint = params['hint'];
  return {
    code: params['code'] as ManifestCode,
    ...(typeof hint === 'string' ? { hint } : {}),
  };
}

/** Unwraps optional/default/prefault/pipe layers and picks the matching step schema. */
function unwrap(schema: z.ZodType, node: TomlValue | undefined): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else if (
      s instanceof z.ZodOptional ||
      s instanceof z.ZodDefault ||
      s instanceof z.ZodPrefault
    ) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodDiscriminatedUnion) {
      const action = childOf(node, 'action');
      const match = (s.options as z.ZodType[]).find((o) => {
        const option = unwrap(o, node);
        const literal =
          option instanceof z.ZodObject
            ? (option.shape as Record<string, unknown>)['action']
            : undefined;
        return literal instanceof z.ZodLiteral && literal.values.has(action as never);
      });
      if (match === undefined) return s;
      s = match;
    } else {
      return s;
    }
  }
}

/** The keys the schema knows for the table at `path`, in schema order. */
function knownKeys(
  schema: z.ZodType,
  path: readonly PathSegment[],
  root: TomlTable,
): string[] | undefined {
  let s: z.ZodType | undefined = schema;
  let node: TomlValue | undefined = root;
  for (const segment of path) {
    s = unwrap(s, node);
    if (s instanceof z.ZodObject)
      s = (s.shape as Record<string, z.ZodType | undefined>)[String(segment)];
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else return undefined;
    node = childOf(node, segment);
    if (s === undefined) return undefined;
  }
  s = unwrap(s, node);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : undefined;
}
