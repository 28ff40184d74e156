// SPDX-License-Identifier: Apache-2.0
// The registry flags of `image pull`, `image push` and `run --pull` (05 §3): `--tls-verify`,
// `--creds USER:PASS`, `--authfile F`, turned into a way to open a registry client.
import { promises as fs } from 'node:fs';
import { VcError, type Logger } from '@verified-container/shared';
import {
  credentialsFromAuthFile,
  openRegistryClient,
  type Credentials,
  type RegistryClient,
  type RegistryReference,
} from '@verified-container/host/registry';

/** The flags as commander hands them over. */
export interface RegistryFlags {
  /** `--tls-verify` alone is `true`; `--tls-verify=false` is the string. */
  readonly tlsVerify?: string | boolean;
  readonly creds?: string;
  readonly authfile?: string;
}

/** What opening a client needs from the process. */
export interface RegistryEnv {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  readonly logger?: Logger;
}

/** vordr's digest mismatches are malformed images (05 §10.1, 00 §7). */
export const VORDR_MISMATCH_CODE = 'MALFORMED_BUNDLE';

/** `--creds USER:PASS` (the password may hold `:`). USAGE when the user name is missing. Pure. */
export function parseCreds(text: string): Credentials {
  const colon = text.indexOf(':');
  if (colon <= 0) {
    throw new VcError('USAGE', '--creds must be USER:PASS', {
      hint: 'e.g. --creds alice:s3cret, or log in with podman login and use the auth file',
    });
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1), source: '--creds' };
}

/** `--tls-verify[=BOOL]`: true unless `false`. USAGE for anything but a boolean. Pure. */
export function parseTlsVerify(value: string | boolean | undefined): boolean {
  if (value === undefined || value === true) return true;
  if (value === false) return false;
  const text = value.toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new VcError('USAGE', `--tls-verify takes true or false, not ${JSON.stringify(value)}`);
}

/**
 * How to open the client of a reference's registry. `--tls-verify=false` talks plain http to
 * every registry (loopback registries always use it); `--creds` wins over the auth files;
 * `--authfile` is the only auth file read (missing → READ_FAILED).
 */
export function registryOpener(
  flags: RegistryFlags,
  env: RegistryEnv,
): (ref: RegistryReference) => Promise<RegistryClient> {
  const insecure = !parseTlsVerify(flags.tlsVerify);
  const creds = flags.creds !== undefined ? parseCreds(flags.creds) : undefined;
  return async (ref) => {
    const credentials =
      creds ??
      (flags.authfile !== undefined
        ? ((await readAuthFile(flags.authfile, ref.host, ref.repository)) ?? null)
        : undefined);
    return openRegistryClient(ref, {
      env: env.env,
      homeDir: env.homeDir,
      mismatchCode: VORDR_MISMATCH_CODE,
      userAgent: 'vordr',
      ...(insecure ? { insecure } : {}),
      ...(credentials !== undefined ? { credentials } : {}),
      ...(env.logger !== undefined ? { logger: env.logger } : {}),
    });
  };
}

async function readAuthFile(
  path: string,
  host: string,
  repository: string,
): Promise<Credentials | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (cause) {
    throw new VcError('READ_FAILED', `cannot read the registry auth file ${path}`, { cause });
  }
  return credentialsFromAuthFile(bytes, path, host, repository);
}
