// SPDX-License-Identifier: Apache-2.0
import { join } from 'node:path';
import type { Clock, Logger } from '@verified-container/shared';
import { ConmonRuncEngine } from '../engine/index.js';
import { ContainerRecords, vordrPaths, withLock } from '../store/index.js';
import type { ContainerRecord } from './record.js';

/** What the lifecycle operations share: the store, the engine and the host's clock and log. */
export interface LifecycleContext {
  readonly root: string;
  readonly engine: ConmonRuncEngine;
  readonly records: ContainerRecords<ContainerRecord>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** How conmon's exit command invokes vordr (`internal cleanup <id>` is appended). */
  readonly selfCommand?: readonly string[];
}

export interface LifecycleContextInput {
  readonly root: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--runtime`: `runc` (default) or a path to runc; `podman` is not built yet. */
  readonly runtime?: string;
  readonly selfCommand?: readonly string[];
}

export function lifecycleContext(input: LifecycleContextInput): LifecycleContext {
  const runtime =
    input.runtime === undefined || input.runtime === 'runc' ? {} : { runc: input.runtime };
  return {
    root: input.root,
    engine: new ConmonRuncEngine({ runDir: vordrPaths(input.root).run, ...runtime }),
    records: new ContainerRecords<ContainerRecord>(input.root),
    clock: input.clock,
    logger: input.logger,
    env: input.env,
    ...(input.selfCommand !== undefined ? { selfCommand: input.selfCommand } : {}),
  };
}

/** Runs `fn` holding the container's lock `ctr-<id>` (00 §4.2). */
export function withContainerLock<T>(
  ctx: LifecycleContext,
  id: string,
  fn: () => Promise<T>,
): Promise<T> {
  return withLock(ctx.root, `ctr-${id}`, fn);
}

/** conmon's exit command for a container: `<vordr> --root <root> internal cleanup <id>`. */
export function exitCommand(ctx: LifecycleContext, id: string): string[] | undefined {
  if (ctx.selfCommand === undefined) return undefined;
  return [...ctx.selfCommand, '--root', ctx.root, 'internal', 'cleanup', id];
}

/** `containers/<id>/` files besides the record: the ones the spec mounts. */
export function etcFile(dir: string, name: 'hosts' | 'resolv.conf' | 'hostname'): string {
  return join(dir, name);
}
