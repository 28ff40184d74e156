// SPDX-License-Identifier: Apache-2.0
// The base image forms of 01 §4.
import { OCI_NAME_PATTERN, OCI_TAG_PATTERN } from './values.js';

export type BaseImage =
  | { readonly kind: 'scratch' }
  | { readonly kind: 'debian'; readonly suite: string; readonly slim: boolean }
  | { readonly kind: 'oci-layout'; readonly dir: string; readonly ref?: string }
  | {
      readonly kind: 'registry';
      readonly host: string;
      readonly repository: string;
      readonly tag: string;
      readonly digest?: string;
    };

const DEBIAN = /^cerro-torre\/debian:([a-z]+)(-slim)?$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Parses `[base] image`; a string message when it is none of the supported forms. */
export function parseBaseImage(image: string): BaseImage | string {
  if (image === 'scratch') return { kind: 'scratch' };
  const debian = DEBIAN.exec(image);
  if (debian !== null)
    return { kind: 'debian', suite: debian[1] ?? '', slim: debian[2] !== undefined };
  if (image.startsWith('oci:')) {
    const rest = image.slice(4);
    const colon = rest.indexOf(':');
    const dir = colon < 0 ? rest : rest.slice(0, colon);
    const ref = colon < 0 ? undefined : rest.slice(colon + 1);
    if (dir === '' || dir.includes('\u0000') || ref === '')
      return 'oci: needs a directory: oci:<dir>[:<ref>]';
    return ref === undefined ? { kind: 'oci-layout', dir } : { kind: 'oci-layout', dir, ref };
  }
  return parseRegistryReference(image) ?? unsupported(image);
}

function parseRegistryReference(image: string): BaseImage | undefined {
  const slash = image.indexOf('/');
  if (slash < 0) return undefined;
  const host = image.slice(0, slash);
  if (!(host.includes('.') || host.includes(':') || host === 'localhost')) return undefined;
  if (
    !/^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/.test(host) &&
    !/^\[[0-9A-Fa-f:]+\](:[0-9]{1,5})?$/.test(host)
  ) {
    return undefined;
  }
  let rest = image.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  const colon = rest.lastIndexOf(':');
  const repository = colon < 0 ? rest : rest.slice(0, colon);
  const tag = colon < 0 ? 'latest' : rest.slice(colon + 1);
  if (!OCI_NAME_PATTERN.test(repository) || !OCI_TAG_PATTERN.test(tag)) return undefined;
  return digest === undefined
    ? { kind: 'registry', host, repository, tag }
    : { kind: 'registry', host, repository, tag, digest };
}

function unsupported(image: string): string {
  return (
    `unsupported base image ${JSON.stringify(image)}; expected scratch, ` +
    'cerro-torre/debian:<suite>[-slim], oci:<dir>[:<ref>] or <host>/<repo>[:<tag>][@sha256:<hex>]'
  );
}
