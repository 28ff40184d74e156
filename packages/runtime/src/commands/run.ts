// SPDX-License-Identifier: Apache-2.0
import { Option, type Command } from 'commander';
import { LineProgress } from '@verified-container/host';
import { VcError } from '@verified-container/shared';
import { action, collect, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import {
  createContainer,
  parseVolumeFlag,
  planContainer,
  readHostFacts,
  renderCheck,
  startContainer,
  withContainerLock,
  type ContainerRecord,
  type LifecycleContext,
} from '../container/index.js';
import type { StoreImage } from '../image/index.js';
import { resolveRunImage } from '../image-load/resolve-run-image.js';
import { parsePullPolicy } from '../image-registry/pull-policy.js';
import { parseEntrypointFlag } from '../oci-spec/index.js';
import { signedProfileFromLabels } from '../profile/index.js';
import { ensureSupervisorFor } from '../supervisor/supervisor-process.js';
import {
  checkLineJson,
  renderCheckLines,
  verifyStoreImage,
  type ImageVerification,
  type VerifyImageOptions,
} from '../verification/index.js';
import { followForeground } from './foreground.js';
import {
  assertSupportedRunFlags,
  parseLabels,
  parsePositiveInt,
  parseVerifyMode,
  profileFlags,
  runSupervision,
  runVariables,
  type RunFlags,
} from './run-flags.js';
import { contextFor, parseSeconds, volumePortFor } from './support.js';

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
    .option('--add-host <name:ip>', 'an /etc/hosts line (repeatable)', collect)
    .option('--tmpfs <dst[:opts]>', 'a tmpfs mount (repeatable)', collect)
    .option('-p, --publish <spec>', 'publish a port (repeatable)', collect)
    .option('-v, --volume <src:dst[:opts]>', 'a bind mount or named volume (repeatable)', collect)
    .option('-e, --env <k=v>', 'an environment variable (repeatable)', collect)
    .option('--env-file <file>', 'a file of K=V lines (repeatable)', collect)
    .option('--network <name>', 'network (only none in this version)', collect)
    .option('--network-alias <alias>', 'a network alias', collect)
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
    action<[string | undefined, string[]], RunFlags>(box, async ([image, command], flags) =>
      runCommand(deps, flags, image, command),
    ),
  );
}

async function runCommand(
  deps: CliDeps,
  flags: RunFlags & { json?: boolean; quiet?: boolean; root?: string; runtime?: string },
  imageArg: string | undefined,
  commandArg: string[],
): Promise<CommandResult> {
  const imageText = flags.image ?? imageArg;
  const command =
    flags.image !== undefined && imageArg !== undefined ? [imageArg, ...commandArg] : commandArg;
  if (imageText === undefined) {
    throw new VcError('USAGE', 'name the image to run', {
      hint: 'vordr run [FLAGS] IMAGE [CMD...]',
    });
  }
  assertSupportedRunFlags(flags);
  const ctx = contextFor(deps, flags);
  const quiet = flags.quiet === true;
  const say = (text: string): void => {
    if (!quiet) deps.stderr.write(text);
  };

  // 4.1 and 4.2: nothing is created before the decision.
  const host = await readHostFacts();
  if (
    flags.requireSelinux !== undefined &&
    flags.requireSelinux !== false &&
    !host.selinuxEnabled
  ) {
    throw new VcError('SELINUX_REQUIRED', 'SELinux is required but not enabled on this host');
  }
  const storeImage = await resolveRunImage(ctx.root, imageText, {
    cwd: deps.cwd,
    pull: {
      policy: parsePullPolicy(flags.pull),
      registry: { env: deps.env, homeDir: deps.homeDir, logger: deps.logger },
      say,
      ...(quiet ? {} : { progress: new LineProgress(say) }),
    },
  });
  const verification = await verifyStoreImage(storeImage, verifyOptions(ctx, deps, flags));
  say(renderCheckLines(verification.runChecks, verification.result));
  const decision = verification.result.decision;
  if (decision === 'REJECT') {
    const result = verification.result;
    if (flags.json === true) {
      return {
        exitCode: verification.exitCode,
        stdout: jsonLine({
          image: imageText,
          imageDigest: verification.imageDigest,
          decision,
          errorCode: result.errorCode,
          checks: verification.runChecks.map(checkLineJson),
        }),
      };
    }
    return {
      exitCode: verification.exitCode,
      stderr: `Error [${result.errorCode ?? 'REJECT'}]: ${result.message ?? 'the image was rejected'}\n`,
    };
  }

  // 4.3: the profile and every check that must fail before anything exists.
  const plan = planContainer({
    imageText,
    image: storeImage,
    decision,
    flags: profileFlags(flags),
    host,
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.entrypoint !== undefined
      ? { entrypoint: parseEntrypointFlag(flags.entrypoint) }
      : {}),
    command,
    runVariables: await runVariables(flags, deps.cwd, deps.env),
    volumes: (flags.volume ?? []).map(parseVolumeFlag),
    autoRemove: flags.rm === true,
    ...(flags.stopTimeout !== undefined
      ? { stopTimeout: parseSeconds(flags.stopTimeout, '--stop-timeout') }
      : {}),
    labels: parseLabels(flags.label),
  });
  const supervision = runSupervision(
    flags,
    signedProfileFromLabels(storeImage.config.config.labels).runtime.healthcheck,
  );
  for (const d of plan.deviations) {
    say(`! deviation: ${d.setting}: manifest ${d.manifest}, effective ${d.effective}\n`);
  }

  // 4.4–4.7
  const volumes = volumePortFor(ctx);
  const record = await createContainer(ctx, plan, host, volumes);
  Object.assign(record, supervision);
  const detach = flags.detach === true;
  let started: ContainerRecord;
  try {
    started = await withContainerLock(ctx, record.id, () =>
      startContainer(ctx, record, {
        layers: storeImage.layers,
        selinuxEnabled: host.selinuxEnabled,
        attach: !detach,
        // bin.ts never aborts a follow: the foreground settles the exit before it ends.
        attachUntilExit: !detach && deps.signal === undefined,
      }),
    );
  } catch (err) {
    await discard(ctx, record.id);
    throw err;
  }
  for (const check of started.checks) say(renderCheck(check));
  // 05 §4.7: the supervisor runs the healthcheck and the restart policy.
  await ensureSupervisorFor(ctx, [started]);

  if (detach) {
    if (flags.json === true) {
      return { exitCode: 0, stdout: jsonLine(detachedJson(started, storeImage, verification)) };
    }
    return { exitCode: 0, stdout: `${started.id}\n` };
  }
  return followForeground(ctx, deps, started);
}

/** Removes a container whose start failed (05 §4: a later failure undoes what earlier steps made). */
async function discard(ctx: LifecycleContext, id: string): Promise<void> {
  const { removeContainer } = await import('../container/index.js');
  await withContainerLock(ctx, id, async () => {
    const record = await ctx.records.read(id);
    if (record !== undefined) {
      await removeContainer(ctx, record, {
        force: true,
        volumes: true,
        volumePort: volumePortFor(ctx),
      });
    }
  }).catch((err: unknown) => ctx.logger.warn({ err, id }, 'could not remove a failed container'));
}

function verifyOptions(ctx: LifecycleContext, deps: CliDeps, flags: RunFlags): VerifyImageOptions {
  return {
    root: ctx.root,
    env: deps.env,
    clock: deps.clock,
    mode: parseVerifyMode(flags.verifyMode),
    ...(flags.trustStore !== undefined ? { trustStore: flags.trustStore } : {}),
    ...(flags.now !== undefined ? { now: parseNow(flags.now) } : {}),
    ...(flags.logQuorum !== undefined
      ? { logQuorum: parsePositiveInt(flags.logQuorum, '--log-quorum') }
      : {}),
    ...(flags.thresholdGroup !== undefined ? { thresholdGroups: flags.thresholdGroup } : {}),
    ...(flags.vulnDb !== undefined ? { vulnDb: flags.vulnDb } : {}),
    ...(flags.requireVulnDb === true ? { requireVulnDb: true } : {}),
    ...(flags.cache === false ? { noCache: true } : {}),
  };
}

function parseNow(text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new VcError('USAGE', `invalid --now ${JSON.stringify(text)}: expected RFC 3339`);
  }
  return date;
}

/** `run -d --json` (05 §3). */
function detachedJson(record: ContainerRecord, image: StoreImage, verification: ImageVerification) {
  return {
    id: record.id,
    name: record.name,
    image: record.image,
    imageDigest: image.digest,
    decision: verification.result.decision,
    checks: [
      ...verification.runChecks.map(checkLineJson),
      ...record.checks.map((c) => ({ ...c, codes: [] })),
    ],
    deviations: record.deviations,
  };
}
