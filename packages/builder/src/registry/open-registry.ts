// SPDX-License-Identifier: Apache-2.0
import type { Logger } from '@verified-container/shared';
import { readRegistryCredentials, type AuthFileEnv } from './auth-file.js';
import type { HttpTransport } from './http-transport.js';
import type { RegistryReference } from './reference.js';
import { RegistryClient } from './registry-client.js';

/** What talking to a registry needs from the process. */
export interface RegistryDeps extends AuthFileEnv {
  /** Default: Node's fetch. */
  readonly transport?: HttpTransport;
  readonly logger?: Logger;
  /** Plain http for every host (`--insecure`); loopback hosts always use it. */
  readonly insecure?: boolean;
}

/** A client for the reference's registry, with the credentials the auth files hold for it. */
export async function openRegistryClient(
  ref: Pick<RegistryReference, 'host' | 'repository'>,
  deps: RegistryDeps,
): Promise<RegistryClient> {
  const credentials = await readRegistryCredentials(deps, ref.host, ref.repository);
  return new RegistryClient({
    host: ref.host,
    ...(deps.insecure === true ? { insecure: true } : {}),
    ...(deps.transport !== undefined ? { transport: deps.transport } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    ...(deps.logger !== undefined ? { logger: deps.logger.child({ registry: ref.host }) } : {}),
  });
}
