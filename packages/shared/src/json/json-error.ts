// SPDX-License-Identifier: Apache-2.0
import { VcError } from '../errors.js';

/** Why a JSON text was rejected; callers translate to the code of their document. */
export type JsonRejection =
  | 'syntax'
  | 'encoding'
  | 'bom'
  | 'duplicate-key'
  | 'unsafe-number'
  | 'non-finite-number'
  | 'lone-surrogate'
  | 'too-deep'
  | 'too-large';

export class JsonError extends VcError<'JSON_INVALID'> {
  readonly reason: JsonRejection;
  /** JSONPath of the offending value, when known. */
  readonly path: string;
  /** 0-based offset in the text (UTF-16 code units). */
  readonly offset: number;

  constructor(reason: JsonRejection, message: string, path: string, offset: number) {
    super('JSON_INVALID', message, { details: { reason, path, offset } });
    this.reason = reason;
    this.path = path;
    this.offset = offset;
  }
}
