// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { Descriptor } from '@verified-container/shared/oci';
import { parseVordrImageReference } from './image-reference.js';
import { findDescriptor } from './resolve-image.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const tagged = (ref: string, d: string): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: d,
  size: 100,
  annotations: { 'org.opencontainers.image.ref.name': ref },
});
const manifests = [
  tagged('cerro-torre/mariadb:11.2', digest('a')),
  tagged('cerro-torre/mariadb:latest', digest('a')),
  tagged('php-aegis-wordpress:0.2.0', `sha256:${'a'.repeat(12)}${'b'.repeat(52)}`),
  tagged('registry.example.com/app:1', digest('e')),
];

const find = (text: string) => findDescriptor(parseVordrImageReference(text), manifests);

describe('parseVordrImageReference', () => {
  it('tells the forms of 05 §2 apart', () => {
    expect(parseVordrImageReference('php-aegis-wordpress:0.2.0').kind).toBe('name');
    expect(parseVordrImageReference('cerro-torre/mariadb:11.2').kind).toBe('name');
    expect(parseVordrImageReference(`sha256:${'a'.repeat(12)}`).kind).toBe('digest-prefix');
    expect(parseVordrImageReference('aaaaaaaaaaaa').kind).toBe('name-or-digest-prefix');
    expect(parseVordrImageReference('./dist/app-1.0.ctp')).toMatchObject({ kind: 'package' });
    expect(parseVordrImageReference('oci:/tmp/lay:app:1')).toEqual({
      kind: 'layout',
      text: 'oci:/tmp/lay:app:1',
      dir: '/tmp/lay',
      ref: 'app:1',
    });
    for (const reg of ['registry.example.com/app:1', 'localhost/app', 'host:5000/app']) {
      expect(parseVordrImageReference(reg).kind).toBe('registry');
    }
  });

  it.each(['Upper:1', 'a:b:c', 'sha256:abc', `sha256:${'g'.repeat(64)}`, 'oci:', ''])(
    'refuses %j with INVALID_REFERENCE',
    (text) => {
      expect(() => parseVordrImageReference(text)).toThrow(
        expect.objectContaining({ code: 'INVALID_REFERENCE' }),
      );
    },
  );
});

describe('findDescriptor', () => {
  it('finds name:tag, name (= :latest), name@digest and digests', () => {
    expect(find('cerro-torre/mariadb:11.2')?.digest).toBe(digest('a'));
    expect(find('cerro-torre/mariadb')?.digest).toBe(digest('a'));
    expect(find(`cerro-torre/mariadb@${digest('a')}`)?.digest).toBe(digest('a'));
    expect(find(digest('a'))?.digest).toBe(digest('a'));
    expect(find('aaaaaaaaaaaab')?.digest).toBe(`sha256:${'a'.repeat(12)}${'b'.repeat(52)}`);
    expect(find('registry.example.com/app:1')?.digest).toBe(digest('e'));
  });

  it('finds a registry reference pinned by digest by that digest (a pull by digest)', () => {
    expect(find(`registry.example.com/app@${digest('e')}`)?.digest).toBe(digest('e'));
    expect(find(`registry.example.com/app:1@${digest('e')}`)?.digest).toBe(digest('e'));
    expect(find(`registry.example.com/app@${digest('f')}`)).toBeUndefined();
  });

  it('is undefined for unknown names, packages and layouts', () => {
    expect(find('php-aegis-wordpress:0.3.0')).toBeUndefined();
    expect(find('x.ctp')).toBeUndefined();
    expect(find('oci:/tmp/x')).toBeUndefined();
  });

  it('refuses a prefix shared by two images (AMBIGUOUS_REFERENCE)', () => {
    expect(() => find('aaaaaaaaaaaa')).toThrow(
      expect.objectContaining({ code: 'AMBIGUOUS_REFERENCE' }),
    );
  });
});
