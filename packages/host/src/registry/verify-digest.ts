// SPDX-License-Identifier: Apache-2.0
// Content from a registry is trusted only for its digest: every byte is hashed as it arrives.
import { createHash } from 'node:crypto';
import { VcError } from '@verified-container/shared';
import { parseDigest, sha256Hex, type ParsedDigest } from '@verified-container/shared/crypto';
import type { Descriptor } from '@verified-container/shared/oci';

/** `sha256:<hex>` parsed; INTERNAL for anything else (callers validated descriptors already). */
function sha256Of(digest: string): ParsedDigest {
  const parsed = parseDigest(digest);
  if (parsed === null || parsed.algorithm !== 'sha256') {
    throw new VcError('INTERNAL', `not a sha256 digest: ${JSON.stringify(digest)}`);
  }
  return parsed;
}

/** `code` unless `bytes` hash to `digest`. Returns the bytes' digest. */
export function assertDigest(
  bytes: Uint8Array,
  digest: string,
  what: string,
  code: string,
): string {
  const expected = sha256Of(digest);
  const actual = sha256Hex(bytes);
  if (actual !== expected.hex) throw hashMismatch(what, expected, actual, code);
  return digest;
}

/**
 * Passes `source` through, hashing and counting it. More bytes than `descriptor.size` stop the
 * stream at once; at the end a different size or digest is `code`. Consumers must read to the
 * end before trusting what they stored.
 */
export async function* verifyingStream(
  source: AsyncIterable<Uint8Array>,
  descriptor: Descriptor,
  what: string,
  code: string,
  onBytes?: (done: number) => void,
): AsyncGenerator<Uint8Array> {
  const expected = sha256Of(descriptor.digest);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (size > descriptor.size) throw sizeMismatch(what, descriptor.size, size, code, true);
    hash.update(chunk);
    onBytes?.(size);
    yield chunk;
  }
  if (size !== descriptor.size) throw sizeMismatch(what, descriptor.size, size, code);
  const actual = hash.digest('hex');
  if (actual !== expected.hex) throw hashMismatch(what, expected, actual, code);
}

function hashMismatch(
  what: string,
  expected: ParsedDigest,
  actualHex: string,
  code: string,
): VcError {
  return new VcError(
    code,
    `${expected.algorithm} mismatch for ${what}: expected ${expected.hex}, got ${actualHex}`,
    {
      details: {
        expected: `${expected.algorithm}:${expected.hex}`,
        actual: `${expected.algorithm}:${actualHex}`,
      },
      hint: 'the registry served other content than its descriptor names',
    },
  );
}

/** Content of another size than its descriptor names (`more`: the stream was cut at `expected`). */
export function sizeMismatch(
  what: string,
  expected: number,
  actual: number,
  code: string,
  more = false,
): VcError {
  return new VcError(
    code,
    `size mismatch for ${what}: expected ${expected} bytes, got ${more ? 'more than ' : ''}${more ? expected : actual}`,
    {
      details: { expectedSize: expected },
      hint: 'the registry served other content than its descriptor names',
    },
  );
}
