// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { VORDR_VERSION } from '../commands/version.js';
import { followEvents, parseEventFilters, type EventSelection } from '../events/index.js';
import { parseLogTime } from '../logs/index.js';
import type { DaemonDeps } from './daemon-deps.js';
import { json } from './http-types.js';
import type { Route } from './router.js';

/** healthz, version, info and events (05 §12.1). */
export function systemRoutes(deps: DaemonDeps): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/healthz',
      handler: () => Promise.resolve(json(200, { status: 'ok', storeRoot: deps.root })),
    },
    {
      method: 'GET',
      pattern: '/v1/version',
      handler: () =>
        Promise.resolve(
          json(200, { version: VORDR_VERSION, apiVersion: '1', node: process.versions.node }),
        ),
    },
    {
      method: 'GET',
      pattern: '/v1/info',
      handler: async () => {
        const { gatherHostInfo } = await import('../host-info/index.js');
        return json(
          200,
          await gatherHostInfo({
            root: deps.root,
            version: VORDR_VERSION,
            env: deps.env,
            uid: deps.uid,
            ...(deps.runtime !== undefined ? { runtime: deps.runtime } : {}),
            probeRootfs: deps.uid === 0,
          }),
        );
      },
    },
    {
      method: 'GET',
      pattern: '/v1/events',
      handler: (req) => {
        const nowMs = deps.clock.now().getTime();
        const since = req.query.get('since');
        const until = req.query.get('until');
        const selection: EventSelection = {
          filters: parseEventFilters(req.query.getAll('filter')),
          ...(since !== null && since !== '' ? { sinceMs: eventTime(since, nowMs) } : {}),
          ...(until !== null && until !== '' ? { untilMs: eventTime(until, nowMs) } : {}),
        };
        async function* chunks(): AsyncGenerator<string> {
          for await (const event of followEvents(deps.root, selection, { signal: req.signal })) {
            yield `${JSON.stringify(event)}\n`;
          }
        }
        return Promise.resolve({
          kind: 'stream' as const,
          status: 200,
          contentType: 'application/x-ndjson',
          chunks: chunks(),
        });
      },
    },
  ];
}

/** `since`/`until`: RFC 3339, Unix seconds or a duration back from now (as `logs`). */
function eventTime(text: string, nowMs: number): number {
  try {
    return parseLogTime(text, nowMs);
  } catch (cause) {
    throw new VcError('USAGE', `invalid event time ${JSON.stringify(text)}`, { cause });
  }
}
