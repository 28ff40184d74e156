// SPDX-License-Identifier: Apache-2.0
import { VcError } from '../errors.js';
import { hasLoneSurrogate } from './surrogates.js';

const encoder = new TextEncoder();

/**
 * RFC 8785 (JCS) text of a JSON value: members sorted by UTF-16 code units, no whitespace,
 * ECMAScript number and string serialisation. Throws `JSON_INVALID` for values JSON cannot hold
 * (non-finite numbers, undefined, functions, bigints, lone surrogates).
 */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      if (hasLoneSurrogate(value)) throw invalid('a string holds a lone surrogate');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw invalid(`number ${value} is not finite`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
      const entries = Object.keys(value)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => {
          if (hasLoneSurrogate(k)) throw invalid('a member name holds a lone surrogate');
          return `${JSON.stringify(k)}:${canonicalize((value as Record<string, unknown>)[k])}`;
        });
      return `{${entries.join(',')}}`;
    }
    case 'undefined':
    case 'function':
    case 'symbol':
    case 'bigint':
      throw invalid(`a ${typeof value} has no JSON form`);
  }
}

/** UTF-8 bytes of {@link canonicalize}; the bytes every signature and digest is taken over. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalize(value));
}

function invalid(message: string): VcError<'JSON_INVALID'> {
  return new VcError('JSON_INVALID', message);
}
