// SPDX-License-Identifier: Apache-2.0
// A real `vordr daemon` (dist/bin.js) on a temporary socket, and a node:http client for it.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { VORDR_BIN } from './signed-store-image.js';

export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON); tests read it loosely. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** One request on the daemon's socket. */
export function api(
  socket: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const payload =
      body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(
      {
        socketPath: socket,
        method,
        path,
        headers: {
          ...(payload !== undefined && typeof body !== 'string'
            ? { 'content-type': 'application/json' }
            : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface RunningDaemon {
  readonly child: ChildProcess;
  readonly socket: string;
  /** Everything the daemon wrote to stdout (its JSON log). */
  log(): string;
  /** SIGTERM, then wait for the exit; returns the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `vordr --root store daemon --socket socket` and waits (≤ 30 s) until healthz answers. */
export async function startDaemon(
  store: string,
  socket: string,
  env: Record<string, string> = {},
  cwd?: string,
): Promise<RunningDaemon> {
  const child = spawn(
    process.execPath,
    [VORDR_BIN, '--root', store, 'daemon', '--socket', socket],
    {
      env: { ...process.env, VC_ROOT: store, VC_LOG_LEVEL: 'debug', ...env },
      ...(cwd !== undefined ? { cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the daemon exited: ${err}`);
    const health = await api(socket, 'GET', '/v1/healthz').catch(() => undefined);
    if (health?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`the daemon did not answer: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    socket,
    log: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Reads a streamed answer (logs, events) to its end, or until `until` says stop. */
export function apiStream(
  socket: string,
  path: string,
  until?: (text: string) => boolean,
): Promise<{ status: number; contentType: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: 'GET', path }, (res) => {
      let text = '';
      const done = (): void =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type']),
          text,
        });
      res.on('data', (c: Buffer) => {
        text += c.toString('utf8');
        if (until?.(text) === true) {
          done();
          req.destroy();
        }
      });
      res.on('end', done);
      res.on('error', () => done());
    });
    req.on('error', reject);
    req.end();
  });
}
