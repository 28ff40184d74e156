// SPDX-License-Identifier: Apache-2.0
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { access, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';

import { VcError } from '@verified-container/shared';

import { DEFAULT_CGROUP_ROOT, removeContainerCgroups } from './cgroup-cleanup.js';
import { ChangeNotifier, DEFAULT_RECHECK_MS, readFileIfExists } from './change-notifier.js';
import { findExecutable, isProcessAlive, readCommandLine } from './host-process.js';
import type { Engine } from './engine.js';
import { isNoSuchContainer, isNotRunning, runRunc } from './runc-cli.js';

/** conmon's default `--log-size-max` (05 §4.7: 100m; a full log restarts). */
export const DEFAULT_LOG_SIZE_MAX = 100 * 1024 * 1024;
/** How long `start` waits for conmon to report `runc create`. */
export const DEFAULT_CREATE_TIMEOUT_MS = 60_000;
/** How long teardown waits for conmon to record an exit after SIGKILL. */
export const DEFAULT_KILL_WAIT_MS = 30_000;
/** The cgroup parent of every container (05 §4.5 `linux.cgroupsPath` = `/vordr/<id>`). */
export const DEFAULT_CGROUP_PARENT = '/vordr';

export interface ConmonRuncEngineOptions {
  /** `$VC_ROOT/vordr/run`: holds `runc/` (runc `--root`), `exits/`, conmon pid files and `attach/`. */
  readonly runDir: string;
  /** runc binary: a name looked up on PATH (default `runc`) or a path. */
  readonly runc?: string;
  /** conmon binary: a name looked up on PATH (default `conmon`) or a path. */
  readonly conmon?: string;
  readonly cgroupRoot?: string;
  readonly cgroupParent?: string;
  readonly createTimeoutMs?: number;
  readonly killWaitMs?: number;
  readonly recheckMs?: number;
}

/** What `start` needs: a prepared bundle and where the container's files go. */
export interface ContainerStartRequest {
  /** 64 lowercase hex. */
  readonly id: string;
  /** `containers/<id>/bundle` with `config.json` (its `root.path` absolute). */
  readonly bundleDir: string;
  /** `containers/<id>/ctr.log`; conmon's own diagnostics go to `conmon.log` beside it. */
  readonly logPath: string;
  readonly logSizeMax?: number;
  /** Run by conmon after the container exited, e.g. `['/usr/bin/vordr', 'internal', 'cleanup', id]`. */
  readonly exitCommand?: readonly string[];
  /** Seconds between the stop signal and SIGKILL when the runtime stops it itself (podman). */
  readonly stopTimeout?: number;
}

/** A started container. */
export interface StartedContainer {
  /** Host pid of the container's init process. */
  readonly pid: number;
  readonly conmonPid: number;
  /** RFC 3339, UTC. */
  readonly startedAt: string;
  /** The container's cgroup when it is not the spec's `linux.cgroupsPath` (podman). */
  readonly cgroupsPath?: string;
}

/** runc's view of a container (`runc state`). */
export interface RuncContainerState {
  readonly status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  readonly pid: number;
  readonly bundle: string;
  readonly createdAt: string;
}

/** How a container ended: conmon's exit file (128+n for signal n), or null when it was lost. */
export interface ContainerExit {
  readonly exitCode: number | null;
}

/** A process to run in a running container (an OCI `process` object; `terminal` is forced false). */
export interface ExecProcess {
  readonly args: readonly string[];
  readonly env?: readonly string[];
  readonly cwd?: string;
  readonly user?: {
    readonly uid: number;
    readonly gid: number;
    readonly additionalGids?: readonly number[];
  };
  readonly [field: string]: unknown;
}

export interface ExecOptions {
  /** Kill the process after this long (then `timedOut` is true and `exitCode` null). */
  readonly timeoutMs?: number;
  /** Bytes kept per stream (default 1 MiB); more sets `truncated`. */
  readonly maxOutputBytes?: number;
  /** Fed to the process's stdin (`exec -i`); without it stdin is /dev/null. */
  readonly stdin?: Readable;
  /** Where the output goes as it comes (`exec` on the CLI): then nothing is kept or truncated. */
  readonly output?: {
    readonly stdout: { write(chunk: Uint8Array): void };
    readonly stderr: { write(chunk: Uint8Array): void };
  };
}

export interface ExecResult {
  readonly exitCode: number | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly truncated: boolean;
  readonly timedOut: boolean;
}

interface ResolvedOptions extends Required<Omit<ConmonRuncEngineOptions, 'runc' | 'conmon'>> {
  readonly runcName: string;
  readonly conmonName: string;
}

/**
 * The runc backend (05 §1, §4.7, §7): one conmon per container runs `runc create` and stays the
 * container's parent (its stdio, log, exit file), so containers outlive every vordr process; vordr
 * then runs `runc start`. Needs uid 0. The caller holds the store locks.
 */
export class ConmonRuncEngine implements Engine {
  readonly backend = 'runc' as const;
  readonly #options: ResolvedOptions;
  #binaries: Promise<{ runc: string; conmon: string }> | undefined;

  constructor(options: ConmonRuncEngineOptions) {
    this.#options = {
      runDir: options.runDir,
      runcName: options.runc ?? 'runc',
      conmonName: options.conmon ?? 'conmon',
      cgroupRoot: options.cgroupRoot ?? DEFAULT_CGROUP_ROOT,
      cgroupParent: options.cgroupParent ?? DEFAULT_CGROUP_PARENT,
      createTimeoutMs: options.createTimeoutMs ?? DEFAULT_CREATE_TIMEOUT_MS,
      killWaitMs: options.killWaitMs ?? DEFAULT_KILL_WAIT_MS,
      recheckMs: options.recheckMs ?? DEFAULT_RECHECK_MS,
    };
  }

  /** runc's `--root`. */
  get runcRoot(): string {
    return join(this.#options.runDir, 'runc');
  }

  /** Where conmon writes `<id>` with the exit status. */
  get exitDir(): string {
    return join(this.#options.runDir, 'exits');
  }

  exitFile(id: string): string {
    return join(this.exitDir, id);
  }

  conmonPidFile(id: string): string {
    return join(this.#options.runDir, `${id}.conmon.pid`);
  }

  containerPidFile(id: string): string {
    return join(this.#options.runDir, `${id}.pid`);
  }

  async preflight(): Promise<void> {
    await this.binaries();
  }

  /** The runc and conmon paths; `RUNTIME_UNAVAILABLE` naming the one that is missing. */
  async binaries(): Promise<{ runc: string; conmon: string }> {
    this.#binaries ??= (async () => ({
      runc: await findExecutable(this.#options.runcName, 'install runc (apt-get install runc)'),
      conmon: await findExecutable(
        this.#options.conmonName,
        'install conmon (apt-get install conmon)',
      ),
    }))();
    try {
      return await this.#binaries;
    } catch (err) {
      this.#binaries = undefined;
      throw err;
    }
  }

  /**
   * Starts conmon detached (own session, stdio not ours), waits until it reports `runc create`
   * on its sync pipe, then runs `runc start`. A stopped runc container of the same id and a stale
   * exit file are cleared first; a live one is `CONTAINER_RUNNING`.
   */
  async start(request: ContainerStartRequest): Promise<StartedContainer> {
    assertRoot();
    const { runc, conmon } = await this.binaries();
    const { id } = request;
    await Promise.all([
      mkdir(this.runcRoot, { recursive: true, mode: 0o700 }),
      mkdir(this.exitDir, { recursive: true }),
      mkdir(this.#attachDir, { recursive: true }),
    ]);
    const existing = await this.state(id);
    if (existing !== undefined) {
      if (existing.status !== 'stopped') {
        throw new VcError(
          'CONTAINER_RUNNING',
          `container ${id.slice(0, 12)} is ${existing.status} in runc`,
        );
      }
      await runRunc(runc, this.runcRoot, ['delete', '--force', id]);
    }
    await this.#removeRunFiles(id);

    const pid = await this.#startConmon(conmon, runc, request);
    // Read before `runc start`: a container that exits at once takes its conmon with it.
    const conmonPid = await this.conmonPid(id);
    if (conmonPid === undefined) {
      await this.delete(id).catch(() => undefined);
      throw new VcError('RUNTIME_ERROR', `conmon wrote no pid file for ${id.slice(0, 12)}`);
    }
    try {
      await runRunc(runc, this.runcRoot, ['start', id]);
    } catch (err) {
      await this.delete(id).catch(() => undefined);
      throw err;
    }
    const startedAt = new Date().toISOString();
    return { pid, conmonPid, startedAt };
  }

  /** runc's state of a container, or undefined when runc does not know it. */
  async state(id: string): Promise<RuncContainerState | undefined> {
    // runc keeps a container's state in `<root>/<id>/`: no directory, no container (and no runc call).
    if (!(await this.#runcKnows(id))) return undefined;
    const { runc } = await this.binaries();
    let stdout: string;
    try {
      ({ stdout } = await runRunc(runc, this.runcRoot, ['state', id]));
    } catch (err) {
      if (isNoSuchContainer(err)) return undefined;
      throw err;
    }
    const raw = JSON.parse(stdout) as {
      status: RuncContainerState['status'];
      pid: number;
      bundle: string;
      created: string;
    };
    return { status: raw.status, pid: raw.pid, bundle: raw.bundle, createdAt: raw.created };
  }

  /** The pid of the container's conmon while it lives (pid file present and the process a live conmon of `id`). */
  async conmonPid(id: string): Promise<number | undefined> {
    const text = await readFileIfExists(this.conmonPidFile(id));
    const pid = Number(text?.trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    return (await isMonitorOf(pid, id)) ? pid : undefined;
  }

  /** The status conmon recorded, or undefined while there is no exit file. */
  async exitStatus(id: string): Promise<number | undefined> {
    const text = await readFileIfExists(this.exitFile(id));
    if (text === undefined || text.trim() === '') return undefined;
    const code = Number(text.trim());
    return Number.isInteger(code) ? code : undefined;
  }

  /** Sends a signal (`TERM`, `SIGKILL`, `9` …) to the init process, or with `all` to every process. */
  async kill(id: string, signal: string, options: { all?: boolean } = {}): Promise<void> {
    assertRoot();
    const { runc } = await this.binaries();
    const args = ['kill', ...(options.all === true ? ['--all'] : []), id, signal];
    try {
      await runRunc(runc, this.runcRoot, args);
    } catch (err) {
      if (isNoSuchContainer(err)) {
        throw new VcError('CONTAINER_NOT_RUNNING', `container ${id.slice(0, 12)} is not running`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  /**
   * `stop` (05 §7): the stop signal to init, up to `graceSeconds` for conmon's exit file, then SIGKILL
   * to every process and a wait for the file. Returns the recorded status; `exitCode: null` when
   * conmon is gone without writing one. A container already stopped just yields its status.
   */
  async stop(id: string, graceSeconds: number, stopSignal = 'SIGTERM'): Promise<ContainerExit> {
    const recorded = await this.exitStatus(id);
    if (recorded !== undefined) return { exitCode: recorded };
    await this.#signalIgnoringStopped(id, stopSignal, false);
    const graceful = await this.waitForExit(id, { timeoutMs: graceSeconds * 1000 });
    if (graceful !== undefined) return graceful;
    await this.#signalIgnoringStopped(id, 'SIGKILL', true);
    const killed = await this.waitForExit(id, { timeoutMs: this.#options.killWaitMs });
    if (killed !== undefined) return killed;
    throw new VcError('TIMEOUT', `container ${id.slice(0, 12)} did not exit after SIGKILL`);
  }

  /**
   * Waits for conmon's exit file. Returns the status, `{exitCode: null}` when conmon is gone without
   * writing one, or undefined on timeout or abort.
   */
  async waitForExit(
    id: string,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<ContainerExit | undefined> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    const notifier = new ChangeNotifier([this.exitDir]);
    try {
      for (;;) {
        const code = await this.exitStatus(id);
        if (code !== undefined) return { exitCode: code };
        if ((await this.conmonPid(id)) === undefined && !(await this.#isLive(id))) {
          // conmon may have written the file between the two looks.
          const late = await this.exitStatus(id);
          return { exitCode: late ?? null };
        }
        const left = deadline - Date.now();
        if (left <= 0 || options.signal?.aborted === true) return undefined;
        await notifier.next(Math.min(left, this.#options.recheckMs), options.signal);
      }
    } finally {
      notifier.close();
    }
  }

  /**
   * Removes the container from runc and the host: a live container is killed first (and its exit
   * waited for, so conmon does not write into a cleaned run dir), then `runc delete --force`, the
   * cgroup directories, pid files, attach link and exit file. Read the exit status before.
   * Unless `awaitMonitor` is false, returns once conmon is gone too (it runs the exit command after
   * writing the exit file; {@link waitForMonitorGone} waits for it later). Idempotent.
   */
  async delete(id: string, options: { awaitMonitor?: boolean } = {}): Promise<void> {
    assertRoot();
    const { runc } = await this.binaries();
    // With an exit file the init process is gone: runc's state cannot be live, so no `runc state`.
    const [conmonPid, exitStatus, known] = await Promise.all([
      this.conmonPid(id),
      this.exitStatus(id),
      this.#runcKnows(id),
    ]);
    const exited = exitStatus !== undefined;
    if (known && !exited && conmonPid !== undefined) {
      const state = await this.state(id);
      if (state !== undefined && state.status !== 'stopped') {
        await this.#signalIgnoringStopped(id, 'SIGKILL', true);
        await this.waitForExit(id, { timeoutMs: this.#options.killWaitMs });
      }
    }
    if (known) {
      try {
        await runRunc(runc, this.runcRoot, ['delete', '--force', id]);
      } catch (err) {
        if (!isNoSuchContainer(err)) throw err;
      }
    }
    await removeContainerCgroups(join(this.#options.cgroupParent, id), this.#options.cgroupRoot);
    await this.#removeRunFiles(id);
    if (conmonPid !== undefined && options.awaitMonitor !== false) {
      await this.waitForMonitorGone(id, conmonPid);
    }
  }

  /**
   * Waits (at most the kill wait) until the conmon `pid` of container `id` has left: it runs the
   * exit command after writing the exit file, and leaves when that returns.
   */
  async waitForMonitorGone(id: string, pid: number): Promise<void> {
    const deadline = Date.now() + this.#options.killWaitMs;
    while (Date.now() < deadline && (await isMonitorOf(pid, id))) {
      await new Promise((resolve) => setTimeout(resolve, MONITOR_POLL_MS));
    }
  }

  /** `runc exec` of one process in a running container; output captured. */
  async exec(id: string, spec: ExecProcess, options: ExecOptions = {}): Promise<ExecResult> {
    assertRoot();
    const { runc } = await this.binaries();
    const state = await this.state(id);
    if (state?.status !== 'running') {
      throw new VcError('CONTAINER_NOT_RUNNING', `container ${id.slice(0, 12)} is not running`);
    }
    const execDir = join(this.#options.runDir, 'exec');
    await mkdir(execDir, { recursive: true, mode: 0o700 });
    const name = `${id}-${randomBytes(6).toString('hex')}`;
    const processFile = join(execDir, `${name}.json`);
    const pidFile = join(execDir, `${name}.pid`);
    await writeFile(processFile, JSON.stringify({ cwd: '/', ...spec, terminal: false }), {
      mode: 0o600,
    });
    try {
      return await runExec(
        runc,
        ['--root', this.runcRoot, 'exec', '--process', processFile, '--pid-file', pidFile, id],
        {
          pidFile,
          timeoutMs: options.timeoutMs,
          maxOutputBytes: options.maxOutputBytes ?? 1024 * 1024,
          ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
          ...(options.output !== undefined ? { output: options.output } : {}),
        },
      );
    } finally {
      await rm(processFile, { force: true });
      await rm(pidFile, { force: true });
    }
  }

  /** Whether runc has a state directory for the container (a file-system look, no runc call). */
  async #runcKnows(id: string): Promise<boolean> {
    try {
      await access(join(this.runcRoot, id));
      return true;
    } catch {
      return false;
    }
  }

  /** True while runc has processes for the container (a lost conmon writes no exit file). */
  async #isLive(id: string): Promise<boolean> {
    const state = await this.state(id);
    return state !== undefined && state.status !== 'stopped';
  }

  get #attachDir(): string {
    return join(this.#options.runDir, 'attach');
  }

  async #startConmon(
    conmon: string,
    runc: string,
    request: ContainerStartRequest,
  ): Promise<number> {
    const { id } = request;
    const args = [
      '--api-version',
      '1',
      '-c',
      id,
      '-u',
      id,
      '-n',
      id,
      '-r',
      runc,
      '-b',
      request.bundleDir,
      '-p',
      this.containerPidFile(id),
      '-P',
      this.conmonPidFile(id),
      '-l',
      `k8s-file:${request.logPath}`,
      '--log-size-max',
      String(request.logSizeMax ?? DEFAULT_LOG_SIZE_MAX),
      '--exit-dir',
      this.exitDir,
      '--socket-dir-path',
      this.#attachDir,
      '--runtime-arg',
      '--root',
      '--runtime-arg',
      this.runcRoot,
    ];
    const [exitCommand, ...exitArgs] = request.exitCommand ?? [];
    if (exitCommand !== undefined) {
      args.push('--exit-command', exitCommand);
      for (const arg of exitArgs) args.push('--exit-command-arg', arg);
    }
    const containerDir = dirname(request.logPath);
    const diagnostics = join(containerDir, 'conmon.log');
    const stderrFd = openSync(diagnostics, 'a', 0o600);
    let child;
    try {
      child = spawn(conmon, args, {
        cwd: containerDir,
        detached: true,
        stdio: ['ignore', 'ignore', stderrFd, 'pipe'],
        env: { ...process.env, _OCI_SYNCPIPE: '3' },
      });
    } finally {
      closeSync(stderrFd);
    }
    child.unref();
    const syncPipe = child.stdio[3] as Readable;
    let message: SyncMessage | undefined;
    try {
      message = await readSyncMessage(syncPipe, this.#options.createTimeoutMs);
    } finally {
      syncPipe.destroy();
    }
    if (message === undefined || message.data <= 0) {
      const detail =
        message?.message ?? (await readFileIfExists(diagnostics))?.trim().split('\n').pop() ?? '';
      await this.delete(id).catch(() => undefined);
      throw new VcError(
        'RUNTIME_ERROR',
        `container ${id.slice(0, 12)} could not be created: ${detail || 'conmon gave no pid'}`,
        {
          details: { conmonLog: diagnostics },
        },
      );
    }
    return message.data;
  }

  async #signalIgnoringStopped(id: string, signal: string, all: boolean): Promise<void> {
    try {
      await this.kill(id, signal, { all });
    } catch (err) {
      if (err instanceof VcError && err.code === 'CONTAINER_NOT_RUNNING') return;
      if (isNotRunning(err)) return;
      throw err;
    }
  }

  async #removeRunFiles(id: string): Promise<void> {
    await Promise.all(
      [
        this.exitFile(id),
        this.conmonPidFile(id),
        this.containerPidFile(id),
        join(this.#attachDir, id),
      ].map((path) =>
        unlink(path).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        }),
      ),
    );
  }
}

/** How often {@link ConmonRuncEngine.waitForMonitorGone} looks at conmon (a /proc read). */
const MONITOR_POLL_MS = 5;

/** Whether `pid` is a live (not zombie) conmon of container `id`, not a process that reused the pid. */
async function isMonitorOf(pid: number, id: string): Promise<boolean> {
  if (!(await isProcessAlive(pid))) return false;
  const cmdline = await readCommandLine(pid);
  return cmdline?.includes(id) === true;
}

/** The runc backend is rootful (05 §1): anyone else gets `PERMISSION_DENIED`. */
function assertRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new VcError('PERMISSION_DENIED', 'the runc backend needs uid 0', {
      hint: 'run vordr as root, or use --runtime podman',
    });
  }
}

/** conmon's sync-pipe message: `{"data": pid}` (api 1) or `{"pid": pid}`; negative with a message on failure. */
interface SyncMessage {
  readonly data: number;
  readonly message?: string;
}

/** Reads conmon's first sync-pipe message; undefined when the pipe closes or the time runs out first. */
async function readSyncMessage(
  pipe: Readable,
  timeoutMs: number,
): Promise<SyncMessage | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const finish = (value: SyncMessage | undefined): void => {
      clearTimeout(timer);
      pipe.removeAllListeners('data');
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    pipe.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline === -1) return;
      finish(parseSyncMessage(text.slice(0, newline)));
    });
    pipe.on('end', () => finish(text.trim() === '' ? undefined : parseSyncMessage(text)));
    pipe.on('error', () => finish(undefined));
  });
}

function parseSyncMessage(line: string): SyncMessage | undefined {
  try {
    const raw = JSON.parse(line) as { data?: unknown; pid?: unknown; message?: unknown };
    const data =
      typeof raw.data === 'number' ? raw.data : typeof raw.pid === 'number' ? raw.pid : undefined;
    if (data === undefined) return undefined;
    return typeof raw.message === 'string' ? { data, message: raw.message } : { data };
  } catch {
    return undefined;
  }
}

/** Runs `runc exec` (or `podman exec`) with captured output, killing the exec'd process (by its pid file, else the client) on timeout. */
export async function runExec(
  runc: string,
  args: readonly string[],
  options: {
    pidFile: string;
    timeoutMs: number | undefined;
    maxOutputBytes: number;
    stdin?: Readable;
    output?: ExecOptions['output'];
    env?: NodeJS.ProcessEnv;
  },
): Promise<ExecResult> {
  const child = spawn(runc, args, {
    stdio: [options.stdin !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    ...(options.env !== undefined ? { env: options.env } : {}),
  });
  if (options.stdin !== undefined && child.stdin !== null) {
    const input = child.stdin;
    // The process may end before reading everything: EPIPE is then not an error.
    input.on('error', () => undefined);
    options.stdin.pipe(input);
    child.on('close', () => {
      options.stdin?.unpipe(input);
      // Nothing else reads it: a paused stdin no longer keeps vordr waiting for its end.
      options.stdin?.pause();
    });
  }
  let truncated = false;
  const collect = (stream: Readable, sink?: { write(chunk: Uint8Array): void }): Buffer[] => {
    const chunks: Buffer[] = [];
    if (sink !== undefined) {
      stream.on('data', (chunk: Buffer) => sink.write(chunk));
      return chunks;
    }
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      const room = options.maxOutputBytes - size;
      if (chunk.length > room) truncated = true;
      if (room > 0) {
        chunks.push(chunk.subarray(0, room));
        size += Math.min(room, chunk.length);
      }
    });
    return chunks;
  };
  // Both are pipes (stdio above), never null.
  const stdout = collect(child.stdout as Readable, options.output?.stdout);
  const stderr = collect(child.stderr as Readable, options.output?.stderr);
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          void killExecProcess(options.pidFile, child.pid);
        }, options.timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal === null ? null : 128)));
  }).finally(() => clearTimeout(timer));
  return {
    exitCode: timedOut ? null : code,
    stdout: Buffer.concat(stdout),
    stderr: Buffer.concat(stderr),
    truncated,
    timedOut,
  };
}

async function killExecProcess(pidFile: string, runcPid: number | undefined): Promise<void> {
  const pid = Number((await readFileIfExists(pidFile))?.trim());
  try {
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
    else if (runcPid !== undefined) process.kill(runcPid, 'SIGKILL');
  } catch {
    // already gone
  }
}
