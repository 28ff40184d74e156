// SPDX-License-Identifier: Apache-2.0
import { unlink } from 'node:fs/promises';
import { listReconciled } from '../commands/support.js';
import type { DaemonDeps } from './daemon-deps.js';
import { daemonRoutes } from './routes.js';
import type { Route } from './router.js';
import { ApiServer } from './server.js';
import {
  DEFAULT_SOCKET,
  groupId,
  linkDefaultSocket,
  prepareSocketPath,
  secureSocket,
  unlinkDefaultSocket,
} from './socket.js';

export interface DaemonOptions {
  readonly socket: string;
  readonly socketMode: number;
  /** `--socket-group`; undefined: `vordr` if it exists, else root's. */
  readonly socketGroup?: string;
  readonly extraRoutes?: readonly Route[];
  /** Resolves when the daemon should stop (SIGTERM/SIGINT). */
  readonly stop: Promise<void>;
}

/**
 * `vordr daemon` (05 §12): reconciles every container (running ones are re-adopted), listens on
 * the socket, serves until `stop`, then stops accepting and finishes requests (≤ 10 s). The
 * containers are not touched.
 */
export async function runDaemon(deps: DaemonDeps, options: DaemonOptions): Promise<void> {
  const ctx = deps.contextFor(`cli:${deps.uid}`);
  const records = await listReconciled(ctx);
  deps.logger.info(
    { containers: records.length, running: records.filter((r) => r.state === 'running').length },
    'reconciled the store',
  );

  const gid = options.socketGroup !== undefined ? groupId(options.socketGroup) : groupId('vordr');
  if (options.socketGroup !== undefined && gid === undefined) {
    const { VcError } = await import('@verified-container/shared');
    throw new VcError('USAGE', `no such group: ${options.socketGroup}`, { hint: 'see /etc/group' });
  }
  await prepareSocketPath(options.socket);
  const api = new ApiServer({
    routes: daemonRoutes(deps, options.extraRoutes),
    logger: deps.logger,
    defaultActor: `cli:${deps.uid}`,
  });
  await new Promise<void>((resolve, reject) => {
    api.server.once('error', reject);
    api.server.listen(options.socket, () => {
      api.server.off('error', reject);
      resolve();
    });
  });
  let linked = false;
  try {
    await secureSocket(options.socket, options.socketMode, gid);
    if (options.socket === DEFAULT_SOCKET) linked = await linkDefaultSocket(options.socket);
    deps.logger.info({ socket: options.socket, storeRoot: deps.root }, 'vordr daemon listening');
    await options.stop;
    deps.logger.info('stopping: no new connections, finishing requests');
  } finally {
    await api.close();
    if (linked) await unlinkDefaultSocket(options.socket);
    await unlink(options.socket).catch(() => undefined);
  }
}
