// SPDX-License-Identifier: Apache-2.0

const ALPHABET = /^[A-Za-z0-9+/_-]*$/;
const EQUALS = 0x3d;

/**
 * Decodes base64 as DSSE readers must (02 §1): the standard or the URL-safe alphabet, padding
 * optional; any other character (whitespace included) or an impossible length gives null.
 */
export function decodeBase64(text: string): Uint8Array | null {
  // payloads are megabytes: count the padding with a loop (a /=*$/ scan tries every position)
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === EQUALS) end--;
  const pad = text.length - end;
  if (pad > 0 && (pad > 2 || text.length % 4 !== 0)) return null;
  if (end % 4 === 1) return null;
  // one anchored regex pass (faster than a charCodeAt loop); slice() makes no copy
  if (!ALPHABET.test(pad > 0 ? text.slice(0, end) : text)) return null;
  // Node's base64 decoder reads the URL-safe alphabet too: no rewriting of - and _
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** Standard alphabet with padding (RFC 4648 §4), the form we always write. */
export function encodeBase64(bytes: Uint8Array | string): string {
  const buf =
    typeof bytes === 'string'
      ? Buffer.from(bytes, 'utf8')
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.toString('base64');
}
