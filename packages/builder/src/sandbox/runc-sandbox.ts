// SPDX-License-Identifier: Apache-2.0
// The build sandbox of 01 §5.4 on runc: one `runc run` per command, everything removed afterwards.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  lstat,
  mkdtemp,
  readFile,
  readdir,
  realpath,
  rm,
  rmdir,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, posix } from 'node:path';
import { VcError, noopLogger } from '@verified-container/shared';
import type { Logger } from '@verified-container/shared';
import { OutputTail } from './output-tail.js';
import { SANDBOX_MOUNT_POINTS, buildRuncConfig } from './runc-config.js';
import type { Sandbox, SandboxRequest, SandboxResult } from './sandbox.js';

export const DEFAULT_RUNC_PATH = 'runc';
/** How much combined output a result keeps. */
export const DEFAULT_OUTPUT_LIMIT_BYTES = 64 * 1024;
/** After `runc kill`, how long `runc run` gets to exit before it is killed itself. */
export const KILL_GRACE_MS = 5_000;
export const CGROUP_ROOT = '/sys/fs/cgroup';

export interface RuncOptions {
  /** The runc binary; default `runc` on PATH. */
  readonly runcPath?: string;
  /** runc's state directory (`runc --root`); default runc's own (`/run/runc`). */
  readonly runcRoot?: string;
  /** Where bundle directories are created; default the OS temp dir. */
  readonly bundleParent?: string;
  readonly outputLimitBytes?: number;
  /** PATH used to find runc and the tools runc runs; default this process's PATH. */
  readonly hostPath?: string;
  /** cgroup mount root, for removing what runc leaves; default `/sys/fs/cgroup`. */
  readonly cgroupRoot?: string;
  readonly logger?: Logger;
}

export type RunInSandboxOptions = SandboxRequest & RuncOptions;

/**
 * Runs `argv` under runc as uid 0 on `rootfs` (read-write), with the confinement of
 * {@link buildRuncConfig}, stdio piped (never a terminal) and a fresh container id
 * `ct-build-<random>`. On timeout the container is killed (`runc kill KILL`, then runc itself).
 * Always, also on failure: `runc delete --force`, the bundle directory, the container's cgroup
 * directories and the mount points runc had to create in the rootfs are removed, so the rootfs
 * holds only what the program wrote.
 *
 * A non-zero exit of the program is a result, not an error. runc missing → BUILD_TOOL_MISSING;
 * runc unable to start the container (its own error, logged to the bundle's log) →
 * BUILD_SANDBOX_FAILED.
 */
export async function runInSandbox(opts: RunInSandboxOptions): Promise<SandboxResult> {
  validate(opts);
  const runc = opts.runcPath ?? DEFAULT_RUNC_PATH;
  const globalArgs = opts.runcRoot === undefined ? [] : ['--root', opts.runcRoot];
  const hostEnv = { PATH: opts.hostPath ?? process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
  const id = `ct-build-${randomBytes(8).toString('hex')}`;
  const cgroupsPath = `/${id}`;
  const logger = (opts.logger ?? noopLogger).child({ containerId: id });
  const rootfs = await realpath(opts.rootfs).catch((cause: unknown) => {
    throw new VcError('INTERNAL', `sandbox: cannot use rootfs ${opts.rootfs}`, { cause });
  });
  const bindMounts = opts.bindMounts ?? [];
  const created = await missingMountPoints(rootfs, [
    ...SANDBOX_MOUNT_POINTS,
    ...bindMounts.map((b) => b.destination),
  ]);
  const bundle = await mkdtemp(join(opts.bundleParent ?? tmpdir(), 'ct-bundle-'));
  const started = Date.now();
  try {
    const config = buildRuncConfig({
      rootfs,
      argv: opts.argv,
      env: opts.env,
      cwd: opts.cwd ?? '/',
      network: opts.network ?? 'none',
      bindMounts,
      cgroupsPath,
    });
    await writeFile(join(bundle, 'config.json'), JSON.stringify(config, null, 2), { mode: 0o600 });
    const logFile = join(bundle, 'runc.log');
    logger.debug({ argv: opts.argv, network: opts.network ?? 'none' }, 'sandbox run');
    const run = await spawnRunc(
      runc,
      [...globalArgs, '--log', logFile, '--log-format', 'json', 'run', '--bundle', bundle, id],
      hostEnv,
      opts.timeoutMs,
      opts.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
      () => execQuiet(runc, [...globalArgs, 'kill', id, 'KILL'], hostEnv),
    );
    const durationMs = Date.now() - started;
    if (run.exitCode !== 0 && !run.timedOut) {
      const runcError = await readRuncError(logFile);
      if (runcError !== undefined) {
        throw new VcError('BUILD_SANDBOX_FAILED', `runc could not run the sandbox: ${runcError}`, {
          details: { containerId: id, argv: opts.argv },
        });
      }
    }
    logger.debug({ exitCode: run.exitCode, timedOut: run.timedOut, durationMs }, 'sandbox done');
    return {
      containerId: id,
      exitCode: run.exitCode,
      output: run.output,
      timedOut: run.timedOut,
      durationMs,
      ...(run.timedOut ? { signal: 'SIGKILL' as const } : {}),
    };
  } finally {
    await execQuiet(runc, [...globalArgs, 'delete', '--force', id], hostEnv);
    await rm(bundle, { recursive: true, force: true });
    await removeCgroup(opts.cgroupRoot ?? CGROUP_ROOT, cgroupsPath);
    await removeCreated(rootfs, created);
  }
}

/** {@link Sandbox} over {@link runInSandbox} with fixed runc options. */
export class RuncSandbox implements Sandbox {
  constructor(private readonly options: RuncOptions = {}) {}

  run(request: SandboxRequest): Promise<SandboxResult> {
    return runInSandbox({ ...this.options, ...request });
  }
}

function validate(opts: RunInSandboxOptions): void {
  const bad = (message: string) => new VcError('INTERNAL', `sandbox: ${message}`);
  if (!isAbsolute(opts.rootfs)) throw bad(`rootfs must be an absolute path: ${opts.rootfs}`);
  if (opts.argv.length === 0) throw bad('empty argv');
  if (!(opts.timeoutMs > 0)) throw bad(`timeoutMs must be positive: ${opts.timeoutMs}`);
  if (opts.cwd !== undefined && !posix.isAbsolute(opts.cwd)) throw bad(`cwd must be absolute`);
  for (const b of opts.bindMounts ?? []) {
    if (!isAbsolute(b.source)) throw bad(`bind source must be absolute: ${b.source}`);
    if (!posix.isAbsolute(b.destination) || b.destination.split('/').includes('..')) {
      throw bad(`bind destination must be absolute without '..': ${b.destination}`);
    }
  }
  for (const key of Object.keys(opts.env)) {
    if (key === '' || key.includes('=') || key.includes('\0')) throw bad(`bad env name ${key}`);
  }
}

interface RuncRun {
  exitCode: number;
  output: string;
  timedOut: boolean;
}

function spawnRunc(
  runc: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs: number,
  outputLimit: number,
  killContainer: () => Promise<void>,
): Promise<RuncRun> {
  return new Promise<RuncRun>((resolve, reject) => {
    const child = spawn(runc, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env, shell: false });
    const tail = new OutputTail(outputLimit);
    child.stdout.on('data', (chunk: Buffer) => tail.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => tail.push(chunk));
    let timedOut = false;
    let grace: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      void killContainer().finally(() => {
        // runc normally exits once its container is gone; if it hangs, it goes too.
        grace = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      });
    }, timeoutMs);
    child.once('error', (cause: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        cause.code === 'ENOENT'
          ? new VcError('BUILD_TOOL_MISSING', `${runc} is not installed (not found on PATH)`, {
              cause,
              hint: 'apt-get install runc',
              details: { tool: runc },
            })
          : new VcError('BUILD_SANDBOX_FAILED', `cannot run ${runc}: ${cause.message}`, { cause }),
      );
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (grace !== undefined) clearTimeout(grace);
      const exitCode = code ?? 128 + signalNumber(signal);
      resolve({ exitCode, output: tail.text(), timedOut });
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };
  return (signal === null ? undefined : numbers[signal]) ?? 1;
}

/** Runs a runc housekeeping command; failures (container already gone) do not matter. */
function execQuiet(cmd: string, args: readonly string[], env: Record<string, string>) {
  return new Promise<void>((resolve) => {
    const child = spawn(cmd, [...args], { stdio: 'ignore', env, shell: false });
    child.once('error', () => resolve());
    child.once('close', () => resolve());
  });
}

/**
 * runc's own error (not the program's output): the last `error`/`fatal` message of the JSON log
 * runc writes with `--log`. Undefined when runc logged none, i.e. the program itself failed.
 */
async function readRuncError(logFile: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(logFile, 'utf8');
  } catch {
    return undefined;
  }
  let message: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if ((entry.level === 'error' || entry.level === 'fatal') && typeof entry.msg === 'string') {
        message = entry.msg;
      }
    } catch {
      // not JSON: ignore
    }
  }
  return message;
}

/**
 * The mount points runc will have to create in the rootfs: for each destination, the chain from
 * its first missing component down to it. A component that is a symlink stops the walk (runc
 * resolves it inside the rootfs; whatever it creates there is not ours to guess).
 */
async function missingMountPoints(rootfs: string, destinations: readonly string[]) {
  const created: string[] = [];
  for (const dest of destinations) {
    const parts = dest.split('/').filter((p) => p !== '' && p !== '.');
    for (let i = 0; i < parts.length; i++) {
      const rel = `/${parts.slice(0, i + 1).join('/')}`;
      try {
        const st = await lstat(join(rootfs, rel));
        if (!st.isDirectory()) break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') break;
        for (let j = i; j < parts.length; j++) {
          const p = `/${parts.slice(0, j + 1).join('/')}`;
          if (!created.includes(p)) created.push(p);
        }
        break;
      }
    }
  }
  return created;
}

/** Removes the mount points runc created, deepest first, if they are still empty. */
async function removeCreated(rootfs: string, created: readonly string[]): Promise<void> {
  const deepestFirst = [...created].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const rel of deepestFirst) {
    const path = join(rootfs, rel);
    try {
      const st = await lstat(path);
      if (st.isDirectory()) await rmdir(path);
      else if (st.isFile() && st.size === 0) await unlink(path);
    } catch {
      // gone already, or the program put something there: keep it
    }
  }
}

/**
 * Removes `<root>/<controller>/<path>` in every cgroup v1 hierarchy and `<root>/<path>` (v2), in
 * case runc did not (killed container). One level, so no empty parent stays behind.
 */
export async function removeCgroup(root: string, path: string): Promise<void> {
  let controllers: string[] = [];
  try {
    controllers = (await readdir(root, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return;
  }
  for (const dir of [root, ...controllers.map((c) => join(root, c))]) {
    try {
      await rmdir(join(dir, path));
    } catch {
      // absent, or still busy: nothing we can do here
    }
  }
}
