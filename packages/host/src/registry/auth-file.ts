// SPDX-License-Identifier: Apache-2.0
// Registry credentials from the files podman and docker write (containers-auth.json(5)):
// `{"auths": {"<host>[/<repo>]": {"auth": base64("user:password")}}}`.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { decodeBase64, encodeBase64 } from '@verified-container/shared/crypto';
import { parseJson, type JsonValue } from '@verified-container/shared/json';

/** A user name and password for a registry (never logged). */
export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** The file they came from, for messages. */
  readonly source?: string;
}

/** What the lookup reads: the environment and the home directory. */
export interface AuthFileEnv {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
}

/**
 * The auth files in the order they are consulted (01 §8): `$REGISTRY_AUTH_FILE`,
 * `$XDG_RUNTIME_DIR/containers/auth.json`, `~/.docker/config.json`.
 */
export function authFilePaths(where: AuthFileEnv): string[] {
  const paths: string[] = [];
  const explicit = where.env['REGISTRY_AUTH_FILE'];
  if (explicit !== undefined && explicit !== '') paths.push(explicit);
  const runtime = where.env['XDG_RUNTIME_DIR'];
  if (runtime !== undefined && runtime !== '') paths.push(join(runtime, 'containers', 'auth.json'));
  paths.push(join(where.homeDir, '.docker', 'config.json'));
  return paths;
}

/**
 * The credentials for `host` (and `repository`: a `host/repo` key is more specific than a `host`
 * key) from the first auth file that has an entry. A missing file is skipped; an unreadable or
 * malformed one is READ_FAILED naming it.
 */
export async function readRegistryCredentials(
  where: AuthFileEnv,
  host: string,
  repository: string,
): Promise<Credentials | undefined> {
  for (const path of authFilePaths(where)) {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(path);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new VcError('READ_FAILED', `cannot read the registry auth file ${path}`, { cause });
    }
    const found = credentialsFromAuthFile(bytes, path, host, repository);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The credentials for `host`/`repository` in one auth file's bytes. Pure. Keys may carry a
 * scheme and a `/v1/` or `/v2/` suffix (docker's `https://index.docker.io/v1/`). READ_FAILED
 * when the file is not JSON or an `auth` value is not base64 `user:password`.
 */
export function credentialsFromAuthFile(
  bytes: Uint8Array,
  path: string,
  host: string,
  repository: string,
): Credentials | undefined {
  let doc: JsonValue;
  try {
    doc = parseJson(bytes, { mode: 'ecma' });
  } catch (cause) {
    throw new VcError('READ_FAILED', `registry auth file ${path} is not valid JSON`, { cause });
  }
  const auths = isObject(doc) ? doc['auths'] : undefined;
  if (!isObject(auths)) return undefined;
  const entries = new Map<string, JsonValue>();
  for (const [key, value] of Object.entries(auths)) entries.set(normalizeKey(key), value);
  for (const key of lookupKeys(host, repository)) {
    const entry = entries.get(key);
    if (!isObject(entry) || typeof entry['auth'] !== 'string' || entry['auth'] === '') continue;
    return decodeAuth(entry['auth'], path, key);
  }
  return undefined;
}

/** The `Authorization` value of HTTP basic authentication. */
export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${encodeBase64(`${credentials.username}:${credentials.password}`)}`;
}

// Most specific first: host/a/b/c, host/a/b, host/a, host.
function lookupKeys(host: string, repository: string): string[] {
  const hosts =
    host === 'docker.io' || host === 'index.docker.io'
      ? ['docker.io', 'index.docker.io', 'registry-1.docker.io']
      : [host];
  const keys: string[] = [];
  for (const h of hosts) {
    const parts = repository.split('/');
    for (let n = parts.length; n > 0; n--) keys.push(`${h}/${parts.slice(0, n).join('/')}`);
    keys.push(h);
  }
  return keys;
}

function normalizeKey(key: string): string {
  return key
    .replace(/^https?:\/\//, '')
    .replace(/\/v[12]\/?$/, '')
    .replace(/\/+$/, '');
}

function decodeAuth(auth: string, path: string, key: string): Credentials {
  const bad = () =>
    new VcError(
      'READ_FAILED',
      `registry auth file ${path}: the auth of ${JSON.stringify(key)} is not base64 "user:password"`,
      { hint: 'log in again (podman login / docker login) to rewrite it' },
    );
  const bytes = decodeBase64(auth);
  if (bytes === null) throw bad();
  const text = Buffer.from(bytes).toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) throw bad();
  return { username: text.slice(0, colon), password: text.slice(colon + 1), source: path };
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
