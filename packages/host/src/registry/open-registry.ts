// SPDX-License-Identifier: Apache-2.0
import type { Logger } from '@verified-container/shared';
import { readRegistryCredentials, type AuthFileEnv, type Credentials } from './auth-file.js';
import type { HttpTransport } from './http-transport.js';
import type { RegistryReference } from './reference.js';
import { RegistryClient } from './registry-client.js';

/** What talking to a registry needs from the process. */
export interface RegistryDeps extends AuthFileEnv {
  /** Default: Node's fetch. */
  readonly transport?: HttpTransport;
  readonly logger?: Logger;
  /** Plain http for every host (`--insecure`, `--tls-verify=false`); loopback hosts always do. */
  readonly insecure?: boolean;
  /** The error code of content that does not match its digest (the client's `mismatchCode`). */
  readonly mismatchCode: string;
  /** `cerro-torre`, `vordr`. */
  readonly userAgent?: string;
  /**
   * Credentials given on the command line (`--creds`, or an `--authfile`'s entry): the auth files
   * are then not read; `null` = anonymous (an `--authfile` without an entry for the host).
   */
  readonly credentials?: Credentials | null;
}

/** A client for the reference's registry, with the credentials the auth files hold for it. */
export async function openRegistryClient(
  ref: Pick<RegistryReference, 'host' | 'repository'>,
  deps: RegistryDeps,
): Promise<RegistryClient> {
  const credentials =
    deps.credentials === undefined
      ? await readRegistryCredentials(deps, ref.host, ref.repository)
      : (deps.credentials ?? undefined);
  return new RegistryClient({
    host: ref.host,
    mismatchCode: deps.mismatchCode,
    ...(deps.userAgent !== undefined ? { userAgent: deps.userAgent } : {}),
    ...(deps.insecure === true ? { insecure: true } : {}),
    ...(deps.transport !== undefined ? { transport: deps.transport } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    ...(deps.logger !== undefined ? { logger: deps.logger.child({ registry: ref.host }) } : {}),
  });
}
