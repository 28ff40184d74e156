// SPDX-License-Identifier: Apache-2.0
// When the supervisor re-resolves a container's egress `host` entries (05 §4.6), pure: at the
// shortest TTL, clamped to 30 s–1 h; a name that did not resolve is tried again after 30 s.

/** The shortest and longest wait between two re-resolutions (05 §4.6). */
export const MIN_REFRESH_MS = 30_000;
export const MAX_REFRESH_MS = 3_600_000;
/** A name that did not resolve is tried again after this long. */
export const RETRY_REFRESH_MS = 30_000;
/** The smallest element timeout in an egress set. */
export const MIN_ELEMENT_TIMEOUT_S = 60;

/** What resolving one host entry gave: its TTL in seconds, or a failure. */
export type HostOutcome = { readonly ok: true; readonly ttl: number } | { readonly ok: false };

/** Element timeout for addresses with `ttl` seconds: 2 × TTL, at least 60 s, whole seconds. */
export function elementTimeoutSeconds(ttl: number): number {
  const safe = Number.isFinite(ttl) && ttl > 0 ? ttl : 0;
  return Math.max(MIN_ELEMENT_TIMEOUT_S, Math.ceil(2 * safe));
}

/**
 * The wait until the next re-resolution after `outcomes` (one per host entry): the shortest TTL
 * clamped to 30 s–1 h, or 30 s when any name failed; undefined without host entries.
 */
export function nextRefreshDelayMs(outcomes: readonly HostOutcome[]): number | undefined {
  if (outcomes.length === 0) return undefined;
  let delay = MAX_REFRESH_MS;
  for (const o of outcomes) {
    const ms = o.ok ? o.ttl * 1000 : RETRY_REFRESH_MS;
    delay = Math.min(delay, Number.isFinite(ms) ? ms : MIN_REFRESH_MS);
  }
  return Math.min(MAX_REFRESH_MS, Math.max(MIN_REFRESH_MS, delay));
}
