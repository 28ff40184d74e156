// SPDX-License-Identifier: Apache-2.0
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { VcError } from '@verified-container/shared';

export interface ExecOptions {
  /** The child's whole environment; the parent's when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Written to the child's stdin, which is then closed; stdin is empty without it. */
  readonly input?: Uint8Array | string;
}

export interface ExecResult {
  /** Exit status; 128 + n when the child was killed by signal n. */
  readonly code: number;
  readonly stdout: Uint8Array;
  readonly stderr: string;
}

/** A running child whose stdout is read as a stream (large archives). */
export interface ExecStream {
  readonly stdout: Readable;
  /** Settles when the child has exited and stderr is drained. */
  readonly done: Promise<{ code: number; stderr: string }>;
  /** Kills the child (SIGTERM); harmless once it has exited. */
  kill(): void;
}

/**
 * Runs programs with an argv array, never through a shell. The one way the Debian code reaches
 * apt, dpkg-deb and friends, so tests can replace it with canned output.
 */
export interface Exec {
  run(cmd: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  stream(cmd: string, args: readonly string[], opts?: ExecOptions): ExecStream;
}

/** Debian packages that provide the tools we run, for the BUILD_TOOL_MISSING hint. */
const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  'apt-get': 'apt',
  'apt-cache': 'apt',
  'dpkg-deb': 'dpkg',
  dpkg: 'dpkg',
};

const MAX_STDERR_BYTES = 1024 * 1024;

/** {@link Exec} over `node:child_process.spawn` (`shell: false`). */
export class ChildProcessExec implements Exec {
  run(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const child = this.spawnChild(cmd, args, opts);
    const out: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    const stderr = collectStderr(child.stderr);
    return new Promise<ExecResult>((resolve, reject) => {
      child.once('error', (cause) => reject(spawnError(cmd, cause)));
      child.once('close', (code, signal) => {
        void stderr.then((err) =>
          resolve({ code: exitCode(code, signal), stdout: Buffer.concat(out), stderr: err }),
        );
      });
    });
  }

  stream(cmd: string, args: readonly string[], opts: ExecOptions = {}): ExecStream {
    const child = this.spawnChild(cmd, args, opts);
    const stderr = collectStderr(child.stderr);
    const done = new Promise<{ code: number; stderr: string }>((resolve, reject) => {
      child.once('error', (cause) => {
        const err = spawnError(cmd, cause);
        child.stdout?.destroy(err);
        reject(err);
      });
      child.once('close', (code, signal) => {
        void stderr.then((err) => resolve({ code: exitCode(code, signal), stderr: err }));
      });
    });
    // The caller may stop reading early and only look at stdout's error; keep `done` handled.
    done.catch(() => undefined);
    if (child.stdout === null) throw new VcError('INTERNAL', `no stdout pipe for ${cmd}`);
    return {
      stdout: child.stdout,
      done,
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      },
    };
  }

  private spawnChild(cmd: string, args: readonly string[], opts: ExecOptions) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.env ?? process.env)) if (v !== undefined) env[k] = v;
    const child = spawn(cmd, [...args], {
      cwd: opts.cwd,
      env,
      shell: false,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (opts.input !== undefined && child.stdin !== null) {
      // EPIPE when the child does not read its input is not our failure; its exit code tells.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
    return child;
  }
}

function collectStderr(stream: Readable | null): Promise<string> {
  if (stream === null) return Promise.resolve('');
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    // A runaway child cannot grow our memory without bound through stderr.
    if (size < MAX_STDERR_BYTES) chunks.push(chunk);
    size += chunk.length;
  });
  return new Promise((resolve) => {
    stream.once('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.once('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const signals: Readonly<Record<string, number>> = { SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 };
  return 128 + (signal === null ? 0 : (signals[signal] ?? 1));
}

function spawnError(cmd: string, cause: unknown): VcError {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    const pkg = TOOL_PACKAGES[cmd.split('/').pop() ?? cmd];
    return new VcError('BUILD_TOOL_MISSING', `${cmd} is not installed (not found on PATH)`, {
      cause,
      hint: pkg === undefined ? undefined : `install the Debian package ${pkg}`,
      details: { tool: cmd },
    });
  }
  return new VcError('INTERNAL', `cannot run ${cmd}: ${(cause as Error).message}`, { cause });
}

const decoder = new TextDecoder('utf-8');

/** stdout of a run as text (UTF-8, invalid bytes replaced). */
export function stdoutText(result: ExecResult): string {
  return decoder.decode(result.stdout);
}
