// SPDX-License-Identifier: Apache-2.0
import type { Readable } from 'node:stream';
import { VcError, type Problem } from '@verified-container/shared';

/** JSON bodies are at most 1 MiB (05 §12.1). */
export const MAX_JSON_BODY = 1024 * 1024;

/** Reads a whole body of at most `limit` bytes; more is `PAYLOAD_TOO_LARGE`. */
export async function readBody(body: Readable, limit = MAX_JSON_BODY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.resume();
      throw new VcError('PAYLOAD_TOO_LARGE', `the request body is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The JSON value of a request body (05 §12.1): `Content-Type: application/json` (else
 * `UNSUPPORTED_MEDIA_TYPE`), valid JSON (else `VALIDATION_FAILED`). An empty body is `{}` when
 * `emptyAsObject` (POST actions whose body is optional).
 */
export function parseJsonBody(
  contentType: string | undefined,
  bytes: Buffer,
  opts: { emptyAsObject?: boolean } = {},
): unknown {
  if (bytes.length === 0 && opts.emptyAsObject === true) return {};
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media !== 'application/json') {
    throw new VcError(
      'UNSUPPORTED_MEDIA_TYPE',
      `the request body must be application/json, not ${media === '' ? 'untyped' : media}`,
    );
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (cause) {
    throw new VcError('VALIDATION_FAILED', 'the request body is not valid JSON', { cause });
  }
}

/** The kinds of field a body schema knows. */
export type FieldKind =
  | 'string'
  | 'boolean'
  | 'number'
  | 'integer'
  | 'string[]'
  | 'string-map'
  | 'object'
  | 'array'
  | 'any';

/** A strict object schema: every field optional unless listed in `required`. */
export interface BodySchema {
  readonly fields: Readonly<Record<string, FieldKind>>;
  readonly required?: readonly string[];
}

/**
 * Checks a JSON body against a strict object schema and collects every issue: unknown fields,
 * missing required ones and wrong kinds are `VALIDATION_FAILED` with `errors` listing each.
 */
export function validateBody<T>(value: unknown, schema: BodySchema): T {
  const errors: Problem[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VcError('VALIDATION_FAILED', 'the request body must be a JSON object');
  }
  const record = value as Record<string, unknown>;
  for (const [key, field] of Object.entries(record)) {
    const kind = schema.fields[key];
    if (kind === undefined) {
      errors.push({ code: 'VALIDATION_FAILED', message: `unknown field ${key}`, path: `$.${key}` });
    } else if (!hasKind(field, kind)) {
      errors.push({
        code: 'VALIDATION_FAILED',
        message: `${key} must be ${kindText(kind)}`,
        path: `$.${key}`,
      });
    }
  }
  for (const key of schema.required ?? []) {
    if (record[key] === undefined) {
      errors.push({ code: 'VALIDATION_FAILED', message: `${key} is required`, path: `$.${key}` });
    }
  }
  if (errors.length > 0) {
    throw new VcError(
      'VALIDATION_FAILED',
      errors.length === 1 ? errors[0]!.message : `${errors.length} problems in the request body`,
      { errors },
    );
  }
  return value as T;
}

function hasKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'string-map':
      return (
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.values(value).every((v) => typeof v === 'string')
      );
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'any':
      return true;
  }
}

function kindText(kind: FieldKind): string {
  switch (kind) {
    case 'string-map':
      return 'an object of strings';
    case 'string[]':
      return 'an array of strings';
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'integer':
      return 'an integer';
    case 'any':
      return 'a value';
    case 'string':
    case 'boolean':
    case 'number':
      return `a ${kind}`;
  }
}

/** A boolean query parameter: `1`/`true` true, `0`/`false`/absent false, anything else `USAGE`. */
export function queryBool(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new VcError('USAGE', `invalid ${name}=${value}: expected true or false`);
}
