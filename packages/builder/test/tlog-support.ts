// SPDX-License-Identifier: Apache-2.0
import { makeStatement, signEnvelope } from '@verified-container/shared/attestation';
import { sha256Hex, type Ed25519PrivateKey } from '@verified-container/shared/crypto';
import { seedKey } from '@verified-container/testkit';

const encoder = new TextEncoder();
const signer: Ed25519PrivateKey = seedKey(0x42);

/** The JSON bytes of a signed in-toto envelope about artifact `n` (distinct for every n). */
export function envelopeBytes(n: number | string): Uint8Array {
  const statement = makeStatement(
    `artifact-${n}`,
    sha256Hex(encoder.encode(`artifact-${n}`)),
    'https://slsa.dev/provenance/v1',
    { n: String(n) },
  );
  return encoder.encode(JSON.stringify(signEnvelope(statement, signer)));
}

/** A `POST /api/v1/entries` body for {@link envelopeBytes}. */
export function submissionBody(n: number | string): string {
  return JSON.stringify({ attestation: Buffer.from(envelopeBytes(n)).toString('base64') });
}
