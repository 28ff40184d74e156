// SPDX-License-Identifier: Apache-2.0
import { Option, type Command } from 'commander';
import { VcError } from '@verified-container/shared';
import {
  action,
  collect,
  newCommand,
  type GlobalFlags,
  type ResultBox,
} from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { createFromRunFlags, daemonFor, runDetails } from '../client/cli-daemon.js';
import {
  detachedJson,
  rejectedJson,
  rejectedLine,
  runContainer,
  type RunRequest,
} from '../service/run-container.js';
import { followForeground } from './foreground.js';
import type { RunFlags } from './run-flags.js';
import { contextFor } from './support.js';

export function makeRunCommand(deps: CliDeps, box: ResultBox): Command {
  const cmd = newCommand('run', 'verify an image, then run it as a confined container', ['json'])
    .helpOption('--help', 'show this help')
    .usage('[options] IMAGE [COMMAND...]')
    .argument('[image]', 'image reference (name[:tag], sha256:…, digest prefix)')
    .argument('[command...]', 'the command and its arguments (default: the image Entrypoint/Cmd)')
    .passThroughOptions()
    .option('--image <ref>', 'the image, instead of the IMAGE argument')
    .option('-d, --detach', 'run in the background and print the container id')
    .option('--rm', 'remove the container when it exits')
    .option('--name <name>', 'the container name')
    .option('-h, --hostname <name>', 'the hostname')
    .option('--label <k=v>', 'a label (repeatable)', collect)
    .option('--add-host <name:ip>', 'an /etc/hosts line NAME:IP (repeatable)', collect)
    .option('--tmpfs <dst[:opts]>', 'a tmpfs mount (repeatable)', collect)
    .option(
      '-p, --publish <spec>',
      'publish a port [IP:][HOST:]CTR[/tcp|udp] (repeatable)',
      collect,
    )
    .addOption(new Option('--port <spec>', 'the same as --publish').hideHelp().argParser(collect))
    .option('-v, --volume <src:dst[:opts]>', 'a bind mount or named volume (repeatable)', collect)
    .option('-e, --env <k=v>', 'an environment variable (repeatable)', collect)
    .option('--env-file <file>', 'a file of K=V lines (repeatable)', collect)
    .option(
      '--network <name>',
      'a network (repeatable; default vordr; a missing one is created; none = no network)',
      collect,
    )
    .option('--network-alias <alias>', 'another name of the container on its networks', collect)
    .option('-u, --user <u[:g]>', 'user and group')
    .option('-w, --workdir <dir>', 'working directory')
    .option('--entrypoint <cmd>', 'override the image Entrypoint ("" clears; JSON array accepted)')
    .option('--read-only [bool]', 'read-only root filesystem')
    .option('--read-only-tmpfs [bool]', 'tmpfs on /run, /tmp, /var/tmp with a read-only root')
    .option('--cap-add <cap>', 'add a capability (repeatable)', collect)
    .option('--cap-drop <cap>', 'drop a capability (repeatable)', collect)
    .option('--selinux-context <type>', 'SELinux process type')
    .option('--security-opt <opt>', 'label=…, seccomp=PATH|unconfined, no-new-privileges', collect)
    .option('--require-selinux [level]', 'refuse to run without SELinux (enforcing)')
    .option('--egress-allow <spec>', 'allow egress (repeatable)', collect)
    .option('--memory <size>', 'memory limit (e.g. 256m)')
    .option('--pids-limit <n>', 'maximum number of processes (default 2048)')
    .option('--cpus <x>', 'CPU quota in CPUs')
    .option('--ulimit <name=soft[:hard]>', 'an rlimit (repeatable)', collect)
    .option('--stop-timeout <s>', 'seconds between the stop signal and SIGKILL (default 10)')
    .option(
      '--health-cmd <cmd>',
      'healthcheck command (a string runs in /bin/sh; JSON array: exec)',
    )
    .option('--health-interval <d>', 'time between healthchecks (default 30s)')
    .option('--health-timeout <d>', 'a healthcheck running longer fails (default 30s)')
    .option('--health-retries <n>', 'failures in a row that make it unhealthy (default 3)')
    .option('--health-start-period <d>', 'failures in this time after start do not count (0s)')
    .option('--health-on-failure <action>', 'when unhealthy: none (default), kill, restart, stop')
    .option('--no-healthcheck', "disable the image's healthcheck")
    .option('--restart <policy>', 'no (default), on-failure[:N], always, unless-stopped')
    .option('--pull <policy>', 'missing, always or never (registry references only)')
    .option('--tls-verify [bool]', 'for a pull: verify TLS; false = plain http (default true)')
    .option('--creds <user:pass>', 'for a pull: registry credentials (instead of the auth files)')
    .option('--authfile <file>', 'for a pull: read credentials from this auth.json only')
    .option('--verify-mode <mode>', 'strict (default), permissive or audit')
    .option('--trust-store <file>', 'the trust store')
    .option('--now <time>', 'verify as of this time')
    .option('--log-quorum <n>', 'log quorum')
    .option('--threshold-group <g>', 'threshold group (repeatable)', collect)
    .option('--vuln-db <file>', 'vulnerability database')
    .option('--require-vuln-db', 'a vulnerability database is required')
    .option('--no-cache', 'do not use the decision cache')
    .option('--offline', 'verify offline (default)')
    .option('--online', 'also check the logs online')
    .option('--json', 'with -d: print the result as JSON')
    .addOption(new Option('-i, --interactive').hideHelp())
    .addOption(new Option('-t, --tty').hideHelp())
    .addOption(new Option('--privileged').hideHelp())
    .addOption(new Option('--userns <mode>').hideHelp())
    .addOption(new Option('--pid <mode>').hideHelp())
    .addOption(new Option('--ipc <mode>').hideHelp())
    .addHelpText(
      'after',
      `
Verifies the image (05 §4.2), computes its confinement from the signed profile and the flags, and
runs it on runc under conmon. Everything after IMAGE is the container's command.

Exit status: 0 started (-d) ; 1 REJECT; 2 malformed bundle; 125 vordr error; otherwise the
container's own status (foreground).

Examples:
  vordr run --rm hello:1.0
  vordr run -d --name web -e MODE=prod hello:1.0`,
    );
  return cmd.action(
    action<[string | undefined, string[]], RunFlags & { port?: string[] }>(
      box,
      async ([image, command], { port, ...flags }) =>
        // `--port` (the guide's spelling, 05 §3) is `--publish`.
        runCommand(
          deps,
          port === undefined ? flags : { ...flags, publish: [...(flags.publish ?? []), ...port] },
          image,
          command,
        ),
    ),
  );
}

async function runCommand(
  deps: CliDeps,
  flags: RunFlags & { json?: boolean; quiet?: boolean; root?: string; runtime?: string },
  imageArg: string | undefined,
  commandArg: string[],
): Promise<CommandResult> {
  const request = runRequestFromArgs(flags, imageArg, commandArg);
  const quiet = flags.quiet === true;
  const detach = flags.detach === true;
  if (detach) {
    const viaDaemon = await runViaDaemon(deps, flags, request);
    if (viaDaemon !== undefined) return viaDaemon;
  }
  const ctx = contextFor(deps, flags);
  const outcome = await runContainer(
    ctx,
    {
      env: deps.env,
      clock: deps.clock,
      cwd: deps.cwd,
      homeDir: deps.homeDir,
      quiet,
      say: (text) => {
        if (!quiet) deps.stderr.write(text);
      },
      // bin.ts never aborts a follow: the foreground settles the exit before it ends.
      ...(detach ? {} : { attach: { untilExit: deps.signal === undefined } }),
    },
    request,
  );
  if (outcome.kind === 'rejected') {
    if (flags.json === true) {
      return {
        exitCode: outcome.exitCode,
        stdout: jsonLine(rejectedJson(request.image, outcome.verification)),
      };
    }
    return { exitCode: outcome.exitCode, stderr: rejectedLine(outcome.verification) };
  }
  const started = outcome.record;
  if (detach) {
    if (flags.json === true) {
      return {
        exitCode: 0,
        stdout: jsonLine(detachedJson(started, outcome.image, outcome.verification)),
      };
    }
    return { exitCode: 0, stdout: `${started.id}\n` };
  }
  return followForeground(ctx, deps, started);
}

/** `run`'s positionals and flags as the one request of the run service. */
export function runRequestFromArgs(
  flags: RunFlags,
  imageArg: string | undefined,
  commandArg: readonly string[],
): RunRequest {
  const imageText = flags.image ?? imageArg;
  const command =
    flags.image !== undefined && imageArg !== undefined ? [imageArg, ...commandArg] : commandArg;
  if (imageText === undefined) {
    throw new VcError('USAGE', 'name the image to run', {
      hint: 'vordr run [FLAGS] IMAGE [CMD...]',
    });
  }
  return { image: imageText, command, flags };
}

/**
 * `run -d` through the daemon (05 §12) when one answers and every flag has a ContainerCreate
 * field; undefined: run directly. Prints what the direct path prints.
 */
async function runViaDaemon(
  deps: CliDeps,
  flags: RunFlags & { json?: boolean; quiet?: boolean } & GlobalFlags,
  request: RunRequest,
): Promise<CommandResult | undefined> {
  const body = createFromRunFlags(flags, request.image, request.command, deps.env);
  if (body === undefined) return undefined;
  const daemon = await daemonFor(deps, flags);
  if (daemon === undefined) return undefined;
  const say = (text: string | undefined): void => {
    if (flags.quiet !== true && text !== undefined) deps.stderr.write(text);
  };
  try {
    const res = await daemon.json<{ id: string; run: { stderr: string; json: unknown } }>(
      'POST',
      '/v1/containers',
      body,
    );
    say(res.run.stderr);
    return { exitCode: 0, stdout: flags.json === true ? jsonLine(res.run.json) : `${res.id}\n` };
  } catch (err) {
    const run = runDetails(err);
    say(run.stderr);
    if (run.error !== undefined && run.exitCode !== undefined) {
      return flags.json === true
        ? { exitCode: run.exitCode, stdout: jsonLine(run.json) }
        : { exitCode: run.exitCode, stderr: run.error };
    }
    throw err;
  }
}
