// SPDX-License-Identifier: Apache-2.0

/** One problem found while validating a document; the error type of every "collect them all" check. */
export interface Problem {
  readonly code: string;
  readonly message: string;
  /** JSONPath-like location (`$.build.steps[3].hash`). */
  readonly path?: string;
  readonly hint?: string;
}

export interface VcErrorOptions {
  readonly cause?: unknown;
  readonly hint?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /** Every problem when several were collected (validation, verification). */
  readonly errors?: readonly Problem[];
}

/**
 * The one error type of the toolchain. `code` is stable SCREAMING_SNAKE (tests assert on it);
 * `message` is for people and may change; `hint` carries the advice a CLI prints.
 */
export class VcError<C extends string = string> extends Error {
  readonly code: C;
  readonly hint?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly errors?: readonly Problem[];

  constructor(code: C, message: string, opts: VcErrorOptions = {}) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    if (opts.hint !== undefined) this.hint = opts.hint;
    if (opts.details !== undefined) this.details = opts.details;
    if (opts.errors !== undefined) this.errors = opts.errors;
  }

  /** The error object of 00 §7. */
  toJSON(): ErrorObject {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint !== undefined ? { hint: this.hint } : {}),
      details: this.details ?? {},
      ...(this.errors !== undefined ? { errors: this.errors } : {}),
    };
  }
}

export interface ErrorObject {
  code: string;
  message: string;
  hint?: string;
  details: Readonly<Record<string, unknown>>;
  errors?: readonly Problem[];
}

export function isVcError(err: unknown): err is VcError {
  return err instanceof VcError;
}

/** Wraps anything thrown into a VcError; unknown failures become INTERNAL. */
export function toVcError(err: unknown): VcError {
  if (err instanceof VcError) return err as VcError;
  const message = err instanceof Error ? err.message : String(err);
  return new VcError('INTERNAL', message, { cause: err });
}
