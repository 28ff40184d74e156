// SPDX-License-Identifier: Apache-2.0
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { VcError } from '@verified-container/shared';
import { action, collect, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import type { OciSpec } from '../oci-spec/index.js';
import { normalizeContainerPath, resolveUser } from '../profile/index.js';
import { recordExecSession } from '../check/index.js';
import { readRootfsText } from '../container/host-facts.js';
import { containerPaths } from '../store/index.js';
import { runVariables } from './run-flags.js';
import { contextFor, findContainer } from './support.js';

interface ExecFlags {
  env?: string[];
  envFile?: string[];
  user?: string;
  workdir?: string;
  interactive?: boolean;
  tty?: boolean;
}

export function makeExecCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('exec', 'run a command in a running container')
    .argument('<container>', 'name, id or id prefix')
    .argument('<command...>', 'the command and its arguments')
    .passThroughOptions()
    .option('-e, --env <k=v>', 'an environment variable (repeatable)', collect)
    .option('--env-file <file>', 'a file of K=V lines (repeatable)', collect)
    .option('-u, --user <u[:g]>', 'user and group (default the container’s)')
    .option('-w, --workdir <dir>', 'working directory (default the container’s)')
    .option('-i, --interactive', 'keep stdin open and pass it to the command')
    .addOption(new Option('-t, --tty').hideHelp())
    .addHelpText(
      'after',
      `
Runs with the container's confinement (capabilities, seccomp, no_new_privileges). Exit status:
the command's; 125 vordr error.`,
    )
    .action(
      action<[string, string[]], ExecFlags>(box, async ([ref, command], flags) => {
        if (flags.tty === true) throw new VcError('UNSUPPORTED', 'exec -t is not supported');
        if (flags.interactive === true && deps.stdin === undefined) {
          throw new VcError('UNSUPPORTED', 'exec -i needs a standard input');
        }
        const ctx = contextFor(deps, flags);
        const record = await findContainer(ctx, ref);
        if (record.state !== 'running') {
          throw new VcError('CONTAINER_NOT_RUNNING', `container ${record.name} is not running`);
        }
        const paths = containerPaths(ctx.root, record.id);
        const spec = JSON.parse(await readFile(paths.config, 'utf8')) as OciSpec;
        const vars = await runVariables(flags, deps.cwd, deps.env);
        const env = new Map<string, string>();
        for (const entry of spec.process.env ?? []) {
          const eq = entry.indexOf('=');
          env.set(entry.slice(0, eq), entry.slice(eq + 1));
        }
        for (const [k, v] of vars) env.set(k, v);
        let user = spec.process.user;
        if (flags.user !== undefined) {
          const resolved = resolveUser(flags.user, {
            ...(await passwdFiles(paths.rootfs)),
          });
          user = { uid: resolved.uid, gid: resolved.gid, additionalGids: resolved.additionalGids };
        }
        // 05 §7: the session is recorded for `check` (its processes are expected ones).
        const endSession = await recordExecSession(paths.dir, command);
        const result = await ctx.engine
          .exec(
            record.id,
            {
              ...spec.process,
              args: command,
              env: [...env].map(([k, v]) => `${k}=${v}`),
              cwd:
                flags.workdir !== undefined
                  ? normalizeContainerPath(flags.workdir, '-w')
                  : spec.process.cwd,
              user,
            },
            {
              // Streamed as it comes, like docker exec: nothing is kept or cut.
              output: { stdout: deps.stdout, stderr: deps.stderr },
              ...(flags.interactive === true && deps.stdin !== undefined
                ? { stdin: deps.stdin }
                : {}),
            },
          )
          .finally(endSession);
        return { exitCode: result.exitCode ?? 125 };
      }),
    );
}

async function passwdFiles(rootfs: string): Promise<{ passwd?: string; group?: string }> {
  const [passwd, group] = await Promise.all([
    readRootfsText(rootfs, '/etc/passwd'),
    readRootfsText(rootfs, '/etc/group'),
  ]);
  return { ...(passwd !== undefined ? { passwd } : {}), ...(group !== undefined ? { group } : {}) };
}
