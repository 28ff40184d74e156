// SPDX-License-Identifier: Apache-2.0
import { readFile, rm } from 'node:fs/promises';
import { VcError } from '@verified-container/shared';
import { initialHealth } from '../health/health-state.js';
import type { OciSpec } from '../oci-spec/index.js';
import { HostSpecialFiles, prepareContainerRootfs } from '../rootfs/index.js';
import { isMountPoint } from '../rootfs/index.js';
import { openBlob, type ImageLayer } from '../image/index.js';
import {
  connectContainer,
  disconnectContainer,
  ensureDnsForwarder,
  type ConnectedNetworks,
} from '../network/index.js';
import { containerPaths, probeProcess } from '../store/index.js';
import { startFirewall, stopFirewall, type StartedFirewall } from '../firewall/index.js';
import { exitCommand, type LifecycleContext } from './context.js';
import { readProcStatus } from './host-facts.js';
import { capabilityListText, confinementMismatches, parseProcStatus } from './process-checks.js';
import type { ContainerRecord, StoredCheck } from './record.js';
import { exitedMarker } from './teardown.js';
import { emitContainerEvent } from '../events/container-event.js';

/**
 * Starts a created or exited container (05 §4.7): remounts its rootfs when needed, conmon +
 * `runc start`, then the post-start checks of §4.8 (lines 4–6). A failed check kills the container
 * and is `PROFILE_MISMATCH`. The caller holds `ctr-<id>`; `attach` marks a foreground run.
 */
export async function startContainer(
  ctx: LifecycleContext,
  record: ContainerRecord,
  opts: {
    readonly layers: readonly ImageLayer[];
    readonly selinuxEnabled: boolean;
    readonly attach?: boolean;
    /**
     * The attached process settles the exit itself before it ends (it never detaches, unlike
     * an aborted follow in tests): conmon's exit command then skips node while it lives.
     */
    readonly attachUntilExit?: boolean;
    /** Firewall warnings (an egress host that did not resolve, …), for stderr. */
    readonly warn?: (line: string) => void;
  },
): Promise<ContainerRecord> {
  if (record.state === 'running' || record.state === 'restarting') {
    throw new VcError('CONTAINER_RUNNING', `container ${record.name} is already running`);
  }
  const paths = containerPaths(ctx.root, record.id);
  if (record.rootfsMode !== 'copy' && !(await isMountPoint(paths.rootfs))) {
    const rootfs = await prepareContainerRootfs({
      root: ctx.root,
      containerId: record.id,
      layers: opts.layers,
      openBlob: (digest) => openBlob(ctx.root, digest),
      special: new HostSpecialFiles(),
      volatile: record.autoRemove,
    });
    record.rootfsMode = rootfs.mode;
  }
  const spec = JSON.parse(await readFile(paths.config, 'utf8')) as OciSpec;
  if (opts.attach === true) {
    const self = await probeProcess(process.pid);
    record.attachedBy = { pid: process.pid, startTime: self.alive ? self.startTime : null };
  } else {
    delete record.attachedBy;
  }
  await rm(exitedMarker(ctx.root, record.id), { force: true });
  // 05 §4.6: addresses, netns, veths and /etc files before the process exists.
  const connected = await connectContainer(ctx.root, record);
  try {
    const firewall = await startFirewall(ctx.root, record, connected);
    for (const warning of firewall.warnings) opts.warn?.(warning);
    if (firewall.ports.length > 0) record.ports = firewall.ports;
    else delete record.ports;
    if (connected !== undefined) await ctx.records.write(record);
    return await startConnected(ctx, record, spec, opts, connected, firewall);
  } catch (err) {
    if (connected !== undefined && (record.state as string) !== 'running') {
      await stopFirewall(ctx.root, record).catch(() => undefined);
      await disconnectContainer(ctx.root, record).catch(() => undefined);
      await ctx.records.write(record).catch(() => undefined);
    }
    throw err;
  }
}

/** The part of {@link startContainer} after the network exists. */
async function startConnected(
  ctx: LifecycleContext,
  record: ContainerRecord,
  spec: OciSpec,
  opts: { readonly selinuxEnabled: boolean; readonly attachUntilExit?: boolean },
  connected: ConnectedNetworks | undefined,
  firewall: StartedFirewall,
): Promise<ContainerRecord> {
  const paths = containerPaths(ctx.root, record.id);
  const command = exitCommand(
    ctx,
    record.id,
    opts.attachUntilExit === true ? record.attachedBy : undefined,
  );
  const started = await ctx.engine.start({
    id: record.id,
    bundleDir: paths.bundle,
    logPath: paths.log,
    ...(command !== undefined ? { exitCommand: command } : {}),
    stopTimeout: record.stopTimeout,
  });
  record.state = 'running';
  record.pid = started.pid;
  record.conmonPid = started.conmonPid;
  record.startedAt = started.startedAt;
  if (started.cgroupsPath !== undefined) record.cgroupsPath = started.cgroupsPath;
  else delete record.cgroupsPath;
  delete record.finishedAt;
  delete record.exitCode;
  delete record.note;
  record.cleanedUp = false;
  if (record.healthcheck !== undefined) record.health = initialHealth(record.health);
  // The running state is written while the checks look at the process (both take a while); the
  // checks are written after it, so the two writes land in order.
  const running = ctx.records.write(record);
  const checks = await postStartChecks(
    record,
    spec,
    opts.selinuxEnabled,
    connected,
    firewall,
  ).finally(() => running);
  await running;
  record.checks = checks;
  await ctx.records.write(record);
  // 05 §4.6: names resolve through the forwarder on the gateway (started once per store).
  if (connected?.nameserver !== undefined && ctx.selfCommand !== undefined) {
    await ensureDnsForwarder(ctx.root, ctx.selfCommand).catch((err: unknown) =>
      ctx.logger.warn({ err }, 'could not start the DNS forwarder'),
    );
  }
  const failed = checks.find((c) => c.status === 'fail');
  if (failed !== undefined) {
    await ctx.engine.kill(record.id, 'SIGKILL', { all: true }).catch(() => undefined);
    throw new VcError('PROFILE_MISMATCH', `${failed.name}: ${failed.detail}`, {
      details: { id: record.id },
    });
  }
  await emitContainerEvent(ctx, 'start', record);
  return record;
}

/** Lines 4–6 of 05 §4.8 for a just-started container. */
export async function postStartChecks(
  record: ContainerRecord,
  spec: OciSpec,
  selinuxEnabled: boolean,
  connected?: ConnectedNetworks,
  firewall?: StartedFirewall,
): Promise<StoredCheck[]> {
  const selinux: StoredCheck = selinuxEnabled
    ? { name: 'SELinux policy loaded', status: 'pass', detail: record.selinuxLabel }
    : {
        name: 'SELinux policy loaded',
        status: 'skip',
        detail: `SELinux not enabled on this host (label ${record.selinuxLabel})`,
      };
  const caps = [...(spec.process.capabilities?.bounding ?? [])].sort();
  const status = record.pid === undefined ? undefined : await statusAfterExec(record.pid);
  const confinement = status === undefined ? undefined : parseProcStatus(status);
  let capabilities: StoredCheck;
  if (confinement === undefined) {
    capabilities = {
      name: 'Capabilities set correctly',
      status: 'skip',
      detail: 'the process already exited',
    };
  } else {
    const problems = confinementMismatches(confinement, {
      capabilities: caps,
      seccomp: spec.linux?.seccomp !== undefined,
    });
    capabilities =
      problems.length === 0
        ? { name: 'Capabilities set correctly', status: 'pass', detail: capabilityListText(caps) }
        : { name: 'Capabilities set correctly', status: 'fail', detail: problems.join('; ') };
  }
  const network: StoredCheck =
    firewall?.summary !== undefined
      ? { name: 'Network isolation active', status: 'pass', detail: firewall.summary }
      : {
          name: 'Network isolation active',
          status: 'skip',
          detail:
            connected === undefined
              ? 'no network (--network none), no rules requested'
              : `no rules requested (${connected.interfaces.map((i) => `${i.network} ${i.ip}`).join(', ')})`,
        };
  return [selinux, capabilities, network];
}

/** How long to wait for runc init to exec the container's process. */
const EXEC_WAIT_MS = 5000;

/**
 * The init process's status once it runs the container's command: runc installs seccomp right
 * before its exec, after `runc start` returned. Undefined when it already exited (or is a zombie).
 */
async function statusAfterExec(pid: number): Promise<string | undefined> {
  const deadline = Date.now() + EXEC_WAIT_MS;
  for (;;) {
    const status = await readProcStatus(pid);
    if (status === undefined || /^State:\s+[ZX]/m.test(status)) return undefined;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const stillRuncInit = /^runc\0init\0/.test(cmdline) || cmdline.startsWith('runc:');
    if (!stillRuncInit || Date.now() >= deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
