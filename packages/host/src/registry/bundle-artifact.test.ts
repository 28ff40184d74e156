// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BUNDLE_MEDIA_TYPE } from '@verified-container/shared/attestation';
import {
  EMPTY_BLOB,
  EMPTY_DESCRIPTOR,
  bundleArtifact,
  bundleLayerOf,
  attachmentTag,
  parseArtifactManifest,
} from './bundle-artifact.js';

const subject = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'a'.repeat(64)}`,
  size: 568,
  annotations: { 'org.opencontainers.image.ref.name': 'hello:1.0.0' },
};
const bundle = Buffer.from(
  '{\n  "mediaType": "application/vnd.verified-container.bundle+json"\n}\n',
);

describe('bundleArtifact', () => {
  it('uses the OCI empty descriptor, whose digest is that of {}', () => {
    expect(EMPTY_DESCRIPTOR.digest).toBe(
      `sha256:${createHash('sha256').update(EMPTY_BLOB).digest('hex')}`,
    );
    expect(EMPTY_DESCRIPTOR.size).toBe(2);
  });

  it('is an artifact manifest: bundle type, empty config, the bundle bytes, the image as subject', () => {
    const artifact = bundleArtifact(bundle, subject);
    const manifest = JSON.parse(Buffer.from(artifact.manifest.bytes).toString('utf8'));
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: BUNDLE_MEDIA_TYPE,
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
        size: 2,
      },
      layers: [
        {
          mediaType: BUNDLE_MEDIA_TYPE,
          digest: `sha256:${createHash('sha256').update(bundle).digest('hex')}`,
          size: bundle.length,
        },
      ],
      // The subject carries no annotations: a ref name belongs to the index, not the referrer.
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    });
    expect(artifact.manifest.descriptor).toMatchObject({
      artifactType: BUNDLE_MEDIA_TYPE,
      digest: `sha256:${createHash('sha256').update(artifact.manifest.bytes).digest('hex')}`,
    });
  });

  it('is found again by its subject digest', () => {
    const artifact = bundleArtifact(bundle, subject);
    const parsed = parseArtifactManifest(artifact.manifest.bytes, 'artifact');
    expect(bundleLayerOf(parsed, subject.digest)).toEqual(artifact.bundle);
    expect(bundleLayerOf(parsed, `sha256:${'b'.repeat(64)}`)).toBeUndefined();
    expect(() => parseArtifactManifest(Buffer.from('[]'), 'artifact')).toThrow(
      expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
    );
  });
});

describe('attachmentTag', () => {
  it('names the fallback tag after the image digest', () => {
    expect(attachmentTag(subject.digest)).toBe(`sha256-${'a'.repeat(64)}.att`);
  });
});
