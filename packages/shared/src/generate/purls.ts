// SPDX-License-Identifier: Apache-2.0
// The package URLs of 02 §5. Names and versions are percent-encoded per the purl spec
// (`encodePurlComponent`); qualifier values keep `:` and `/` literal.
import { VcError } from '../errors.js';
import { debianPurl, encodePurlComponent } from '../image/index.js';
import { parseBaseImage } from '../manifest/base-image.js';
import { requireSha256Hex } from './inputs.js';

// 02 §5 names `%`, `&`, `=`, `#`, `?` and spaces; whitespace, controls and the characters a purl
// never holds raw (`"<>\^`{|}`) are encoded too, or the purl would not parse.
const QUALIFIER_UNSAFE = new Set([...'%&=#?"<>\\^`{|}']);

function isQualifierUnsafe(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return c <= 0x20 || c === 0x7f || QUALIFIER_UNSAFE.has(ch) || /\s/u.test(ch);
}

/** Percent-encodes a qualifier value: `https://h/a b?x=1` → `https://h/a%20b%3Fx%3D1`. */
export function encodeQualifierValue(value: string): string {
  let out = '';
  for (const ch of value) {
    out += isQualifierUnsafe(ch)
      ? Array.from(
          new TextEncoder().encode(ch),
          (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
        ).join('')
      : ch;
  }
  return out;
}

/** `?k=v&…` from pairs whose value is defined and non-empty, keys sorted (purl spec). */
function qualifiers(pairs: Readonly<Record<string, string | undefined>>): string {
  const parts = Object.keys(pairs)
    .sort()
    .flatMap((key) => {
      const value = pairs[key];
      return value === undefined || value === '' ? [] : [`${key}=${encodeQualifierValue(value)}`];
    });
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/**
 * `pkg:deb/debian/<name>@<version>?arch=<arch>&distro=debian-<VERSION_ID>` (02 §5). Without a
 * VERSION_ID (no os-release, or Debian testing/unstable) the `distro` qualifier is left out.
 */
export function debPurl(
  name: string,
  version: string,
  arch: string,
  versionId: string | undefined,
): string {
  if (versionId !== undefined && versionId !== '') {
    return debianPurl(name, version, encodeQualifierValue(arch), encodeQualifierValue(versionId));
  }
  return `pkg:deb/debian/${encodePurlComponent(name)}@${encodePurlComponent(version)}${qualifiers({ arch })}`;
}

/**
 * `pkg:generic/<name>[@<version>]?checksum=sha256:<hex>&download_url=<url>` (02 §5), for external
 * dependencies and extra fetches.
 */
export function genericPurl(
  name: string,
  version: string | undefined,
  sha256Hex: string,
  url: string,
): string {
  const at = version === undefined || version === '' ? '' : `@${encodePurlComponent(version)}`;
  const hex = requireSha256Hex(sha256Hex, `checksum of ${name}`);
  return `pkg:generic/${encodePurlComponent(name)}${at}${qualifiers({
    checksum: `sha256:${hex}`,
    download_url: url,
  })}`;
}

/** `pkg:composer/<vendor>/<name>@<version>` from composer's `vendor/name`. */
export function composerPurl(name: string, version: string): string {
  const slash = name.indexOf('/');
  const path =
    slash < 0
      ? encodePurlComponent(name)
      : `${encodePurlComponent(name.slice(0, slash))}/${encodePurlComponent(name.slice(slash + 1))}`;
  return `pkg:composer/${path}@${encodePurlComponent(version)}`;
}

export interface OciPurlParts {
  /** Last component of the repository name (lowercased, as the purl spec's oci type says). */
  readonly name: string;
  readonly digestHex: string;
  readonly repositoryUrl?: string;
  readonly tag?: string;
}

/** `pkg:oci/<name>@sha256%3A<hex>?repository_url=<repo>&tag=<tag>` (02 §5). */
export function ociPurl(parts: OciPurlParts): string {
  const hex = requireSha256Hex(parts.digestHex, `digest of ${parts.name}`);
  return `pkg:oci/${encodePurlComponent(parts.name.toLowerCase())}@sha256%3A${hex}${qualifiers({
    repository_url: parts.repositoryUrl,
    tag: parts.tag,
  })}`;
}

/** The image's own purl: last name component, `repository_url=<name>`, `tag=<version>` (02 §5). */
export function imagePurl(name: string, version: string, digestHex: string): string {
  return ociPurl({
    name: lastComponent(name),
    digestHex,
    repositoryUrl: name,
    tag: version,
  });
}

/**
 * The purl of a base image from `[base] image` as written and its manifest digest:
 * - `cerro-torre/debian:bookworm-slim` → `pkg:oci/debian@sha256%3A…?repository_url=cerro-torre/debian&tag=bookworm-slim`;
 * - `<host>/<repo>[:<tag>][@sha256:…]` → `repository_url=<host>/<repo>`, `tag` only when written;
 * - `oci:<dir>[:<ref>]` → name from a `name:tag` ref, else the directory's last component; no
 *   `repository_url` (a local directory is no repository); `tag` = the ref's tag.
 *
 * `scratch` and anything unparsable throw `INVALID_ARGUMENT`.
 */
export function baseImagePurl(ref: string, digestHex: string): string {
  const base = parseBaseImage(ref);
  if (typeof base === 'string' || base.kind === 'scratch') {
    throw new VcError('INVALID_ARGUMENT', `${JSON.stringify(ref)} is not a base image with a purl`);
  }
  switch (base.kind) {
    case 'debian': {
      const tag = ref.slice(ref.indexOf(':') + 1);
      return ociPurl({ name: 'debian', digestHex, repositoryUrl: 'cerro-torre/debian', tag });
    }
    case 'registry': {
      const withoutDigest = ref.replace(/@.*$/, '');
      const tagWritten = withoutDigest.lastIndexOf(':') > withoutDigest.lastIndexOf('/');
      return ociPurl({
        name: lastComponent(base.repository),
        digestHex,
        repositoryUrl: `${base.host}/${base.repository}`,
        ...(tagWritten ? { tag: base.tag } : {}),
      });
    }
    case 'oci-layout': {
      const refColon = base.ref?.lastIndexOf(':') ?? -1;
      const refName = base.ref !== undefined && refColon > 0 ? base.ref.slice(0, refColon) : '';
      const tag = base.ref === undefined ? undefined : base.ref.slice(refColon + 1);
      const dirName = lastComponent(base.dir.replace(/\/+$/, '')) || base.dir;
      return ociPurl({
        name: refName !== '' ? lastComponent(refName) : dirName,
        digestHex,
        ...(tag !== undefined ? { tag } : {}),
      });
    }
  }
}

function lastComponent(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
