// SPDX-License-Identifier: Apache-2.0
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { isVcError, VcError } from '@verified-container/shared';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import {
  DEFAULT_WATCH_INTERVAL_MS,
  measureContainer,
  parseWatchInterval,
  renderReport,
  reportJson,
  watchIntervalOrThrow,
  watchRounds,
  type CheckReport,
  type CheckResult,
} from '../check/index.js';
import type { ContainerRecord, LifecycleContext } from '../container/index.js';
import { resolveImage } from '../image/index.js';
import type { OciSpec } from '../oci-spec/index.js';
import { containerPaths } from '../store/index.js';
import { verifyStoreImage } from '../verification/index.js';
import { contextFor, findContainer } from './support.js';

interface CheckFlags {
  watch?: string | boolean;
  full?: boolean;
}

export function makeCheckCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('check', 'measure a running container against its verified profile')
    .argument('[container]', 'name, id or id prefix')
    .option('--watch [interval]', 'repeat every interval (default 30s) until Ctrl-C')
    .option('--full', 'rehash every file of the root (default: only what may have changed)')
    .addHelpText(
      'after',
      `
Checks: process tree, capabilities, no_new_privs, seccomp, file integrity, read-only root,
cgroup limits, SELinux, network (with networking), verification, deviations.
Exit status: 0 no violation; 1 a check failed (with --watch: in any round); 125 vordr error.`,
    )
    .action(
      action<[string | undefined], CheckFlags>(box, async ([given], flags) => {
        let ref = given;
        let intervalMs: number | undefined;
        if (flags.watch !== undefined && flags.watch !== false) {
          intervalMs = DEFAULT_WATCH_INTERVAL_MS;
          if (typeof flags.watch === 'string') {
            // `check --watch web`: commander took the container for the interval.
            if (ref === undefined && parseWatchInterval(flags.watch) === undefined) {
              ref = flags.watch;
            } else {
              intervalMs = watchIntervalOrThrow(flags.watch);
            }
          }
        }
        if (ref === undefined) {
          throw new VcError('USAGE', "missing required argument 'container'", {
            hint: 'see vordr check --help',
          });
        }
        const ctx = contextFor(deps, flags);
        const json = flags.json === true;
        const round = async (): Promise<boolean> => {
          const report = await checkOnce(ctx, deps, ref, flags.full === true);
          deps.stdout.write(json ? jsonLine(reportJson(report)) : renderReport(report));
          return report.ok;
        };
        if (intervalMs === undefined) return { exitCode: (await round()) ? 0 : 1 };

        const abort = new AbortController();
        const forwardAbort = (): void => abort.abort();
        deps.signal?.addEventListener('abort', forwardAbort, { once: true });
        if (deps.signal?.aborted === true) abort.abort();
        const unsubscribe = deps.onSignal?.((signal) => {
          if (signal === 'SIGINT' || signal === 'SIGTERM') abort.abort();
        });
        try {
          const ok = await watchRounds(round, intervalMs, abort.signal);
          return { exitCode: ok ? 0 : 1 };
        } finally {
          unsubscribe?.();
          deps.signal?.removeEventListener('abort', forwardAbort);
        }
      }),
    );
}

/** One round: the container (reconciled) must be running; then every check of 05 §8. */
export async function checkOnce(
  ctx: LifecycleContext,
  deps: Pick<CliDeps, 'env' | 'clock'>,
  ref: string,
  full: boolean,
): Promise<CheckReport> {
  const record = await findContainer(ctx, ref);
  if (record.state !== 'running') {
    throw new VcError('CONTAINER_NOT_RUNNING', `container ${record.name} is not running`, {
      hint: `vordr start ${record.name}`,
    });
  }
  const spec = JSON.parse(
    await readFile(containerPaths(ctx.root, record.id).config, 'utf8'),
  ) as OciSpec;
  return measureContainer({
    root: ctx.root,
    record,
    spec,
    full,
    now: deps.clock.now(),
    verification: () => verifyAgain(ctx, deps, record),
  });
}

/** `verification` (05 §8): §4.2 again, in the mode the container was run with (cache allowed). */
async function verifyAgain(
  ctx: LifecycleContext,
  deps: Pick<CliDeps, 'env' | 'clock'>,
  record: ContainerRecord,
): Promise<CheckResult> {
  const base = { name: 'verification', title: 'Image still verifies' } as const;
  try {
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
    const { decision, errorCode, message } = verification.result;
    if (decision === 'REJECT') {
      const why = `REJECT: ${errorCode ?? 'REJECT'}${message !== undefined ? ` ${message}` : ''}`;
      return {
        ...base,
        status: 'fail',
        detail: why,
        expected: record.decision,
        observed: 'REJECT',
        violations: [why],
      };
    }
    return {
      ...base,
      status: 'pass',
      detail: `${decision}${verification.cached ? ', cached' : ''}`,
      expected: record.decision,
      observed: decision,
      violations: [],
    };
  } catch (err) {
    const why = isVcError(err) ? `${err.code}: ${err.message}` : String(err);
    return {
      ...base,
      status: 'warn',
      detail: `could not verify again (${why})`,
      violations: [why],
    };
  }
}
