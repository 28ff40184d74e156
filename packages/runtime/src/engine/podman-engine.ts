// SPDX-License-Identifier: Apache-2.0
import { execFile, spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

import { VcError } from '@verified-container/shared';

import type { OciSpec } from '../oci-spec/types.js';
import { DEFAULT_CGROUP_ROOT, removeCgroupTreeOnceEmpty } from './cgroup-cleanup.js';
import { readFileIfExists } from './change-notifier.js';
import {
  DEFAULT_CGROUP_PARENT,
  DEFAULT_KILL_WAIT_MS,
  DEFAULT_LOG_SIZE_MAX,
  runExec,
  type ContainerExit,
  type ContainerStartRequest,
  type ExecOptions,
  type ExecProcess,
  type ExecResult,
  type StartedContainer,
} from './conmon-runc-engine.js';
import type { ContainerRuntimeState, Engine } from './engine.js';
import { findExecutable, isProcessAlive, readCommandLine } from './host-process.js';
import { PODMAN_ID_LABEL, podmanName, podmanRunArgs } from './podman-args.js';
import { ensurePodmanConf, podmanDirs, podmanGlobalArgs, type PodmanDirs } from './podman-conf.js';

/**
 * How long one `podman inspect` answers for a container (reconciliation asks exit status, state
 * and monitor in a row: one podman call, ~100 ms, instead of three). Any change vordr makes
 * through this engine forgets it.
 */
export const INSPECT_REUSE_MS = 250;

/** How often `podman wait` looks at the container. */
export const DEFAULT_PODMAN_WAIT_INTERVAL = '100ms';

export interface PodmanEngineOptions {
  /** `$VC_ROOT/vordr/podman`: podman's conf, storage, run and tmp dirs, events log. */
  readonly podmanDir: string;
  /** `$VC_ROOT/vordr/run`: vordr's exit markers (`podman-exits/<id>`). */
  readonly runDir: string;
  /** podman binary: a name looked up on PATH (default `podman`) or a path. */
  readonly podman?: string;
  /** The caller's environment: a `CONTAINERS_CONF` there replaces vordr's conf file. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cgroupRoot?: string;
  readonly cgroupParent?: string;
  readonly killWaitMs?: number;
}

/** The part of `podman container inspect` vordr reads. */
interface PodmanInspect {
  readonly Id: string;
  readonly State: {
    readonly Status: string;
    readonly Pid?: number;
    readonly ConmonPid?: number;
    readonly ExitCode?: number;
    readonly StartedAt?: string;
    readonly CgroupPath?: string;
  };
  readonly Created?: string;
}

/**
 * The podman backend (05 §14): the container vordr prepared (rootfs, `/etc` files, converted
 * seccomp, spec) runs through the podman CLI as `vc-<id12>` (`podman run -d --rootfs`), under
 * podman's own conmon. podman keeps its storage, state and events under `vordr/podman/`, with
 * vordr's containers.conf. Exits are read from `podman inspect` / `podman wait`: nothing runs
 * vordr when the container exits, so settling is reconciliation's job (and the supervisor's,
 * through {@link PodmanEngine.exits}). Needs uid 0 (vordr mounts the rootfs).
 */
export class PodmanEngine implements Engine {
  readonly backend = 'podman' as const;
  readonly dirs: PodmanDirs;
  readonly #runDir: string;
  readonly #podmanName: string;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #cgroupRoot: string;
  readonly #cgroupParent: string;
  readonly #killWaitMs: number;
  #ready: Promise<{ podman: string; env: NodeJS.ProcessEnv }> | undefined;
  readonly #inspected = new Map<string, { at: number; info: Promise<PodmanInspect | undefined> }>();

  constructor(options: PodmanEngineOptions) {
    this.dirs = podmanDirs(options.podmanDir);
    this.#runDir = options.runDir;
    this.#podmanName = options.podman ?? 'podman';
    this.#env = options.env ?? process.env;
    this.#cgroupRoot = options.cgroupRoot ?? DEFAULT_CGROUP_ROOT;
    this.#cgroupParent = options.cgroupParent ?? DEFAULT_CGROUP_PARENT;
    this.#killWaitMs = options.killWaitMs ?? DEFAULT_KILL_WAIT_MS;
  }

  /** vordr's marker of an exit podman reported (podman's own exit file is gone after cleanup). */
  exitFile(id: string): string {
    return join(this.exitDir, id);
  }

  /** Where the markers are: written when vordr waits for an exit, not by podman. */
  get exitDir(): string {
    return join(this.#runDir, 'podman-exits');
  }

  /** podman's `--cgroup-parent` of a container: its cgroup is `<this>/libpod-<podman id>`. */
  cgroupParentOf(id: string): string {
    return `${this.#cgroupParent}/${id}`;
  }

  async preflight(): Promise<void> {
    await this.ready();
  }

  /** The podman binary and its environment; `RUNTIME_UNAVAILABLE` when podman is missing. */
  async ready(): Promise<{ podman: string; env: NodeJS.ProcessEnv }> {
    this.#ready ??= (async () => {
      const podman = await findExecutable(
        this.#podmanName,
        'install podman (apt-get install podman), or use --runtime runc',
      );
      const given = this.#env['CONTAINERS_CONF'];
      const conf = given !== undefined && given !== '' ? given : await ensurePodmanConf(this.dirs);
      const env: NodeJS.ProcessEnv = { ...this.#env, CONTAINERS_CONF: conf };
      return { podman, env };
    })();
    try {
      return await this.#ready;
    } catch (err) {
      this.#ready = undefined;
      throw err;
    }
  }

  /** The global flags and arguments of a podman command (for tests and the supervisor). */
  commandArgs(args: readonly string[]): string[] {
    return [...podmanGlobalArgs(this.dirs), ...args];
  }

  async start(request: ContainerStartRequest): Promise<StartedContainer> {
    assertRoot();
    const { id } = request;
    const spec = JSON.parse(
      await readFile(join(request.bundleDir, 'config.json'), 'utf8'),
    ) as OciSpec;
    const containerDir = dirname(request.logPath);
    let seccompFile: string | undefined;
    if (spec.linux.seccomp !== undefined) {
      seccompFile = join(containerDir, 'seccomp.json');
      await writeFile(seccompFile, JSON.stringify(spec.linux.seccomp), { mode: 0o600 });
    }
    const args = podmanRunArgs(spec, {
      id,
      logPath: request.logPath,
      logSizeMax: request.logSizeMax ?? DEFAULT_LOG_SIZE_MAX,
      ...(seccompFile !== undefined ? { seccompFile } : {}),
      ...(request.stopTimeout !== undefined ? { stopTimeout: request.stopTimeout } : {}),
      cgroupParent: this.cgroupParentOf(id),
    });
    const existing = await this.#inspect(id);
    if (existing !== undefined) {
      if (!isExited(existing.State.Status) && existing.State.Status !== 'created') {
        throw new VcError(
          'CONTAINER_RUNNING',
          `container ${id.slice(0, 12)} is ${existing.State.Status} in podman`,
        );
      }
      await this.#remove(id);
    }
    await mkdir(dirname(this.exitFile(id)), { recursive: true });
    await rm(this.exitFile(id), { force: true });
    let podmanId: string;
    try {
      podmanId = (await this.#podman(['run', ...args])).stdout.trim().split('\n').pop() ?? '';
    } catch (err) {
      // A failed `podman run` can leave a created container behind.
      await this.#remove(id).catch(() => undefined);
      // podman's conmon of the failed create may still be leaving its cgroup.
      await this.#removeCgroups(id);
      throw err;
    }
    const startedAt = new Date().toISOString();
    const info = await this.#inspect(id);
    const cgroupsPath = `${this.cgroupParentOf(id)}/libpod-${info?.Id ?? podmanId}`;
    return {
      pid: info?.State.Pid ?? 0,
      conmonPid: info?.State.ConmonPid ?? 0,
      startedAt,
      cgroupsPath,
    };
  }

  async state(id: string): Promise<ContainerRuntimeState | undefined> {
    const info = await this.#inspect(id);
    if (info === undefined) return undefined;
    return {
      status: runtimeStatus(info.State.Status),
      pid: info.State.Pid ?? 0,
      bundle: '',
      createdAt: info.Created ?? '',
    };
  }

  async conmonPid(id: string): Promise<number | undefined> {
    const pid = (await this.#inspect(id))?.State.ConmonPid ?? 0;
    if (pid <= 0) return undefined;
    return (await isMonitorOf(pid, id)) ? pid : undefined;
  }

  /** podman's exit code once the container has exited (the marker when podman forgot it). */
  async exitStatus(id: string): Promise<number | undefined> {
    const info = await this.#inspect(id);
    if (info !== undefined && isExited(info.State.Status)) {
      const code = info.State.ExitCode ?? 0;
      await this.#mark(id, code);
      return code;
    }
    return this.#marked(id);
  }

  async kill(id: string, signal: string, _options: { all?: boolean } = {}): Promise<void> {
    // Signalling the init of a pid namespace with SIGKILL ends all of it, so `all` needs nothing.
    assertRoot();
    try {
      await this.#podman(['kill', '--signal', signal, podmanName(id)]);
    } catch (err) {
      if (isNoSuchContainer(err) || isNotRunning(err)) {
        throw new VcError('CONTAINER_NOT_RUNNING', `container ${id.slice(0, 12)} is not running`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  async stop(id: string, graceSeconds: number, stopSignal = 'SIGTERM'): Promise<ContainerExit> {
    const recorded = await this.exitStatus(id);
    if (recorded !== undefined) return { exitCode: recorded };
    await this.#signalIgnoringStopped(id, stopSignal);
    const graceful = await this.waitForExit(id, { timeoutMs: graceSeconds * 1000 });
    if (graceful !== undefined) return graceful;
    await this.#signalIgnoringStopped(id, 'SIGKILL');
    const killed = await this.waitForExit(id, { timeoutMs: this.#killWaitMs });
    if (killed !== undefined) return killed;
    throw new VcError('TIMEOUT', `container ${id.slice(0, 12)} did not exit after SIGKILL`);
  }

  /**
   * `podman wait`: the exit status (and the marker written), `{exitCode: null}` when podman
   * does not know the container and no exit was marked, undefined on timeout or abort.
   */
  async waitForExit(
    id: string,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<ContainerExit | undefined> {
    const now = await this.exitStatus(id);
    if (now !== undefined) return { exitCode: now };
    if ((await this.#inspect(id)) === undefined) return { exitCode: null };
    const { podman, env } = await this.ready();
    const child = spawn(
      podman,
      this.commandArgs(['wait', '--interval', DEFAULT_PODMAN_WAIT_INTERVAL, podmanName(id)]),
      { env, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    let stopped = false;
    const end = (): void => {
      stopped = true;
      child.kill('SIGKILL');
    };
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(end, options.timeoutMs);
    options.signal?.addEventListener('abort', end, { once: true });
    const status = await new Promise<number | null>((resolve) => {
      child.on('error', () => resolve(null));
      child.on('close', (code) => resolve(code));
    }).finally(() => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', end);
    });
    this.#inspected.delete(id);
    if (stopped) return undefined;
    const code = Number(stdout.trim());
    if (status === 0 && stdout.trim() !== '' && Number.isInteger(code)) {
      await this.#mark(id, code);
      return { exitCode: code };
    }
    // Removed meanwhile, or podman failed: what is known now.
    const late = await this.exitStatus(id);
    return { exitCode: late ?? null };
  }

  /**
   * `podman rm --force`, the exit marker, then the cgroup tree under the container's parent once
   * podman's conmon has left it. conmon outlives the container while it runs its exit command
   * (`podman container cleanup`), and `podman inspect` forgets its pid before it leaves, so the
   * cgroup is what tells. That command takes no vordr lock, so waiting for it is safe under the
   * container's lock too: `awaitMonitor` (a runc matter) changes nothing here.
   */
  async delete(id: string, _options: { awaitMonitor?: boolean } = {}): Promise<void> {
    assertRoot();
    // Without podman there is no podman container to remove; the rest still goes.
    const available = await this.ready().then(
      () => true,
      () => false,
    );
    if (available) await this.#remove(id);
    await rm(this.exitFile(id), { force: true });
    await this.#removeCgroups(id);
  }

  /** Waits for podman's conmon to leave the container's cgroups, then removes them. */
  async waitForMonitorGone(id: string, _pid: number): Promise<void> {
    await this.#removeCgroups(id);
  }

  /**
   * Removes the cgroup tree under the container's parent (podman's `libpod-<id>` and `conmon`),
   * trying again while a leaving conmon is still in it. The tree is the container's alone: what
   * is still there after {@link CGROUP_WAIT_MS} is killed.
   */
  async #removeCgroups(id: string): Promise<void> {
    await removeCgroupTreeOnceEmpty(this.cgroupParentOf(id), this.#cgroupRoot, {
      waitMs: CGROUP_WAIT_MS,
      pollMs: CGROUP_POLL_MS,
      graceMs: this.#killWaitMs,
      kill: (pid) => process.kill(pid, 'SIGKILL'),
    });
  }

  /**
   * `podman exec` with the container's confinement (podman applies its caps, seccomp and
   * no_new_privs); user, working directory and environment from `spec`. On timeout the podman
   * client is killed.
   */
  async exec(id: string, spec: ExecProcess, options: ExecOptions = {}): Promise<ExecResult> {
    assertRoot();
    const info = await this.#inspect(id);
    if (info === undefined || runtimeStatus(info.State.Status) !== 'running') {
      throw new VcError('CONTAINER_NOT_RUNNING', `container ${id.slice(0, 12)} is not running`);
    }
    const { podman, env } = await this.ready();
    const args = ['exec'];
    if (options.stdin !== undefined) args.push('--interactive');
    if (spec.user !== undefined) args.push('--user', `${spec.user.uid}:${spec.user.gid}`);
    if (spec.cwd !== undefined) args.push('--workdir', spec.cwd);
    for (const entry of spec.env ?? []) args.push('--env', entry);
    args.push(podmanName(id), ...spec.args);
    return runExec(podman, this.commandArgs(args), {
      pidFile: join(this.#runDir, 'exec', `${id}-podman-none.pid`),
      timeoutMs: options.timeoutMs,
      maxOutputBytes: options.maxOutputBytes ?? 1024 * 1024,
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      ...(options.output !== undefined ? { output: options.output } : {}),
      env,
    });
  }

  /**
   * The vordr ids of podman containers of this store as they die, from `podman events` (for the
   * supervisor, which then reconciles each); with `since`, deaths from then on are included, so
   * nothing between the caller's last look and the start of podman is missed. Ends when `signal`
   * aborts or podman ends.
   */
  async *exits(signal: AbortSignal, options: { since?: Date } = {}): AsyncGenerator<string> {
    const { podman, env } = await this.ready();
    const args = ['events', '--filter', 'event=died', '--format', 'json'];
    if (options.since !== undefined) args.push('--since', options.since.toISOString());
    const child = spawn(podman, this.commandArgs(args), {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const stop = (): void => {
      child.kill('SIGTERM');
    };
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const line of createInterface({ input: child.stdout })) {
        const id = diedContainerId(line);
        if (id !== undefined) yield id;
      }
    } finally {
      signal.removeEventListener('abort', stop);
      child.kill('SIGTERM');
    }
  }

  /** `podman inspect`, reused for {@link INSPECT_REUSE_MS}. */
  async #inspect(id: string): Promise<PodmanInspect | undefined> {
    const now = Date.now();
    const recent = this.#inspected.get(id);
    if (recent !== undefined && now - recent.at < INSPECT_REUSE_MS) return recent.info;
    const info = this.#inspectNow(id);
    this.#inspected.set(id, { at: now, info });
    info.catch(() => this.#inspected.delete(id));
    return info;
  }

  async #inspectNow(id: string): Promise<PodmanInspect | undefined> {
    let stdout: string;
    try {
      ({ stdout } = await this.#podman([
        'container',
        'inspect',
        '--format',
        'json',
        podmanName(id),
      ]));
    } catch (err) {
      if (isNoSuchContainer(err)) return undefined;
      throw err;
    }
    const list = JSON.parse(stdout) as PodmanInspect[];
    const info = list[0];
    return info;
  }

  async #remove(id: string): Promise<void> {
    try {
      await this.#podman(['rm', '--force', '--time', '0', podmanName(id)]);
    } catch (err) {
      if (!isNoSuchContainer(err)) throw err;
    }
  }

  async #signalIgnoringStopped(id: string, signal: string): Promise<void> {
    try {
      await this.kill(id, signal);
    } catch (err) {
      if (err instanceof VcError && err.code === 'CONTAINER_NOT_RUNNING') return;
      throw err;
    }
  }

  async #mark(id: string, code: number): Promise<void> {
    if ((await this.#marked(id)) === code) return;
    await mkdir(dirname(this.exitFile(id)), { recursive: true });
    await writeFile(this.exitFile(id), String(code));
  }

  async #marked(id: string): Promise<number | undefined> {
    const text = (await readFileIfExists(this.exitFile(id)))?.trim();
    if (text === undefined || text === '') return undefined;
    const code = Number(text);
    return Number.isInteger(code) ? code : undefined;
  }

  /** Runs podman with the store's flags; `RUNTIME_ERROR` with podman's message when it fails. */
  async #podman(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
    const { podman, env } = await this.ready();
    // Anything but a look changes the container: the next look asks podman again.
    if (args[0] !== 'container' || args[1] !== 'inspect') this.#inspected.clear();
    return new Promise((resolve, reject) => {
      execFile(
        podman,
        this.commandArgs(args),
        { env, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err === null) {
            resolve({ stdout, stderr });
            return;
          }
          const message = podmanMessage(stderr) || err.message;
          reject(
            new VcError('RUNTIME_ERROR', `podman ${args[0] ?? ''} failed: ${message}`, {
              cause: err,
              details: { args: [...args], stderr: stderr.trim() },
            }),
          );
        },
      );
    });
  }
}

/** How long a cgroup still holding a leaving process is tried again, and how often. */
const CGROUP_WAIT_MS = 10_000;
const CGROUP_POLL_MS = 20;

/** podman's states after the process ended. */
function isExited(status: string): boolean {
  return status === 'exited' || status === 'stopped';
}

/** podman's container status in runc's words. */
export function runtimeStatus(status: string): ContainerRuntimeState['status'] {
  switch (status) {
    case 'running':
    case 'stopping':
      return 'running';
    case 'paused':
      return 'paused';
    case 'configured':
    case 'created':
    case 'initialized':
      return 'created';
    default:
      return 'stopped';
  }
}

/** The vordr id of a `died` event line of `podman events --format json`, if it is one of ours. */
export function diedContainerId(line: string): string | undefined {
  try {
    const event = JSON.parse(line) as {
      Status?: string;
      Attributes?: Record<string, string>;
    };
    const id = event.Attributes?.[PODMAN_ID_LABEL];
    return event.Status === 'died' && id !== undefined && /^[0-9a-f]{64}$/.test(id)
      ? id
      : undefined;
  } catch {
    return undefined;
  }
}

/** podman's `Error: …` line (the last), else its whole stderr. */
export function podmanMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const error = lines.filter((l) => l.startsWith('Error: ')).pop();
  return (error?.slice('Error: '.length) ?? lines.join('; ')).trim();
}

function isNoSuchContainer(err: unknown): boolean {
  return err instanceof VcError && /no such (container|object)/i.test(err.message);
}

function isNotRunning(err: unknown): boolean {
  return (
    err instanceof VcError &&
    /can only kill running containers|not running|is not running|no such process/i.test(err.message)
  );
}

/** Whether `pid` is a live podman conmon of vordr container `id` (its name is on the command line). */
async function isMonitorOf(pid: number, id: string): Promise<boolean> {
  if (!(await isProcessAlive(pid))) return false;
  const cmdline = await readCommandLine(pid);
  return cmdline?.includes(podmanName(id)) === true;
}

function assertRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new VcError('PERMISSION_DENIED', 'the podman backend of vordr needs uid 0', {
      hint: 'run vordr as root (it mounts the verified rootfs itself)',
    });
  }
}
