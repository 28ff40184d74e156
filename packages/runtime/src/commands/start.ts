// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { action, newCommand, type GlobalFlags, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { daemonFor, refPath, runDetails } from '../client/cli-daemon.js';
import { renderCheck } from '../container/index.js';
import { startByRef } from '../service/containers.js';
import { rejectedLine } from '../service/run-container.js';
import { renderCheckLines } from '../verification/index.js';
import { contextFor, parseSeconds } from './support.js';

interface StartFlags {
  time?: string;
}

export function makeStartCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('start', 'start created or exited containers (verifying their image again)')
    .argument('<container...>', 'names, ids or id prefixes')
    .action(
      action<[string[]], StartFlags>(box, async ([refs], flags) =>
        startEach(deps, flags, refs, undefined, flags.quiet === true),
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
          flags,
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
  flags: GlobalFlags,
  refs: readonly string[],
  stopGrace: number | undefined,
  quiet: boolean,
): Promise<CommandResult> {
  const daemon = await daemonFor(deps, flags);
  const out: string[] = [];
  for (const ref of refs) {
    if (daemon !== undefined) {
      const verb = stopGrace === undefined ? 'start' : 'restart';
      const query = stopGrace !== undefined && stopGrace >= 0 ? `?timeout=${stopGrace}` : '';
      try {
        const res = await daemon.json<{ run?: { stderr?: string } }>(
          'POST',
          `${refPath(ref)}/${verb}${query}`,
        );
        if (!quiet) deps.stderr.write(res.run?.stderr ?? '');
      } catch (err) {
        const run = runDetails(err);
        if (run.error === undefined || run.exitCode === undefined) throw err;
        // A REJECT: the check lines, then the error line (as below).
        if (!quiet) deps.stderr.write(run.stderr);
        return { exitCode: run.exitCode, stderr: run.error };
      }
      out.push(`${ref}\n`);
      continue;
    }
    const outcome = await startByRef(
      contextFor(deps, flags),
      deps,
      ref,
      stopGrace === undefined ? undefined : stopGrace < 0 ? null : stopGrace,
    );
    if (outcome.kind === 'rejected') {
      const v = outcome.verification;
      if (!quiet) deps.stderr.write(renderCheckLines(v.runChecks, v.result));
      return { exitCode: v.exitCode, stderr: rejectedLine(v) };
    }
    if (!quiet && !outcome.alreadyRunning) {
      for (const check of outcome.record.checks) deps.stderr.write(renderCheck(check));
    }
    out.push(`${ref}\n`);
  }
  return { exitCode: 0, stdout: quiet ? '' : out.join('') };
}
