// SPDX-License-Identifier: Apache-2.0
import { spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { VcError } from '@verified-container/shared';

export interface PipeOptions {
  /** Debian package providing the program, for the BUILD_TOOL_MISSING hint. */
  readonly package?: string;
}

/** Runs a host tool as a filter: bytes in on stdin, bytes out on stdout. */
export interface StreamExec {
  /**
   * Runs `argv[0]` with the other elements as its arguments (never through a shell), feeding
   * `input` to its stdin. The returned stream is its stdout; it errors with BUILD_TOOL_MISSING
   * when the program is not installed and BUILD_STEP_FAILED when it exits non-zero.
   */
  pipe(argv: readonly string[], input: Readable, opts?: PipeOptions): Readable;
}

/** Keeps this much of a tool's stderr for the error message. */
const STDERR_TAIL = 2048;

/** {@link StreamExec} on `node:child_process`. */
export class ChildProcessStreamExec implements StreamExec {
  pipe(argv: readonly string[], input: Readable, opts: PipeOptions = {}): Readable {
    const [program, ...args] = argv;
    if (program === undefined) throw new VcError('INTERNAL', 'empty argv');
    const out = new PassThrough();
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    // The tool may exit before reading all of its input (EPIPE); its exit status tells.
    child.stdin.on('error', () => undefined);
    input.on('error', (err) => {
      child.kill();
      out.destroy(err);
    });
    input.pipe(child.stdin);
    // Ends only once the exit status is known, so a failing tool never looks like a short file.
    child.stdout.pipe(out, { end: false });
    child.on('error', (err: NodeJS.ErrnoException) => {
      out.destroy(
        err.code === 'ENOENT'
          ? new VcError('BUILD_TOOL_MISSING', `${program} is not installed on this host`, {
              cause: err,
              ...(opts.package === undefined ? {} : { hint: `apt-get install ${opts.package}` }),
            })
          : new VcError('BUILD_STEP_FAILED', `cannot run ${program}: ${err.message}`, {
              cause: err,
            }),
      );
    });
    child.on('close', (code, signal) => {
      if (code === 0) out.end();
      else if (!out.destroyed) {
        const why = signal === null ? `exited with status ${code}` : `was killed by ${signal}`;
        const detail = stderr.trim() === '' ? '' : `: ${stderr.trim()}`;
        out.destroy(new VcError('BUILD_STEP_FAILED', `${program} ${why}${detail}`));
      }
    });
    out.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    });
    return out;
  }
}
