// SPDX-License-Identifier: Apache-2.0
import { reconcileNetworkLeases } from '../commands/network.js';
import { parseLabels } from '../commands/run-flags.js';
import {
  createNetwork,
  getNetwork,
  listNetworks,
  networkJson,
  networkListJson,
  networkUsers,
  removeNetworks,
  type CreateNetworkOptions,
} from '../network/index.js';
import { parseJsonBody, readBody, validateBody } from './body.js';
import type { DaemonDeps } from './daemon-deps.js';
import { empty, json } from './http-types.js';
import type { Route } from './router.js';

interface NetworkCreateBody {
  readonly name: string;
  readonly internal?: boolean;
  readonly subnet?: string;
  readonly gateway?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The body of `POST /v1/networks` as `network create` options (05 §12.1): `name` required,
 * `internal`, `subnet`, `gateway`, `labels`; anything else or a wrong kind → VALIDATION_FAILED.
 * Pure; the subnet, gateway and name are checked by `createNetwork` as for the CLI.
 */
export function networkCreateOptions(body: unknown, now: Date): CreateNetworkOptions {
  const b = validateBody<NetworkCreateBody>(body, {
    required: ['name'],
    fields: {
      name: 'string',
      internal: 'boolean',
      subnet: 'string',
      gateway: 'string',
      labels: 'string-map',
    },
  });
  return {
    name: b.name,
    ...(b.internal === true ? { internal: true } : {}),
    ...(b.subnet !== undefined ? { subnet: b.subnet } : {}),
    ...(b.gateway !== undefined ? { gateway: b.gateway } : {}),
    labels: parseLabels(Object.entries(b.labels ?? {}).map(([k, v]) => `${k}=${v}`)),
    now,
  };
}

/** `GET|POST /v1/networks`, `GET|DELETE /v1/networks/{name}` (05 §12.1), as `vordr network`. */
export function networkRoutes(deps: DaemonDeps): Route[] {
  const reconcile = (actor: string) => reconcileNetworkLeases(deps.contextFor(actor));
  return [
    {
      method: 'GET',
      pattern: '/v1/networks',
      handler: async (req) => {
        await reconcile(req.actor);
        return json(200, { networks: networkListJson(await listNetworks(deps.root)) });
      },
    },
    {
      method: 'POST',
      pattern: '/v1/networks',
      handler: async (req) => {
        const body = parseJsonBody(req.headers['content-type'], await readBody(req.body));
        const record = await createNetwork(deps.root, networkCreateOptions(body, deps.clock.now()));
        return json(201, networkJson(record, []), {
          location: `/v1/networks/${encodeURIComponent(record.name)}`,
        });
      },
    },
    {
      method: 'GET',
      pattern: '/v1/networks/{name}',
      handler: async (req) => {
        const name = req.params['name']!;
        await reconcile(req.actor);
        const record = await getNetwork(deps.root, name);
        return json(200, networkJson(record, await networkUsers(deps.root, name)));
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1/networks/{name}',
      handler: async (req) => {
        await reconcile(req.actor);
        await removeNetworks(deps.root, [req.params['name']!]);
        return empty(204);
      },
    },
  ];
}
