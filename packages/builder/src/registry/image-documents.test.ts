// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseImageDocument, selectPlatform, type ImageIndex } from './image-documents.js';
import {
  DOCKER_MANIFEST_LIST_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  MANIFEST_ACCEPT,
} from '@verified-container/host/registry';

const d = (n: number, mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip') => ({
  mediaType,
  digest: `sha256:${n.toString(16).padStart(64, '0')}`,
  size: n,
});
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

describe('parseImageDocument', () => {
  it('reads an OCI manifest, keeping subject, artifactType and annotations', () => {
    const doc = parseImageDocument(
      bytes({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/x-test',
        config: d(1, 'application/vnd.oci.image.config.v1+json'),
        layers: [d(2), d(3)],
        subject: d(4, OCI_MANIFEST),
        annotations: { a: 'b', n: 1 },
      }),
      undefined,
      'm',
    );
    expect(doc).toEqual({
      kind: 'manifest',
      manifest: {
        mediaType: OCI_MANIFEST,
        artifactType: 'application/x-test',
        config: d(1, 'application/vnd.oci.image.config.v1+json'),
        layers: [d(2), d(3)],
        subject: d(4, OCI_MANIFEST),
        annotations: { a: 'b' },
      },
    });
  });

  it('takes the type from Content-Type when the document has no mediaType (Docker v2)', () => {
    const doc = parseImageDocument(
      bytes({ schemaVersion: 2, config: d(1), layers: [] }),
      `${DOCKER_MANIFEST_MEDIA_TYPE}; charset=utf-8`,
      'm',
    );
    expect(doc.kind === 'manifest' && doc.manifest.mediaType).toBe(DOCKER_MANIFEST_MEDIA_TYPE);
    const list = parseImageDocument(
      bytes({ schemaVersion: 2, manifests: [d(5, DOCKER_MANIFEST_MEDIA_TYPE)] }),
      DOCKER_MANIFEST_LIST_MEDIA_TYPE,
      'm',
    );
    expect(list.kind).toBe('index');
  });

  it('falls back to the shape, and asks for every type it reads', () => {
    expect(
      parseImageDocument(bytes({ schemaVersion: 2, manifests: [] }), undefined, 'm').kind,
    ).toBe('index');
    expect(MANIFEST_ACCEPT.split(', ')).toEqual([
      OCI_MANIFEST,
      OCI_INDEX,
      DOCKER_MANIFEST_MEDIA_TYPE,
      DOCKER_MANIFEST_LIST_MEDIA_TYPE,
    ]);
  });

  it.each([
    ['not JSON', Buffer.from('{'), 'REGISTRY_ERROR'],
    ['an array', bytes([]), 'REGISTRY_ERROR'],
    ['schemaVersion 1', bytes({ schemaVersion: 1, config: d(1), layers: [] }), 'REGISTRY_ERROR'],
    [
      'no layers',
      bytes({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: d(1) }),
      'REGISTRY_ERROR',
    ],
    [
      'a bad digest',
      bytes({ schemaVersion: 2, config: { ...d(1), digest: 'sha256:x' }, layers: [] }),
      'REGISTRY_ERROR',
    ],
    [
      'duplicate members',
      Buffer.from('{"schemaVersion":2,"schemaVersion":2,"config":{},"layers":[]}'),
      'REGISTRY_ERROR',
    ],
    [
      'Docker schema 1',
      bytes({
        schemaVersion: 1,
        mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
      }),
      'UNSUPPORTED',
    ],
  ])('refuses %s', (_name, input, code) => {
    expect(() => parseImageDocument(input, undefined, 'the manifest')).toThrow(
      expect.objectContaining({ code }),
    );
  });
});

describe('selectPlatform', () => {
  const index: ImageIndex = {
    mediaType: OCI_INDEX,
    manifests: [
      { ...d(1, OCI_MANIFEST), platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      { ...d(2, OCI_MANIFEST), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { ...d(3, OCI_MANIFEST), platform: { os: 'unknown', architecture: 'unknown' } },
      { ...d(4, OCI_MANIFEST), platform: { os: 'linux', architecture: 'amd64' } },
      d(5, OCI_MANIFEST),
    ],
  };

  it('takes the entry of the os and architecture (and variant when asked)', () => {
    expect(selectPlatform(index, { os: 'linux', architecture: 'amd64' })?.digest).toBe(d(4).digest);
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm64' })?.digest).toBe(d(2).digest);
    expect(
      selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v6' }),
    ).toBeUndefined();
    expect(selectPlatform(index, { os: 'linux', architecture: 's390x' })).toBeUndefined();
  });
});
