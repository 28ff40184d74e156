// SPDX-License-Identifier: Apache-2.0
import { randomInt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { VcError } from '@verified-container/shared';
import { openBlob, type StoreImage } from '../image/index.js';
import {
  buildOciSpec,
  containerHostname,
  planRuntimeVolumes,
  processArgs,
  type VolumeMount,
} from '../oci-spec/index.js';
import {
  buildProcessEnv,
  computeEffectiveProfile,
  signedProfileFromLabels,
  type Deviation,
  type EffectiveProfile,
  type ProfileFlags,
  type RunVariables,
} from '../profile/index.js';
import { containerNetnsPath, renderHosts, type ExtraHost } from '../network/index.js';
import { HostSpecialFiles, prepareContainerRootfs } from '../rootfs/index.js';
import { defaultSeccompProfilePath, loadSeccomp } from '../seccomp/index.js';
import {
  assertNameFree,
  assertValidName,
  containerPaths,
  generateContainerName,
  newContainerId,
  withLock,
  writeFileAtomic,
} from '../store/index.js';
import { emitContainerEvent } from '../events/container-event.js';
import type { FirewallSettings, PortRequest } from '../firewall/index.js';
import { withContainerLock, type LifecycleContext } from './context.js';
import { hostPathExists, readRootfsText, rootfsLookup, type HostFacts } from './host-facts.js';
import { DEFAULT_STOP_TIMEOUT, type ContainerRecord, type OwnedVolume } from './record.js';
import { removeContainer } from './teardown.js';
import type { VolumeFlag } from './volume-flags.js';
import type { RecordedMount } from './record.js';
import type { VolumePort } from './volumes-port.js';

/** Everything `run` decided before creating anything (05 §4.1–§4.3). */
export interface ContainerPlan {
  /** The reference as typed. */
  readonly imageText: string;
  readonly image: StoreImage;
  readonly decision: 'ALLOW' | 'WARN' | 'LOG';
  readonly profile: EffectiveProfile;
  readonly deviations: readonly Deviation[];
  readonly name?: string;
  readonly entrypoint?: readonly string[];
  readonly command: readonly string[];
  readonly runVariables: RunVariables;
  readonly volumes: readonly VolumeFlag[];
  readonly autoRemove: boolean;
  readonly stopTimeout?: number;
  readonly labels: Readonly<Record<string, string>>;
  /** `--network` names in order with their aliases; empty = `--network none`. */
  readonly networks?: readonly { readonly network: string; readonly aliases: readonly string[] }[];
  readonly extraHosts?: readonly ExtraHost[];
  /** `-p` requests (parsed by the firewall code). */
  readonly publish?: readonly PortRequest[];
}

export interface PlanInput {
  readonly imageText: string;
  readonly image: StoreImage;
  readonly decision: 'ALLOW' | 'WARN' | 'LOG';
  readonly flags: ProfileFlags;
  readonly host: HostFacts;
  readonly name?: string;
  readonly entrypoint?: readonly string[];
  readonly command: readonly string[];
  readonly runVariables: RunVariables;
  readonly volumes: readonly VolumeFlag[];
  readonly autoRemove: boolean;
  readonly stopTimeout?: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly networks?: readonly { readonly network: string; readonly aliases: readonly string[] }[];
  readonly extraHosts?: readonly ExtraHost[];
  /** `-p` requests (parsed by the firewall code). */
  readonly publish?: readonly PortRequest[];
}

/**
 * The pure part of `run` after verification: the effective profile and the checks that must fail
 * before anything is created (`USAGE` for no command, `ENV_REQUIRED`, bad names, capabilities).
 */
export function planContainer(input: PlanInput): ContainerPlan {
  if (input.name !== undefined) assertValidName(input.name);
  const config = input.image.config.config;
  const { profile, deviations } = computeEffectiveProfile({
    signed: signedProfileFromLabels(config.labels),
    ...(config.user !== undefined ? { imageUser: config.user } : {}),
    flags: input.flags,
    capLastCap: input.host.capLastCap,
    callerHardLimits: input.host.callerHardLimits,
  });
  processArgs({
    image: config,
    ...(input.entrypoint !== undefined ? { entrypoint: input.entrypoint } : {}),
    command: input.command,
  });
  // `${VAR:?msg}` → ENV_REQUIRED now; the real environment is built with the container.
  buildProcessEnv({
    imageEnv: config.env ?? [],
    runVariables: input.runVariables,
    hostname: 'localhost',
  });
  return {
    imageText: input.imageText,
    image: input.image,
    decision: input.decision,
    profile,
    deviations,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.entrypoint !== undefined ? { entrypoint: input.entrypoint } : {}),
    command: input.command,
    runVariables: input.runVariables,
    volumes: input.volumes,
    autoRemove: input.autoRemove,
    ...(input.stopTimeout !== undefined ? { stopTimeout: input.stopTimeout } : {}),
    labels: input.labels,
    ...(input.networks !== undefined ? { networks: input.networks } : {}),
    ...(input.extraHosts !== undefined ? { extraHosts: input.extraHosts } : {}),
    ...(input.publish !== undefined ? { publish: input.publish } : {}),
  };
}

/** A random SELinux level `s0:cX,cY` (X < Y < 1024) not used by `taken`. */
export function randomSelinuxLevel(taken: ReadonlySet<string>): string {
  for (;;) {
    const a = randomInt(1024);
    const b = randomInt(1024);
    if (a === b) continue;
    const level = `s0:c${Math.min(a, b)},c${Math.max(a, b)}`;
    if (!taken.has(level)) return level;
  }
}

/**
 * Creates the container of a plan (05 §4.4, §4.5): record (`creating`), container directory and
 * its `/etc` files, rootfs, volumes, seccomp, `config.json`; then the record is `created`.
 * Whatever a failing step leaves is removed again.
 */
export async function createContainer(
  ctx: LifecycleContext,
  plan: ContainerPlan,
  host: HostFacts,
  volumePort: VolumePort,
): Promise<ContainerRecord> {
  const id = newContainerId();
  const { profile } = plan;
  const config = plan.image.config.config;
  let record: ContainerRecord | undefined;
  const firewall: FirewallSettings = {
    egress: profile.egress,
    ingress: profile.ingressAllow,
    publish: plan.publish ?? [],
  };

  await withLock(ctx.root, 'names', async () => {
    const existing = await ctx.records.list();
    const taken = new Set(existing.map((r) => r.name));
    let name: string;
    if (plan.name !== undefined) {
      assertNameFree(plan.name, taken);
      name = plan.name;
    } else {
      name = generateContainerName(taken);
    }
    const levels = new Set(
      existing
        .filter((r) => r.state === 'running')
        .map((r) => r.selinuxLabel.split(':').slice(3).join(':')),
    );
    const level = profile.selinux.level ?? randomSelinuxLevel(levels);
    record = {
      id,
      name,
      state: 'creating',
      image: plan.imageText,
      imageDigest: plan.image.digest,
      ...(plan.image.ref !== undefined ? { imageRef: plan.image.ref } : {}),
      command: [],
      createdAt: ctx.clock.now().toISOString(),
      decision: plan.decision,
      deviations: plan.deviations,
      checks: [],
      autoRemove: plan.autoRemove,
      stopTimeout: plan.stopTimeout ?? DEFAULT_STOP_TIMEOUT,
      volumes: [],
      labels: plan.labels,
      hostname: containerHostname(profile, name, id),
      selinuxLabel: `system_u:system_r:${profile.selinux.type}:${level}`,
      ...((plan.networks ?? []).length > 0
        ? { networkAttachments: plan.networks!.map((n) => ({ ...n, aliases: [...n.aliases] })) }
        : {}),
      ...((plan.extraHosts ?? []).length > 0 ? { extraHosts: plan.extraHosts } : {}),
      // Only with a network and a rule to install: a start without rules never runs nft.
      ...((plan.networks ?? []).length > 0 &&
      (firewall.egress.filter || firewall.ingress.length > 0 || firewall.publish.length > 0)
        ? { firewall }
        : {}),
      backend: ctx.backend,
    };
    await ctx.records.write(record);
  });
  const created = record!;

  try {
    await withContainerLock(ctx, id, async () => {
      const paths = containerPaths(ctx.root, id);
      // The /etc files and the seccomp filter are made while mount(8) runs. Each step is
      // awaited before a failure is thrown, so the undo below never races a mount in progress.
      const etcFiles = writeEtcFiles(paths.dir, created.hostname, created.extraHosts ?? []);
      const rootfsMade = prepareContainerRootfs({
        root: ctx.root,
        containerId: id,
        layers: plan.image.layers,
        openBlob: (digest) => openBlob(ctx.root, digest),
        special: new HostSpecialFiles(),
        volatile: plan.autoRemove,
      });
      const seccompLoaded = loadSeccomp(
        profile.seccomp,
        { capabilities: profile.capabilities, kernelRelease: host.kernelRelease },
        defaultSeccompProfilePath(ctx.env),
      );
      await Promise.allSettled([etcFiles, rootfsMade, seccompLoaded]);
      await etcFiles;
      const rootfs = await rootfsMade;
      const seccomp = await seccompLoaded;
      // Not written yet: a crash leaves a `creating` record, whose removal unmounts whatever is
      // mounted (05 §13); every atomic write costs two fsyncs on the path of a `run`.
      created.rootfsMode = rootfs.mode;

      const volumes = await mountSources(plan.volumes, volumePort, rootfs.path);
      (created as { mounts: readonly RecordedMount[] }).mounts = volumes.map((v) => ({
        type: v.kind,
        source: v.source,
        destination: v.destination,
        readonly: v.readonly,
        ...(v.name !== undefined ? { name: v.name } : {}),
      }));
      const runtimeVolumes = planRuntimeVolumes(
        profile.runtime,
        [...plan.volumes.map((v) => v.destination), ...profile.tmpfs.map((t) => t.destination)],
        id,
      );
      const owned: OwnedVolume[] = [];
      for (const anon of runtimeVolumes.anonymous) {
        const source = await volumePort.ensure({
          name: anon.name,
          rootfs: rootfs.path,
          destination: anon.destination,
          anonymous: true,
          labels: { 'org.verified-container.container': id },
        });
        owned.push({ name: anon.name, destination: anon.destination, persistent: anon.persistent });
        volumes.push({
          kind: 'volume',
          source,
          destination: anon.destination,
          readonly: anon.readonly,
        });
      }
      (created as { volumes: readonly OwnedVolume[] }).volumes = owned;
      // Recorded before going on, so a failed create finds (and removes) the volumes it made.
      if (owned.length > 0 || plan.volumes.length > 0) await ctx.records.write(created);

      const [passwd, group] = await Promise.all([
        readRootfsText(rootfs.path, '/etc/passwd'),
        readRootfsText(rootfs.path, '/etc/group'),
      ]);
      const level = created.selinuxLabel.split(':').slice(3).join(':');
      const { spec, warnings } = buildOciSpec({
        id,
        name: created.name,
        containerDir: paths.dir,
        rootfsPath: rootfs.path,
        image: { digest: plan.image.digest, config },
        decision: plan.decision,
        profile,
        ...(plan.entrypoint !== undefined ? { entrypoint: plan.entrypoint } : {}),
        command: plan.command,
        runVariables: plan.runVariables,
        ...(passwd !== undefined ? { passwd } : {}),
        ...(group !== undefined ? { group } : {}),
        lookup: rootfsLookup(rootfs.path),
        volumes,
        runtimeTmpfs: runtimeVolumes.tmpfs,
        ...(seccomp !== undefined ? { seccomp } : {}),
        swapAccounting: host.swapAccounting,
        selinux: { enabled: host.selinuxEnabled, level },
        ...(containerNetnsPath(created) !== undefined
          ? { networkNamespace: containerNetnsPath(created) }
          : {}),
      });
      for (const warning of warnings) ctx.logger.warn(warning);
      await mkdir(paths.bundle, { recursive: true, mode: 0o700 });
      await writeFileAtomic(paths.config, `${JSON.stringify(spec, null, 2)}\n`);
      (created as { command: readonly string[] }).command = spec.process.args;
      created.state = 'created';
      await ctx.records.write(created);
    });
    await emitContainerEvent(ctx, 'create', created);
  } catch (err) {
    await withContainerLock(ctx, id, () =>
      removeContainer(ctx, created, { force: true, volumes: true, volumePort }),
    ).catch((cleanupErr: unknown) =>
      ctx.logger.warn({ err: cleanupErr, id }, 'could not undo a failed create'),
    );
    throw err;
  }
  return created;
}

/**
 * The host paths of the run's `-v` flags: binds must exist; volumes are created when missing and
 * a new one receives the image's content at its destination (unless `nocopy`).
 */
async function mountSources(
  flags: readonly VolumeFlag[],
  port: VolumePort,
  rootfs: string,
): Promise<(VolumeMount & { readonly name?: string })[]> {
  const mounts: (VolumeMount & { readonly name?: string })[] = [];
  for (const flag of flags) {
    if (flag.kind === 'bind') {
      if (!hostPathExists(flag.source)) {
        throw new VcError('USAGE', `bind mount source ${flag.source} does not exist`, {
          hint: 'create it first; -v with an absolute path mounts an existing host path',
        });
      }
      mounts.push({
        kind: 'bind',
        source: flag.source,
        destination: flag.destination,
        readonly: flag.readonly,
      });
    } else {
      const source = await port.ensure({
        name: flag.source,
        rootfs,
        destination: flag.destination,
        nocopy: flag.nocopy,
      });
      mounts.push({
        kind: 'volume',
        name: flag.source,
        source,
        destination: flag.destination,
        readonly: flag.readonly,
      });
    }
  }
  return mounts;
}

/**
 * `hosts`, `resolv.conf` and `hostname` as a container without a network has them; a start on
 * networks rewrites `hosts` and `resolv.conf` in place (05 §4.6).
 */
async function writeEtcFiles(
  dir: string,
  hostname: string,
  extraHosts: readonly ExtraHost[],
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(`${dir}/hosts`, renderHosts({ hostname, own: [], extraHosts, peers: [] }), {
    mode: 0o644,
  });
  await writeFile(`${dir}/resolv.conf`, '', { mode: 0o644 });
  await writeFile(`${dir}/hostname`, `${hostname}\n`, { mode: 0o644 });
}
