// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  apiRepository,
  formatReference,
  hostName,
  parseRegistryReference,
  registryBaseUrl,
  usesPlainHttp,
} from './reference.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('parseRegistryReference', () => {
  it('reads host, repository, tag and digest', () => {
    expect(parseRegistryReference('localhost:5000/example/hello:1.0')).toEqual({
      host: 'localhost:5000',
      repository: 'example/hello',
      tag: '1.0',
    });
    expect(parseRegistryReference('ghcr.io/org/app')).toEqual({
      host: 'ghcr.io',
      repository: 'org/app',
      tag: 'latest',
    });
    expect(parseRegistryReference(`127.0.0.1:5000/x@${DIGEST}`)).toEqual({
      host: '127.0.0.1:5000',
      repository: 'x',
      tag: 'latest',
      digest: DIGEST,
    });
    expect(parseRegistryReference(`localhost/x:2@${DIGEST}`)).toMatchObject({
      host: 'localhost',
      tag: '2',
      digest: DIGEST,
    });
    expect(parseRegistryReference('[::1]:5000/x:1')).toMatchObject({ host: '[::1]:5000' });
  });

  it.each([
    ['cerro-torre/debian:bookworm', 'no "." or ":" in the host'],
    ['hello:1.0', 'no host'],
    ['scratch', 'not a reference'],
    ['localhost:5000/Upper:1', 'upper-case repository'],
    ['localhost:5000/x:bad tag', 'bad tag'],
    ['localhost:5000/x@sha256:abc', 'short digest'],
    ['oci:dir:ref', 'an OCI layout'],
  ])('refuses %s (%s) with INVALID_REFERENCE', (text) => {
    expect(() => parseRegistryReference(text, 'destination')).toThrow(
      expect.objectContaining({
        code: 'INVALID_REFERENCE',
        message: expect.stringContaining('destination'),
      }),
    );
  });

  it('formats a reference back', () => {
    expect(formatReference(parseRegistryReference('localhost:5000/a/b:1'))).toBe(
      'localhost:5000/a/b:1',
    );
    expect(formatReference(parseRegistryReference(`localhost:5000/a/b:1@${DIGEST}`))).toBe(
      `localhost:5000/a/b@${DIGEST}`,
    );
  });
});

describe('transport choice', () => {
  it('uses plain http for loopback hosts and --insecure only', () => {
    expect(usesPlainHttp('localhost')).toBe(true);
    expect(usesPlainHttp('localhost:5000')).toBe(true);
    expect(usesPlainHttp('127.0.0.1:5000')).toBe(true);
    expect(usesPlainHttp('127.255.3.4')).toBe(true);
    expect(usesPlainHttp('[::1]:5000')).toBe(true);
    expect(usesPlainHttp('128.0.0.1:5000')).toBe(false);
    expect(usesPlainHttp('localhost.example.org')).toBe(false);
    expect(usesPlainHttp('registry.example.org:5000')).toBe(false);
    expect(usesPlainHttp('registry.example.org:5000', true)).toBe(true);
    expect(hostName('[::1]:5000')).toBe('::1');
  });

  it('builds the API base URL (Docker Hub has its own API host)', () => {
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io');
    expect(registryBaseUrl('10.0.0.5:5000', true)).toBe('http://10.0.0.5:5000');
    expect(registryBaseUrl('docker.io')).toBe('https://registry-1.docker.io');
    expect(apiRepository({ host: 'docker.io', repository: 'debian' })).toBe('library/debian');
    expect(apiRepository({ host: 'docker.io', repository: 'org/app' })).toBe('org/app');
    expect(apiRepository({ host: 'ghcr.io', repository: 'debian' })).toBe('debian');
  });
});
