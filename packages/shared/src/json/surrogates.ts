// SPDX-License-Identifier: Apache-2.0

/** `String.prototype.isWellFormed` (ES2024, every Node we support); our lib setting is ES2023. */
type WellFormedString = string & { isWellFormed(): boolean };

/**
 * True when a string holds an unpaired UTF-16 surrogate (not representable as UTF-8). Native
 * `isWellFormed`: constant time for one-byte strings, a fast scan for megabyte ones.
 */
export function hasLoneSurrogate(s: string): boolean {
  return !(s as WellFormedString).isWellFormed();
}
