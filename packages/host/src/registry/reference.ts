// SPDX-License-Identifier: Apache-2.0
// Registry references (01 §4): `<host>/<repo>[:<tag>][@sha256:<hex>]`.
import { VcError } from '@verified-container/shared';
import { parseBaseImage } from '@verified-container/shared/manifest';

/** A parsed registry reference; the same shape as the manifest's `registry` base form. */
export interface RegistryReference {
  /** `host[:port]` as written (`localhost:5000`, `[::1]:5000`, `ghcr.io`). */
  readonly host: string;
  /** Repository path inside the registry (`example/hello`). */
  readonly repository: string;
  /** `latest` when the reference names none. */
  readonly tag: string;
  /** `sha256:<hex>` when the reference pins one. */
  readonly digest?: string;
}

const FORM = '<host>/<repo>[:<tag>][@sha256:<hex>]';

/**
 * Parses a registry reference. The host must contain `.` or `:` or be `localhost` (01 §4), so
 * `cerro-torre/debian:bookworm` is not one. INVALID_REFERENCE naming `what` otherwise.
 */
export function parseRegistryReference(
  text: string,
  what = 'registry reference',
): RegistryReference {
  const parsed = parseBaseImage(text);
  if (typeof parsed === 'string' || parsed.kind !== 'registry') {
    throw new VcError('INVALID_REFERENCE', `${what} ${JSON.stringify(text)} is not ${FORM}`, {
      hint: 'the host must contain "." or ":" or be "localhost", e.g. localhost:5000/example/hello:1.0',
    });
  }
  const { host, repository, tag, digest } = parsed;
  return digest === undefined ? { host, repository, tag } : { host, repository, tag, digest };
}

/** `host/repo:tag`, or `host/repo@sha256:…` when pinned (the tag is then left out). */
export function formatReference(ref: RegistryReference): string {
  return ref.digest !== undefined
    ? `${ref.host}/${ref.repository}@${ref.digest}`
    : `${ref.host}/${ref.repository}:${ref.tag}`;
}

/** `host/repo`. */
export function repositoryName(ref: Pick<RegistryReference, 'host' | 'repository'>): string {
  return `${ref.host}/${ref.repository}`;
}

/**
 * Whether the registry is spoken to over plain http (01 §8): `localhost`, `127.0.0.0/8` and `::1`
 * always, any host with `insecure`.
 */
export function usesPlainHttp(host: string, insecure = false): boolean {
  if (insecure) return true;
  const name = hostName(host);
  return name === 'localhost' || name === '::1' || /^127(?:\.\d{1,3}){3}$/.test(name);
}

/** The host without its port and IPv6 brackets (`[::1]:5000` → `::1`). */
export function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

// Docker Hub's names are not its API host (docker.io/library/debian lives on registry-1.docker.io).
const DOCKER_HUB_HOSTS: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io']);

/** The base URL of the registry's API (`http://127.0.0.1:5000`, `https://ghcr.io`). */
export function registryBaseUrl(host: string, insecure = false): string {
  const apiHost = DOCKER_HUB_HOSTS.has(host) ? 'registry-1.docker.io' : host;
  return `${usesPlainHttp(host, insecure) ? 'http' : 'https'}://${apiHost}`;
}

/** The repository as the API names it: Docker Hub's one-component names live under `library/`. */
export function apiRepository(ref: Pick<RegistryReference, 'host' | 'repository'>): string {
  return DOCKER_HUB_HOSTS.has(ref.host) && !ref.repository.includes('/')
    ? `library/${ref.repository}`
    : ref.repository;
}

/**
 * A push destination `<host>/<repo>:<tag>`: a bad one, or one with a digest, is USAGE (with
 * `hint` for the former).
 */
export function parseDestination(text: string, hint: string): RegistryReference {
  let ref: RegistryReference;
  try {
    ref = parseRegistryReference(text, 'destination');
  } catch (err) {
    if (err instanceof VcError) throw new VcError('USAGE', err.message, { hint: err.hint ?? hint });
    throw err;
  }
  if (ref.digest !== undefined) {
    throw new VcError('USAGE', `destination ${JSON.stringify(text)} names a digest`, {
      hint: 'push destinations are <registry>/<repo>:<tag>',
    });
  }
  return ref;
}
