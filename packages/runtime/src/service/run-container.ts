// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import { VcError, type Clock } from '@verified-container/shared';
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
import { parseEntrypointFlag } from '../oci-spec/index.js';
import {
  checkLineJson,
  renderCheckLines,
  verifyStoreImage,
  type ImageVerification,
  type VerifyImageOptions,
} from '../verification/index.js';
import {
  assertSupportedRunFlags,
  parseLabels,
  parsePositiveInt,
  parseVerifyMode,
  profileFlags,
  runNetworks,
  runSupervision,
  runVariables,
  type RunFlags,
  type RunNetworks,
} from '../commands/run-flags.js';
import { LineProgress } from '@verified-container/host';
import { parsePublishFlags, validateEgress } from '../firewall/index.js';
import { parsePullPolicy } from '../image-registry/pull-policy.js';
import { signedProfileFromLabels } from '../profile/index.js';
import { ensureSupervisorFor } from '../supervisor/supervisor-process.js';
import { parseSeconds, volumePortFor } from '../commands/support.js';

/**
 * The one request of `vordr run` and `POST /v1/containers` (05 §3, §12.2): the CLI's flags as
 * they are spelled on the command line. The API maps a ContainerCreate body onto it
 * (`runRequestFromCreate`), so both take the same path through {@link runContainer}.
 */
export interface RunRequest {
  /** IMAGE (or `--image`). */
  readonly image: string;
  /** The container's command (everything after IMAGE). */
  readonly command: readonly string[];
  readonly flags: RunFlags;
  /** false: create only (ContainerCreate `start: false`). Default true. */
  readonly start?: boolean;
}

/** What the service needs besides the lifecycle context. */
export interface RunEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  /** `--env-file`, bind sources and `.ctp` paths are relative to it. */
  readonly cwd: string;
  /** People-facing progress (check lines, deviations): stderr of the CLI, a buffer in the daemon. */
  readonly say: (text: string) => void;
  /** The caller's home (registry credentials for `--pull`). */
  readonly homeDir: string;
  /** `--quiet`: no pull progress lines. */
  readonly quiet?: boolean;
  /** Foreground runs: the start hands the log to the caller (05 §4.7). */
  readonly attach?: { readonly untilExit: boolean };
}

/** How a run ended: refused before anything existed, or a container created (and started). */
export type RunOutcome =
  | {
      readonly kind: 'rejected';
      readonly exitCode: number;
      readonly verification: ImageVerification;
    }
  | {
      readonly kind: 'container';
      readonly record: ContainerRecord;
      readonly image: StoreImage;
      readonly verification: ImageVerification;
    };

/**
 * `run` of 05 §4: resolve and verify (nothing is created before the decision), plan the profile,
 * create, start. A REJECT is an outcome, not an error; a failure after the create removes the
 * container again.
 */
export async function runContainer(
  ctx: LifecycleContext,
  environment: RunEnvironment,
  request: RunRequest,
): Promise<RunOutcome> {
  const { flags, command } = request;
  const imageText = request.image;
  const { say } = environment;
  assertSupportedRunFlags(flags);

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
    cwd: environment.cwd,
    pull: {
      policy: parsePullPolicy(flags.pull),
      registry: { env: environment.env, homeDir: environment.homeDir, logger: ctx.logger },
      flags: {
        ...(flags.tlsVerify !== undefined ? { tlsVerify: flags.tlsVerify } : {}),
        ...(flags.creds !== undefined ? { creds: flags.creds } : {}),
        ...(flags.authfile !== undefined
          ? { authfile: resolve(environment.cwd, flags.authfile) }
          : {}),
      },
      say,
      ...(environment.quiet === true ? {} : { progress: new LineProgress(say) }),
    },
  });
  const verification = await verifyStoreImage(storeImage, verifyOptions(ctx, environment, flags));
  say(renderCheckLines(verification.runChecks, verification.result));
  const decision = verification.result.decision;
  if (decision === 'REJECT') {
    return { kind: 'rejected', exitCode: verification.exitCode, verification };
  }

  // 4.3: the profile and every check that must fail before anything exists.
  const networking = runNetworks(flags);
  const publish = parsePublishFlags(flags.publish ?? []);
  await assertPublishable(ctx.root, networking, flags.publish ?? []);
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
    runVariables: await runVariables(flags, environment.cwd, environment.env),
    volumes: (flags.volume ?? []).map(parseVolumeFlag),
    autoRemove: flags.rm === true,
    ...(flags.stopTimeout !== undefined
      ? { stopTimeout: parseSeconds(flags.stopTimeout, '--stop-timeout') }
      : {}),
    labels: parseLabels(flags.label),
    ...networking,
    publish,
  });
  const supervision = runSupervision(
    flags,
    signedProfileFromLabels(storeImage.config.config.labels).runtime.healthcheck,
  );
  validateEgress(plan.profile.egress);
  for (const d of plan.deviations) {
    say(`! deviation: ${d.setting}: manifest ${d.manifest}, effective ${d.effective}\n`);
  }

  // 05 §10.3: a missing named network is created, and said so.
  for (const { network } of networking.networks) {
    const { ensureNetwork } = await import('../network/index.js');
    const { record: net, created } = await ensureNetwork(
      ctx.root,
      network,
      environment.clock.now(),
    );
    if (created) say(`vordr: created network "${net.name}" (${net.subnet})\n`);
  }

  // 4.4–4.7
  await ctx.engine.preflight(); // a missing runtime binary creates nothing (05 §15)
  const volumes = volumePortFor(ctx);
  const record = await createContainer(ctx, plan, host, volumes);
  Object.assign(record, supervision);
  if (request.start === false) {
    await withContainerLock(ctx, record.id, () => ctx.records.write(record));
    return { kind: 'container', record, image: storeImage, verification };
  }
  let started: ContainerRecord;
  try {
    started = await withContainerLock(ctx, record.id, () =>
      startContainer(ctx, record, {
        layers: storeImage.layers,
        selinuxEnabled: host.selinuxEnabled,
        attach: environment.attach !== undefined,
        attachUntilExit: environment.attach?.untilExit === true,
        warn: (line) => say(`! ${line}\n`),
      }),
    );
  } catch (err) {
    await discard(ctx, record.id);
    throw err;
  }
  for (const check of started.checks) say(renderCheck(check));
  // 05 §4.7: the supervisor runs the healthcheck and the restart policy.
  await ensureSupervisorFor(ctx, [started]);
  return { kind: 'container', record: started, image: storeImage, verification };
}

/** `run --json` of a REJECT: the image, its digest, the decision and the check lines. */
export function rejectedJson(imageText: string, verification: ImageVerification) {
  const result = verification.result;
  return {
    image: imageText,
    imageDigest: verification.imageDigest,
    decision: result.decision,
    errorCode: result.errorCode,
    checks: verification.runChecks.map(checkLineJson),
  };
}

/** The `Error [CODE]: …` line of a REJECT. */
export function rejectedLine(verification: ImageVerification): string {
  const result = verification.result;
  return `Error [${result.errorCode ?? 'REJECT'}]: ${result.message ?? 'the image was rejected'}\n`;
}

/** `run -d --json` (05 §3). */
export function detachedJson(
  record: ContainerRecord,
  image: StoreImage,
  verification: ImageVerification,
) {
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

function verifyOptions(
  ctx: LifecycleContext,
  environment: RunEnvironment,
  flags: RunFlags,
): VerifyImageOptions {
  const path = (p: string): string => resolve(environment.cwd, p);
  return {
    root: ctx.root,
    env: environment.env,
    clock: environment.clock,
    mode: parseVerifyMode(flags.verifyMode),
    ...(flags.trustStore !== undefined ? { trustStore: path(flags.trustStore) } : {}),
    ...(flags.now !== undefined ? { now: parseNow(flags.now) } : {}),
    ...(flags.logQuorum !== undefined
      ? { logQuorum: parsePositiveInt(flags.logQuorum, '--log-quorum') }
      : {}),
    ...(flags.thresholdGroup !== undefined ? { thresholdGroups: flags.thresholdGroup } : {}),
    ...(flags.vulnDb !== undefined ? { vulnDb: path(flags.vulnDb) } : {}),
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

/**
 * 05 §4.3: `-p` with internal networks only is PROFILE_CONFLICT (with `--network none` the flag
 * check already said so). A network that does not exist yet will be created non-internal.
 */
async function assertPublishable(
  root: string,
  networking: RunNetworks,
  publish: readonly string[],
): Promise<void> {
  if (publish.length === 0 || networking.networks.length === 0) return;
  const { readNetwork } = await import('../network/index.js');
  for (const { network } of networking.networks) {
    const record = await readNetwork(root, network);
    if (record === undefined || !record.internal) return;
  }
  throw new VcError(
    'PROFILE_CONFLICT',
    '-p needs a non-internal network; every network of this container is internal',
    { hint: 'add a non-internal --network, or leave out -p' },
  );
}
