// SPDX-License-Identifier: Apache-2.0
// `manifest.toml` of a .ctp package or store bundle (02 §3), as verification reads it.

/** The top-level keys verification uses; a key that is absent or not a string is undefined. */
export interface PackageMetadata {
  readonly name?: string;
  readonly version?: string;
  readonly imageDigest?: string;
}

const KEY_LINE = /^([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*")\s*(?:#.*)?$/;

/**
 * Reads `name`, `version` and `image_digest` from the top-level table of a package's
 * `manifest.toml`. The builder writes these as TOML basic strings with JSON escapes; only that
 * form is read (anything else leaves the key undefined, which verification reports as a
 * mismatch or a missing name). Pure.
 */
export function readPackageMetadata(bytes: Uint8Array): PackageMetadata {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const values = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) break;
    const match = KEY_LINE.exec(line);
    if (match === null) continue;
    try {
      const value: unknown = JSON.parse(match[2] as string);
      if (typeof value === 'string' && !values.has(match[1] as string)) {
        values.set(match[1] as string, value);
      }
    } catch {
      // Not a JSON-compatible basic string: leave the key out.
    }
  }
  const name = values.get('name');
  const version = values.get('version');
  const imageDigest = values.get('image_digest');
  return {
    ...(name !== undefined ? { name } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(imageDigest !== undefined ? { imageDigest } : {}),
  };
}
