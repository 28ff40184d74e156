// SPDX-License-Identifier: Apache-2.0
// Building blocks of the manifest schema. Wire names are kebab-case; `table()` maps them to camelCase
// once, here, so the rest of the toolchain only sees camelCase. Per-value rules attach a manifest code in
// the issue `params` (see zod-issues.ts); cross-field rules live in the check-*.ts files.
import { z } from 'zod';
import type { ManifestCode } from '../error-codes.js';
import {
  contextPathProblem,
  durationMs,
  MODE_PATTERN,
  parseThreshold,
  rootfsPathProblem,
  userOrGroupProblem,
  type Threshold,
  type ValueProblem,
} from './values.js';

/** What our custom zod issues carry in `params`. */
export interface IssueParams {
  readonly code: ManifestCode;
  readonly hint?: string;
}

type RuleResult = string | ValueProblem | undefined;

function toParams(
  problem: string | ValueProblem,
  code: ManifestCode,
): { message: string; params: IssueParams } {
  if (typeof problem === 'string') return { message: problem, params: { code } };
  return {
    message: problem.message,
    params:
      problem.hint === undefined
        ? { code: problem.code }
        : { code: problem.code, hint: problem.hint },
  };
}

/** Adds a per-value rule; a string result is reported with `code`. */
export function rule<S extends z.ZodType>(
  schema: S,
  check: (value: z.output<S>) => RuleResult,
  code: ManifestCode = 'MANIFEST_VALUE',
): S {
  return schema.superRefine((value, ctx) => {
    const problem = check(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', ...toParams(problem, code) });
  });
}

/** A string matching `pattern`, else `message(value)`. */
export function matching(
  pattern: RegExp,
  message: (value: string) => string,
  code: ManifestCode = 'MANIFEST_VALUE',
): z.ZodString {
  return rule(z.string(), (v) => (pattern.test(v) ? undefined : message(v)), code);
}

/** An array whose elements must be unique by `key`; duplicates are reported at their index. */
export function unique<T>(
  element: z.ZodType<T>,
  what: string,
  code: ManifestCode = 'MANIFEST_VALUE',
  key: (value: T) => string = String,
): z.ZodArray<z.ZodType<T>> {
  return z.array(element).superRefine((items, ctx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const k = key(item);
      if (seen.has(k)) {
        ctx.addIssue({
          code: 'custom',
          path: [index],
          ...toParams(`duplicate ${what} ${JSON.stringify(k)}`, code),
        });
      }
      seen.add(k);
    });
  });
}

type Camel<S extends string> = S extends `${infer H}-${infer T}`
  ? `${H}${Capitalize<Camel<T>>}`
  : S;
/** An object type with kebab-case keys renamed to camelCase. */
export type CamelKeys<T> = { [K in keyof T as K extends string ? Camel<K> : K]: T[K] };

export function camelKeys<T extends object>(value: T): CamelKeys<T> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = v;
  }
  return out as CamelKeys<T>;
}

/** A TOML table: only the listed keys, renamed to camelCase on output. */
export function table<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape).transform((value) => camelKeys(value));
}

/** A TOML integer (smol-toml gives bigint) in [min, max], as a number. */
export function integer(min: number, max: number) {
  return rule(z.bigint(), (v) =>
    v < BigInt(min) || v > BigInt(max) ? `must be between ${min} and ${max}, got ${v}` : undefined,
  ).transform(Number);
}

export const port = integer(1, 65535);

export const rootfsPath = rule(z.string(), (v) => rootfsPathProblem(v), 'MANIFEST_PATH');
/** A rootfs path that may end in `/` (copy destinations). */
export const rootfsDirPath = rule(z.string(), (v) => rootfsPathProblem(v, true), 'MANIFEST_PATH');
export const contextPath = rule(z.string(), contextPathProblem, 'MANIFEST_PATH');

export const mode = matching(
  MODE_PATTERN,
  (v) => `mode ${JSON.stringify(v)} must be 3 or 4 octal digits`,
);

/** A duration such as `"1m30s"`, greater than zero unless `allowZero`. */
export function duration(allowZero = false): z.ZodString {
  return rule(z.string(), (v) => {
    const ms = durationMs(v);
    if (ms === undefined) return `${JSON.stringify(v)} is not a duration like "30s" or "1m30s"`;
    return ms === 0 && !allowZero ? 'duration must be greater than zero' : undefined;
  });
}

/** `"<k>-of-<n>"` → {@link Threshold}. */
export const threshold = z.string().transform((value, ctx): Threshold => {
  const parsed = parseThreshold(value);
  if (typeof parsed !== 'string') return parsed;
  ctx.addIssue({ code: 'custom', ...toParams(parsed, 'MANIFEST_VALUE') });
  return z.NEVER;
});

/** A user or group: a name, or a numeric id as string or integer; kept as a string. */
export const userOrGroup = rule(
  z.union([z.string(), z.bigint()], {
    error: 'expected a name (string) or a numeric id (integer)',
  }),
  userOrGroupProblem,
).transform(String);

/** An argv array. */
export const argv = z.array(z.string());

/** A hash, stored lowercase; its format is checked by the check-*.ts files, which know the file for the hint. */
export const hash = z.string().transform((v) => v.toLowerCase());
