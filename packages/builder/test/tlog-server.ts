// SPDX-License-Identifier: Apache-2.0
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built CLI; integration tests of `log serve` run it as a real child process. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const hasBuiltCli = existsSync(BIN);

/** A running `cerro-torre log serve`. */
export interface ServedLog {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
}

/**
 * Starts `log serve --dir D --port 0` and waits for its ready line on stdout (never a sleep).
 * Rejects with the stderr text when it exits before being ready.
 */
export async function serveLog(dir: string, extra: string[] = []): Promise<ServedLog> {
  const child = spawn(
    process.execPath,
    [BIN, 'log', 'serve', '--dir', dir, '--port', '0', ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal ?? -1)),
  );
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolveUrl, reject) => {
    lines.once('line', (line) => {
      try {
        resolveUrl((JSON.parse(line) as { listening: string }).listening);
      } catch (e) {
        reject(new Error(`unexpected ready line ${line}: ${String(e)}`));
      }
    });
    void exited.then((code) => reject(new Error(`log serve exited ${code}: ${stderr}`)));
  });
  return { url, child, exited };
}

/** SIGKILLs a served log and waits until it is gone (reaped). */
export async function killHard(served: ServedLog): Promise<void> {
  served.child.kill('SIGKILL');
  await served.exited;
}
