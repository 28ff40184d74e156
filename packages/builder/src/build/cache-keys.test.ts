// SPDX-License-Identifier: Apache-2.0
import { sha256Hex } from '@verified-container/shared/crypto';
import { describe, expect, it } from 'vitest';
import {
  buildCacheKey,
  layerCacheKey,
  type BuildKeyInput,
  type LayerKeyInput,
} from './cache-keys.js';

const layer: LayerKeyInput = {
  kind: 'packages',
  lower: ['sha256:aa'],
  inputs: { packages: [{ name: 'busybox', sha256: 'bb' }], install: 'extract' },
  sourceDateEpoch: 0,
  builderVersion: '0.1.0',
};

const build: BuildKeyInput = {
  manifestSha256: 'a'.repeat(64),
  lockSha256: 'b'.repeat(64),
  contextDigest: null,
  sourceDateEpoch: 0,
  builderVersion: '0.1.0',
  zlibVersion: '1.3.0.1-motley',
};

describe('cache keys (01 §6.4)', () => {
  it('is sha256 of the JCS of {kind, lower, inputs, sourceDateEpoch, builderVersion}', () => {
    expect(layerCacheKey(layer)).toBe(
      sha256Hex(
        '{"builderVersion":"0.1.0","inputs":{"install":"extract","packages":[{"name":"busybox","sha256":"bb"}]},"kind":"packages","lower":["sha256:aa"],"sourceDateEpoch":0}',
      ),
    );
  });

  it('does not depend on member order', () => {
    const reordered = {
      ...layer,
      inputs: { install: 'extract', packages: [{ sha256: 'bb', name: 'busybox' }] },
    };
    expect(layerCacheKey(reordered)).toBe(layerCacheKey(layer));
  });

  it('changes with every input', () => {
    const key = layerCacheKey(layer);
    expect(layerCacheKey({ ...layer, kind: 'steps' })).not.toBe(key);
    expect(layerCacheKey({ ...layer, lower: [] })).not.toBe(key);
    expect(layerCacheKey({ ...layer, inputs: {} })).not.toBe(key);
    expect(layerCacheKey({ ...layer, sourceDateEpoch: 1 })).not.toBe(key);
    expect(layerCacheKey({ ...layer, builderVersion: '0.2.0' })).not.toBe(key);
    const whole = buildCacheKey(build);
    expect(whole).toMatch(/^[0-9a-f]{64}$/);
    expect(buildCacheKey({ ...build, lockSha256: 'c'.repeat(64) })).not.toBe(whole);
    expect(buildCacheKey({ ...build, contextDigest: 'd'.repeat(64) })).not.toBe(whole);
    expect(buildCacheKey({ ...build, sourceDateEpoch: 5 })).not.toBe(whole);
    expect(buildCacheKey({ ...build, zlibVersion: '1.3.1' })).not.toBe(whole);
  });
});
