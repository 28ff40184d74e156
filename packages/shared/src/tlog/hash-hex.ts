// SPDX-License-Identifier: Apache-2.0
import { VcError } from '../errors.js';
import { isJsonHash } from '../attestation/check-helpers.js';

/**
 * The bare lowercase hex of a JSON hash (03 §2: 64 lowercase hex, readers accept a `sha256:`
 * prefix). Throws `INVALID_ARGUMENT` for anything else.
 */
export function bareHashHex(hash: string, what: string): string {
  if (!isJsonHash(hash)) {
    throw new VcError('INVALID_ARGUMENT', `${what} must be 64 lowercase hex characters`);
  }
  return hash.startsWith('sha256:') ? hash.slice(7) : hash;
}
