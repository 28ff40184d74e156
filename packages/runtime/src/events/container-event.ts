// SPDX-License-Identifier: Apache-2.0
import type { LifecycleContext } from '../container/context.js';
import type { ContainerRecord } from '../container/record.js';
import { emitEvent } from './event-log.js';

/**
 * One container event (create, start, die, stop, destroy, …) from the lifecycle code, with the
 * image and labels as attributes (`label.K`). Never throws.
 */
export function emitContainerEvent(
  ctx: LifecycleContext,
  action: string,
  record: Pick<ContainerRecord, 'id' | 'name' | 'image' | 'labels'>,
  attributes: Readonly<Record<string, string>> = {},
): Promise<void> {
  const labels = Object.fromEntries(
    Object.entries(record.labels).map(([k, v]) => [`label.${k}`, v]),
  );
  return emitEvent(
    {
      root: ctx.root,
      clock: ctx.clock,
      logger: ctx.logger,
      ...(ctx.actor !== undefined ? { actor: ctx.actor } : {}),
    },
    {
      type: 'container',
      action,
      id: record.id,
      name: record.name,
      attributes: { image: record.image, ...labels, ...attributes },
    },
  );
}
