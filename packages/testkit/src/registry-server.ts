// SPDX-License-Identifier: Apache-2.0
// A real registry for integration tests: Debian's docker-registry (distribution 2.8) on 127.0.0.1 with a
// free port, its storage and config in a temporary directory. Optionally with htpasswd (Basic)
// auth, or token (Bearer) auth answered by a small token server in this process.
// In token mode never block the event loop while a client (skopeo, podman) talks to the
// registry: execFileSync(skopeo) would wait for a token this process can then never serve.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DOCKER_REGISTRY = '/usr/bin/docker-registry';

/** docker-registry is installed (test.sh installs it as root). */
export const hasDockerRegistry = existsSync(DOCKER_REGISTRY);

/** openssl is installed (token auth needs a certificate). */
export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/** A user of the test registries: `alice` / `s3cret`. */
export const TEST_USER = { username: 'alice', password: 's3cret' } as const;
// bcrypt (cost 4) of TEST_USER.password; a test credential, not a secret.
const TEST_USER_BCRYPT = '$2b$04$h4apC/.mXwLGxqpRK/tQz.IHo4PEqvqL/N/G6gRLs7JIA4PEs4k3K';

export interface RegistryServerOptions {
  /** `basic`: htpasswd with {@link TEST_USER}; `token`: Bearer tokens for {@link TEST_USER}. */
  readonly auth?: 'none' | 'basic' | 'token';
}

export interface RegistryServer {
  /** `127.0.0.1:<port>`: the host part of references. */
  readonly host: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The temporary directory (config, storage, auth material). */
  readonly dir: string;
  /** The token server's requests (`scope` values), in token mode. */
  readonly tokenRequests: string[];
  /** Stops the registry (and token server) and removes the directory; idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const POLL_MS = 25;

/**
 * Starts docker-registry with a fresh config and storage, waiting until `GET /v2/` answers.
 * A port taken between choosing and binding makes the registry exit; that is retried.
 */
export async function startRegistry(opts: RegistryServerOptions = {}): Promise<RegistryServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ct-registry-'));
  let token: TokenServer | undefined;
  try {
    if (opts.auth === 'token') token = await startTokenServer(dir);
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const config = registryConfig(dir, port, opts.auth ?? 'none', token);
      writeFileSync(join(dir, 'config.yml'), config);
      const child = spawn(DOCKER_REGISTRY, ['serve', join(dir, 'config.yml')], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      const url = `http://127.0.0.1:${port}`;
      const ready = await waitReady(child, url);
      if (!ready) {
        await stopChild(child);
        if (attempt < 3) continue;
        throw new Error(`docker-registry did not start:\n${stderr}`);
      }
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        await stopChild(child);
        await token?.close();
        rmSync(dir, { recursive: true, force: true });
      };
      return {
        host: `127.0.0.1:${port}`,
        url,
        dir,
        tokenRequests: token?.requests ?? [],
        stop,
        [Symbol.asyncDispose]: stop,
      };
    }
  } catch (err) {
    await token?.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The config that worked with distribution 2.8.2: filesystem storage, delete enabled, a fixed
 * http secret (no warning), listening on loopback only; auth as asked.
 */
function registryConfig(
  dir: string,
  port: number,
  auth: 'none' | 'basic' | 'token',
  token: TokenServer | undefined,
): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog: {disabled: true}',
    'storage:',
    `  filesystem: {rootdirectory: ${join(dir, 'data')}}`,
    '  delete: {enabled: true}',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomUUID()}`,
  ];
  if (auth === 'basic') {
    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, `${TEST_USER.username}:${TEST_USER_BCRYPT}\n`);
    lines.push('auth:', `  htpasswd: {realm: test-registry, path: ${htpasswd}}`);
  }
  if (auth === 'token' && token !== undefined) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${token.url}/token`,
      `    service: ${TOKEN_SERVICE}`,
      `    issuer: ${TOKEN_ISSUER}`,
      `    rootcertbundle: ${token.certPath}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function waitReady(child: ChildProcess, url: string): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = child.exitCode !== null;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      // Any answer (200, or 401 with auth) means it listens.
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
  return false;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const TOKEN_SERVICE = 'test-registry';
const TOKEN_ISSUER = 'test-token-issuer';

interface TokenServer {
  readonly url: string;
  readonly certPath: string;
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * A token server as distribution's `auth: token` expects: `GET /token?service&scope` with basic
 * credentials of {@link TEST_USER} answers an ES256 JWT whose `x5c` is a self-signed certificate
 * the registry trusts (rootcertbundle), granting what the scope asks.
 */
async function startTokenServer(dir: string): Promise<TokenServer> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=test-token-issuer',
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  const key = createPrivateKey(readFileSync(keyPath));
  const certDer = pemBody(readFileSync(certPath, 'utf8'));
  const requests: string[] = [];
  const expected = `Basic ${Buffer.from(`${TEST_USER.username}:${TEST_USER.password}`).toString('base64')}`;
  const server: Server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const scopes = url.searchParams.getAll('scope');
    requests.push(scopes.join(' '));
    if (url.pathname !== '/token' || req.headers.authorization !== expected) {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"details":"bad credentials"}');
      return;
    }
    const token = jwt(key, certDer, TEST_USER.username, scopes);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    certPath,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function jwt(key: KeyObject, certDer: string, subject: string, scopes: string[]): string {
  const now = Math.floor(Date.now() / 1000);
  const access = scopes.flatMap((scope) => {
    const [type, name, actions] = scope.split(':');
    return type === undefined || name === undefined || actions === undefined
      ? []
      : [{ type, name, actions: actions.split(',') }];
  });
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const header = b64({ typ: 'JWT', alg: 'ES256', x5c: [certDer] });
  const claims = b64({
    iss: TOKEN_ISSUER,
    sub: subject,
    aud: TOKEN_SERVICE,
    exp: now + 300,
    nbf: now - 10,
    iat: now,
    jti: randomUUID(),
    access,
  });
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), {
    key,
    dsaEncoding: 'ieee-p1363',
  }).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
