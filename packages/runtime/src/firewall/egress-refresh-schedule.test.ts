// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  MAX_REFRESH_MS,
  MIN_REFRESH_MS,
  RETRY_REFRESH_MS,
  elementTimeoutSeconds,
  nextRefreshDelayMs,
} from './egress-refresh-schedule.js';

describe('nextRefreshDelayMs', () => {
  it('waits for the shortest TTL', () => {
    expect(
      nextRefreshDelayMs([
        { ok: true, ttl: 300 },
        { ok: true, ttl: 120 },
      ]),
    ).toBe(120_000);
  });

  it('clamps short TTLs to 30 s and long ones to 1 h', () => {
    expect(nextRefreshDelayMs([{ ok: true, ttl: 1 }])).toBe(MIN_REFRESH_MS);
    expect(nextRefreshDelayMs([{ ok: true, ttl: 0 }])).toBe(MIN_REFRESH_MS);
    expect(nextRefreshDelayMs([{ ok: true, ttl: 86_400 }])).toBe(MAX_REFRESH_MS);
  });

  it('retries a name that did not resolve after 30 s', () => {
    expect(nextRefreshDelayMs([{ ok: true, ttl: 3000 }, { ok: false }])).toBe(RETRY_REFRESH_MS);
    expect(nextRefreshDelayMs([{ ok: false }])).toBe(30_000);
  });

  it('has nothing to schedule without host entries', () => {
    expect(nextRefreshDelayMs([])).toBeUndefined();
  });

  it('treats a nonsense TTL as the shortest wait', () => {
    expect(nextRefreshDelayMs([{ ok: true, ttl: Number.NaN }])).toBe(MIN_REFRESH_MS);
  });
});

describe('elementTimeoutSeconds', () => {
  it('is 2 × TTL, at least 60 s', () => {
    expect(elementTimeoutSeconds(1)).toBe(60);
    expect(elementTimeoutSeconds(30)).toBe(60);
    expect(elementTimeoutSeconds(45)).toBe(90);
    expect(elementTimeoutSeconds(0.6)).toBe(60);
    expect(elementTimeoutSeconds(Number.NaN)).toBe(60);
  });
});
