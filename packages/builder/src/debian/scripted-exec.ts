// SPDX-License-Identifier: Apache-2.0
import { Readable } from 'node:stream';
import type { Exec, ExecOptions, ExecResult, ExecStream } from './exec.js';

/** One recorded call of a {@link ScriptedExec}. */
export interface ExecCall {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly opts: ExecOptions;
}

/** What a scripted program answers: exit code, output (text or bytes) and stderr. */
export interface ScriptedReply {
  readonly code?: number;
  readonly stdout?: string | Uint8Array;
  readonly stderr?: string;
}

/**
 * An in-memory {@link Exec} for tests: every call is recorded and answered by `handler`
 * (canned apt output, a tar built in memory for dpkg-deb). No process is started.
 */
export class ScriptedExec implements Exec {
  readonly calls: ExecCall[] = [];

  constructor(
    private readonly handler: (call: ExecCall) => ScriptedReply | Promise<ScriptedReply>,
  ) {}

  async run(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const call = { cmd, args: [...args], opts };
    this.calls.push(call);
    const reply = await this.handler(call);
    return {
      code: reply.code ?? 0,
      stdout: toBytes(reply.stdout ?? ''),
      stderr: reply.stderr ?? '',
    };
  }

  stream(cmd: string, args: readonly string[], opts: ExecOptions = {}): ExecStream {
    const call = { cmd, args: [...args], opts };
    this.calls.push(call);
    const reply = Promise.resolve(this.handler(call));
    const stdout = Readable.from(
      (async function* () {
        const r = await reply;
        const bytes = toBytes(r.stdout ?? '');
        // Several chunks, as a pipe delivers them.
        for (let i = 0; i < bytes.byteLength; i += 4096) yield bytes.subarray(i, i + 4096);
      })(),
    );
    return {
      stdout,
      done: reply.then((r) => ({ code: r.code ?? 0, stderr: r.stderr ?? '' })),
      kill: () => stdout.destroy(),
    };
  }
}

function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? new TextEncoder().encode(value) : value;
}
