// SPDX-License-Identifier: Apache-2.0
// Content from a registry is trusted only for its digest: every byte is hashed as it arrives.
import { createHash } from 'node:crypto';
import { VcError } from '@verified-container/shared';
import { parseDigest, sha256Hex, type ParsedDigest } from '@verified-container/shared/crypto';
import type { Descriptor } from '../oci/media-types.js';
import { hashMismatch } from '../steps/content-io.js';

/** `sha256:<hex>` parsed; INTERNAL for anything else (callers validated descriptors already). */
function sha256Of(digest: string): ParsedDigest {
  const parsed = parseDigest(digest);
  if (parsed === null || parsed.algorithm !== 'sha256') {
    throw new VcError('INTERNAL', `not a sha256 digest: ${JSON.stringify(digest)}`);
  }
  return parsed;
}

/** BUILD_HASH_MISMATCH unless `bytes` hash to `digest`. Returns the bytes' digest. */
export function assertDigest(bytes: Uint8Array, digest: string, what: string): string {
  const expected = sha256Of(digest);
  const actual = sha256Hex(bytes);
  if (actual !== expected.hex) throw hashMismatch(what, expected, actual);
  return digest;
}

/** BUILD_HASH_MISMATCH unless `bytes` are exactly the content `descriptor` names. */
export function assertDescriptor(bytes: Uint8Array, descriptor: Descriptor, what: string): void {
  assertDigest(bytes, descriptor.digest, what);
  if (bytes.byteLength !== descriptor.size)
    throw sizeMismatch(what, descriptor.size, bytes.byteLength);
}

/**
 * Passes `source` through, hashing and counting it. More bytes than `descriptor.size` stop the
 * stream at once; at the end a different size or digest is BUILD_HASH_MISMATCH. Consumers must
 * read to the end before trusting what they stored.
 */
export async function* verifyingStream(
  source: AsyncIterable<Uint8Array>,
  descriptor: Descriptor,
  what: string,
  onBytes?: (done: number) => void,
): AsyncGenerator<Uint8Array> {
  const expected = sha256Of(descriptor.digest);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (size > descriptor.size) throw sizeMismatch(what, descriptor.size, size, true);
    hash.update(chunk);
    onBytes?.(size);
    yield chunk;
  }
  if (size !== descriptor.size) throw sizeMismatch(what, descriptor.size, size);
  const actual = hash.digest('hex');
  if (actual !== expected.hex) throw hashMismatch(what, expected, actual);
}

function sizeMismatch(what: string, expected: number, actual: number, more = false): VcError {
  return new VcError(
    'BUILD_HASH_MISMATCH',
    `size mismatch for ${what}: expected ${expected} bytes, got ${more ? 'more than ' : ''}${more ? expected : actual}`,
    {
      details: { expectedSize: expected },
      hint: 'the registry served other content than its descriptor names',
    },
  );
}
