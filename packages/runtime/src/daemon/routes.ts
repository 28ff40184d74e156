// SPDX-License-Identifier: Apache-2.0
import { containerRoutes } from './container-routes.js';
import type { DaemonDeps } from './daemon-deps.js';
import { networkRoutes } from './network-routes.js';
import { registryRoutes } from './registry-routes.js';
import type { Route } from './router.js';
import { storeRoutes } from './store-routes.js';
import { systemRoutes } from './system-routes.js';

/**
 * The route table of 05 §12.1. Networks and image pull/push come from their own modules: each
 * adds a `xRoutes(deps)` here; `extraRoutes` come last.
 */
export function daemonRoutes(deps: DaemonDeps, extraRoutes: readonly Route[] = []): Route[] {
  return [
    ...systemRoutes(deps),
    ...containerRoutes(deps),
    ...storeRoutes(deps),
    ...networkRoutes(deps),
    ...registryRoutes(deps),
    ...extraRoutes,
  ];
}
