// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parsePurl } from '../attestation/sbom-purl.js';
import {
  baseImagePurl,
  composerPurl,
  debPurl,
  encodeQualifierValue,
  genericPurl,
  imagePurl,
} from './purls.js';

const HEX = 'ab'.repeat(32);

function parsed(purl: string) {
  const result = parsePurl(purl);
  if (!result.ok) throw new Error(`${purl}: ${result.error}`);
  return result.purl;
}

describe('purls (02 §5)', () => {
  it('percent-encodes Debian versions: 1:1.35.0-4+b3 → 1%3A1.35.0-4%2Bb3', () => {
    const purl = debPurl('busybox', '1:1.35.0-4+b3', 'amd64', '12');
    expect(purl).toBe('pkg:deb/debian/busybox@1%3A1.35.0-4%2Bb3?arch=amd64&distro=debian-12');
    expect(parsed(purl)).toEqual({
      type: 'deb',
      namespace: 'debian',
      name: 'busybox',
      version: '1:1.35.0-4+b3',
      qualifiers: { arch: 'amd64', distro: 'debian-12' },
    });
    expect(debPurl('libstdc++6', '12.2.0-14', 'amd64', '12')).toBe(
      'pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12',
    );
  });

  it('leaves out distro without a VERSION_ID', () => {
    expect(debPurl('busybox', '1:1.35.0-4+b3', 'amd64', undefined)).toBe(
      'pkg:deb/debian/busybox@1%3A1.35.0-4%2Bb3?arch=amd64',
    );
  });

  it('keeps : and / literal in qualifier values and encodes % & = # ? and spaces', () => {
    expect(encodeQualifierValue('https://h.org/a b?x=1&y=2#f%')).toBe(
      'https://h.org/a%20b%3Fx%3D1%26y%3D2%23f%25',
    );
    expect(encodeQualifierValue('a|b\tc"é')).toBe('a%7Cb%09c%22é');
    const purl = genericPurl('tool', '1.2+x', `sha256:${HEX}`, 'https://h.org/t?v=1&a=b c');
    expect(purl).toBe(
      `pkg:generic/tool@1.2%2Bx?checksum=sha256:${HEX}&download_url=https://h.org/t%3Fv%3D1%26a%3Db%20c`,
    );
    expect(parsed(purl)).toMatchObject({
      name: 'tool',
      version: '1.2+x',
      qualifiers: { checksum: `sha256:${HEX}`, download_url: 'https://h.org/t?v=1&a=b c' },
    });
  });

  it('writes generic purls without a version for fetches', () => {
    expect(genericPurl('t.tgz', undefined, HEX, 'file:vendor/t.tgz')).toBe(
      `pkg:generic/t.tgz?checksum=sha256:${HEX}&download_url=file:vendor/t.tgz`,
    );
    expect(genericPurl('t.tgz', '', HEX, 'https://h/t')).not.toContain('@');
  });

  it('writes composer purls with vendor as namespace', () => {
    const purl = composerPurl('symfony/polyfill-mbstring', 'v1.28.0');
    expect(purl).toBe('pkg:composer/symfony/polyfill-mbstring@v1.28.0');
    expect(parsed(purl)).toMatchObject({ namespace: 'symfony', name: 'polyfill-mbstring' });
  });

  it('writes the image purl from the last name component', () => {
    expect(imagePurl('acme/web.app', '1.0.0', HEX)).toBe(
      `pkg:oci/web.app@sha256%3A${HEX}?repository_url=acme/web.app&tag=1.0.0`,
    );
    expect(parsed(imagePurl('hello', '1.0.0', HEX)).version).toBe(`sha256:${HEX}`);
  });

  it.each([
    [
      'cerro-torre/debian:bookworm-slim',
      `pkg:oci/debian@sha256%3A${HEX}?repository_url=cerro-torre/debian&tag=bookworm-slim`,
    ],
    [
      'registry.example.org:5000/library/debian:bookworm',
      `pkg:oci/debian@sha256%3A${HEX}?repository_url=registry.example.org:5000/library/debian&tag=bookworm`,
    ],
    [
      `localhost/app@sha256:${'c'.repeat(64)}`,
      `pkg:oci/app@sha256%3A${HEX}?repository_url=localhost/app`,
    ],
    ['oci:layouts/Base', `pkg:oci/base@sha256%3A${HEX}`],
    ['oci:layouts/base:v2', `pkg:oci/base@sha256%3A${HEX}?tag=v2`],
    ['oci:layouts/base:library/app:3', `pkg:oci/app@sha256%3A${HEX}?tag=3`],
  ])('base %s', (ref, expected) => {
    expect(baseImagePurl(ref, HEX)).toBe(expected);
    expect(parsePurl(expected).ok).toBe(true);
  });

  it('has no purl for scratch', () => {
    expect(() => baseImagePurl('scratch', HEX)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
