// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { VcError } from '@verified-container/shared';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import {
  readHostFacts,
  renderCheck,
  startContainer,
  withContainerLock,
  type LifecycleContext,
} from '../container/index.js';
import { resolveImage } from '../image/index.js';
import { renderCheckLines, verifyStoreImage } from '../verification/index.js';
import { ensureSupervisorFor } from '../supervisor/supervisor-process.js';
import { resetRestartState } from '../supervisor/user-stop.js';
import { contextFor, findContainer, parseSeconds } from './support.js';
import { stopContainer } from './stop.js';

interface StartFlags {
  time?: string;
}

export function makeStartCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('start', 'start created or exited containers (verifying their image again)')
    .argument('<container...>', 'names, ids or id prefixes')
    .action(
      action<[string[]], StartFlags>(box, async ([refs], flags) =>
        startEach(deps, contextFor(deps, flags), refs, undefined, flags.quiet === true),
      ),
    );
}

export function makeRestartCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('restart', 'stop, then start containers')
    .argument('<container...>', 'names, ids or id prefixes')
    .option('-t, --time <seconds>', "stop grace period (default the container's, 10)")
    .action(
      action<[string[]], StartFlags>(box, async ([refs], flags) =>
        startEach(
          deps,
          contextFor(deps, flags),
          refs,
          flags.time === undefined ? -1 : parseSeconds(flags.time, '-t'),
          flags.quiet === true,
        ),
      ),
    );
}

/** `start`, or `restart` when `stopGrace` is given (-1: the container's own). */
async function startEach(
  deps: CliDeps,
  ctx: LifecycleContext,
  refs: readonly string[],
  stopGrace: number | undefined,
  quiet: boolean,
): Promise<CommandResult> {
  const host = await readHostFacts();
  const out: string[] = [];
  for (const ref of refs) {
    let record = await findContainer(ctx, ref);
    if (stopGrace !== undefined) {
      await stopContainer(ctx, record.id, stopGrace < 0 ? undefined : stopGrace);
      record = await findContainer(ctx, record.id);
    } else if (record.state === 'running' || record.state === 'restarting') {
      out.push(`${ref}\n`);
      continue;
    }
    if (record.state === 'dead' || record.state === 'removing') {
      throw new VcError(
        'CONTAINER_NOT_RUNNING',
        `container ${record.name} is ${record.state}; only rm works on it`,
      );
    }
    // 05 §4.2: start and restart verify again (normally a cache hit); a REJECT refuses the start.
    const image = await resolveImage(ctx.root, record.imageDigest);
    const verification = await verifyStoreImage(image, {
      root: ctx.root,
      env: deps.env,
      clock: deps.clock,
      mode:
        record.decision === 'ALLOW'
          ? 'strict'
          : record.decision === 'WARN'
            ? 'permissive'
            : 'audit',
    });
    if (verification.result.decision === 'REJECT') {
      if (!quiet) deps.stderr.write(renderCheckLines(verification.runChecks, verification.result));
      const r = verification.result;
      return {
        exitCode: verification.exitCode,
        stderr: `Error [${r.errorCode ?? 'REJECT'}]: ${r.message ?? 'the image was rejected'}\n`,
      };
    }
    const current = record;
    resetRestartState(current);
    const started = await withContainerLock(ctx, record.id, () =>
      startContainer(ctx, current, { layers: image.layers, selinuxEnabled: host.selinuxEnabled }),
    );
    // 05 §4.7: the supervisor runs its healthcheck and restart policy.
    await ensureSupervisorFor(ctx, [started]);
    if (!quiet) for (const check of started.checks) deps.stderr.write(renderCheck(check));
    out.push(`${ref}\n`);
  }
  return { exitCode: 0, stdout: quiet ? '' : out.join('') };
}
