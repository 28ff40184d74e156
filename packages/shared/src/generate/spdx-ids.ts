// SPDX-License-Identifier: Apache-2.0
import { compareStrings } from './inputs.js';

/** Maps every character outside `[A-Za-z0-9.-]` to `-` (02 §5): `libstdc++6` → `libstdc--6`. */
export function sanitizeIdPart(text: string): string {
  return text.replace(/[^A-Za-z0-9.-]/gu, '-');
}

/** An element that wants the SPDXID `base`; `tieKey` orders elements that want the same one. */
export interface SpdxIdRequest {
  readonly base: string;
  readonly tieKey: string;
}

/**
 * Assigns unique SPDXIDs (02 §5): requests are sorted by (base, tieKey); the first of each base
 * keeps it, the others get `-2`, `-3`… — skipping any id another request wants as its base, so a
 * suffix never takes a name that exists naturally. Returns the ids in the order of `requests`.
 */
export function assignSpdxIds(requests: readonly SpdxIdRequest[]): string[] {
  const order = requests
    .map((request, index) => ({ request, index }))
    .sort(
      (a, b) =>
        compareStrings(a.request.base, b.request.base) ||
        compareStrings(a.request.tieKey, b.request.tieKey),
    );
  const used = new Set(requests.map((r) => r.base));
  const taken = new Set<string>();
  const ids: string[] = new Array<string>(requests.length);
  for (const { request, index } of order) {
    let id = request.base;
    if (taken.has(id)) {
      let n = 2;
      while (used.has(`${request.base}-${n}`)) n++;
      id = `${request.base}-${n}`;
      used.add(id);
    }
    taken.add(id);
    ids[index] = id;
  }
  return ids;
}
