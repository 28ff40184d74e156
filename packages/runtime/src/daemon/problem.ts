// SPDX-License-Identifier: Apache-2.0
import { httpStatusFor, toVcError } from '@verified-container/shared';

/** The problem+json document of 00 §7 (RFC 9457). */
export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly hint?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly errors?: readonly unknown[];
  readonly instance?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Anything thrown, as the problem document and status of 00 §7 (unknown errors: 500 INTERNAL). */
export function toProblem(thrown: unknown, instance?: string): ProblemDocument {
  const err = toVcError(thrown);
  const status = httpStatusFor(err.code);
  const details =
    err.details !== undefined && Object.keys(err.details).length > 0 ? err.details : undefined;
  return {
    type: `urn:verified-container:error:${err.code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail: err.message,
    code: err.code,
    ...(err.hint !== undefined ? { hint: err.hint } : {}),
    ...(details !== undefined ? { details } : {}),
    ...(err.errors !== undefined ? { errors: err.errors } : {}),
    ...(instance !== undefined ? { instance } : {}),
  };
}
