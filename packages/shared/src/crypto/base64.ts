// SPDX-License-Identifier: Apache-2.0

const ALPHABET = /^[A-Za-z0-9+/_-]*$/;

/**
 * Decodes base64 as DSSE readers must (02 §1): the standard or the URL-safe alphabet, padding
 * optional; any other character (whitespace included) or an impossible length gives null.
 */
export function decodeBase64(text: string): Uint8Array | null {
  let body = text;
  const pad = /=*$/.exec(text)?.[0].length ?? 0;
  if (pad > 0) {
    if (pad > 2 || text.length % 4 !== 0) return null;
    body = text.slice(0, -pad);
  }
  if (!ALPHABET.test(body) || body.length % 4 === 1) return null;
  if (pad > 0 && (body.length + pad) % 4 !== 0) return null;
  const standard = body.replace(/-/g, '+').replace(/_/g, '/');
  return new Uint8Array(Buffer.from(standard, 'base64'));
}

/** Standard alphabet with padding (RFC 4648 §4), the form we always write. */
export function encodeBase64(bytes: Uint8Array | string): string {
  const buf =
    typeof bytes === 'string'
      ? Buffer.from(bytes, 'utf8')
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.toString('base64');
}
