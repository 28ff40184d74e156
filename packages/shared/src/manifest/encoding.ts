// SPDX-License-Identifier: Apache-2.0
// Byte-level checks of 01 §1.1: size, UTF-8, NUL, BOM. They run before TOML parsing and are reported alone.

/** Largest accepted manifest, in bytes (01 §1.1). */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

export type DecodedManifest =
  | { readonly ok: true; readonly text: string }
  | {
      readonly ok: false;
      readonly code: 'MANIFEST_TOO_LARGE' | 'MANIFEST_ENCODING';
      readonly message: string;
      readonly hint?: string;
      readonly line: number;
      readonly column: number;
    };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes manifest input to text without a BOM, or says why it cannot be a manifest. */
export function decodeManifest(input: string | Uint8Array): DecodedManifest {
  const size = typeof input === 'string' ? utf8Length(input) : input.byteLength;
  if (size > MAX_MANIFEST_BYTES) {
    return {
      ok: false,
      code: 'MANIFEST_TOO_LARGE',
      message: `manifest is ${size} bytes; the limit is ${MAX_MANIFEST_BYTES} bytes (1 MiB)`,
      line: 1,
      column: 1,
    };
  }
  let text: string;
  if (typeof input === 'string') {
    const bad = /[\uD800-\uDFFF]/u.exec(input);
    if (bad !== null) return encodingError('lone UTF-16 surrogate', input.slice(0, bad.index));
    text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  } else {
    try {
      // The decoder drops a leading U+FEFF itself (ignoreBOM is false).
      text = utf8.decode(input);
    } catch {
      const at = firstInvalidUtf8(input);
      const prefix = utf8.decode(input.subarray(0, at)).replace(/^\uFEFF/, '');
      const byte = input[at] ?? 0;
      return encodingError(
        `invalid UTF-8 byte 0x${byte.toString(16).padStart(2, '0')} at offset ${at}`,
        prefix,
      );
    }
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return encodingError('NUL character (U+0000)', text.slice(0, nul));
  return { ok: true, text };
}

function encodingError(what: string, before: string): DecodedManifest {
  const lineStart = before.lastIndexOf('\n') + 1;
  return {
    ok: false,
    code: 'MANIFEST_ENCODING',
    message: `manifest is not valid UTF-8 text: ${what}`,
    hint: 'save the manifest as UTF-8 without NUL characters',
    line: countChar(before, '\n') + 1,
    column: [...before.slice(lineStart)].length + 1,
  };
}

function countChar(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

function utf8Length(text: string): number {
  // Every UTF-16 unit is at least one UTF-8 byte and at most three.
  if (text.length * 3 <= MAX_MANIFEST_BYTES) return text.length;
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}
