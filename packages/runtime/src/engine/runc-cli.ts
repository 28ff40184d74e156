// SPDX-License-Identifier: Apache-2.0
import { execFile } from 'node:child_process';

import { VcError } from '@verified-container/shared';

/** What a finished runc command printed. */
export interface RuncOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `runc --root <root> <args…>`, throwing `RUNTIME_ERROR` with runc's message when it fails. */
export async function runRunc(
  runcPath: string,
  root: string,
  args: readonly string[],
): Promise<RuncOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      runcPath,
      ['--root', root, ...args],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err === null) {
          resolve({ stdout, stderr });
          return;
        }
        reject(
          new VcError(
            'RUNTIME_ERROR',
            `runc ${args[0] ?? ''} failed: ${runcMessage(stderr) || err.message}`,
            {
              cause: err,
              details: { args: [...args], stderr: stderr.trim() },
            },
          ),
        );
      },
    );
  });
}

/** The message of runc's error output (`time=… level=error msg="…"` lines or plain text). */
export function runcMessage(stderr: string): string {
  const messages = stderr
    .split('\n')
    .map(
      (line) => /\bmsg="((?:[^"\\]|\\.)*)"/.exec(line)?.[1]?.replace(/\\(.)/g, '$1') ?? line.trim(),
    )
    .filter((line) => line !== '');
  return messages.join('; ');
}

/** True for runc's "no such container" answers. */
export function isNoSuchContainer(err: unknown): boolean {
  if (!(err instanceof VcError)) return false;
  return /does not exist|not exist|no such file/i.test(err.message);
}

/** True for runc's "the container is not running" answers to kill. */
export function isNotRunning(err: unknown): boolean {
  if (!(err instanceof VcError)) return false;
  return /not running|process already finished|container not running|no such process/i.test(
    err.message,
  );
}
