// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { packageManifestToml } from '../build/package-manifest.js';
import { readPackageMetadata } from './package-metadata.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('readPackageMetadata', () => {
  it('reads what the builder writes', () => {
    const text = packageManifestToml({
      name: 'example/app',
      version: '1.0.0',
      imageDigest: `sha256:${'a'.repeat(64)}`,
      builderVersion: '0.1.0',
      bundleVersion: '0.1.0',
      sourceDateEpoch: 0,
    });
    expect(readPackageMetadata(enc(text))).toEqual({
      name: 'example/app',
      version: '1.0.0',
      imageDigest: `sha256:${'a'.repeat(64)}`,
    });
  });

  it('only the top-level table counts; unreadable values are left out', () => {
    const text = 'name = "a"\nversion = 1\n[metadata]\nimage_digest = "sha256:x"\n';
    expect(readPackageMetadata(enc(text))).toEqual({ name: 'a' });
    expect(readPackageMetadata(enc('image_digest = "bad\\q"\n'))).toEqual({});
  });
});
