// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { attachmentTag } from './bundle-artifact.js';

const subject = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'ab'.repeat(32)}`,
  size: 812,
  annotations: { 'org.opencontainers.image.ref.name': 'x:1' },
};

describe('attachmentTag', () => {
  it('names the fallback tag after the image digest', () => {
    expect(attachmentTag(subject.digest)).toBe(`sha256-${'ab'.repeat(32)}.att`);
  });
});
