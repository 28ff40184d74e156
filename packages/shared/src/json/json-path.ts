// SPDX-License-Identifier: Apache-2.0

export type PathSegment = string | number;

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** JSONPath-like text of 01 §1.3: `$.a.b[3]`, keys outside `[A-Za-z0-9_-]+` as `["key"]`. */
export function formatJsonPath(segments: readonly PathSegment[]): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (BARE_KEY.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}
