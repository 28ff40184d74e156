// SPDX-License-Identifier: Apache-2.0
// Published ports for people (05 §3 `-p`, §4.6, §7) with a signed busybox image, real runc, conmon
// and nft: `vordr port` and the PORTS column of `ps` show a random host port that answers, and two
// `run -p <port>:…` started at the same moment in two stores cannot both publish it (the host-wide
// `ports` lock). Both stores' containers and networks go in afterAll.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  choosePorts,
  installContainerFirewall,
  makePortHolderProbe,
  parsePublish,
  removeContainerFirewall,
  withPortsLock,
} from '../../src/firewall/index.js';
import { staticBusybox } from '../support/busybox-layout.js';
import {
  VORDR_BIN,
  buildSignedImage,
  removeStoreNetworks,
  vordr,
  type Ran,
  vordrTestsCanRun,
} from '../support/vordr-fixture.js';

const busybox = staticBusybox();
const ready = vordrTestsCanRun(busybox, 'nft');

const IMAGE = 'vt/ports:1.0.0';
const LOOP = ['/bin/sh', '-c', 'while :; do sleep 1; done'];
const tag = `pt${process.pid}`;

function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, timeout: 3000 }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .on('timeout', () => reject(new Error('timeout')));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** vordr as a child process that runs alongside others (spawnSync would serialise them). */
function vordrAsync(cwd: string, store: string, ...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [VORDR_BIN, '--root', store, ...args], {
      cwd,
      env: { ...process.env, VC_ROOT: store },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => dir !== '' && point.startsWith(dir));
}

describe.skipIf(!ready)('published ports: vordr port, ps PORTS, host-wide claims', () => {
  let dir = '';
  let storeA = '';
  let storeB = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-ports-'));
    storeA = join(dir, 'store');
    buildSignedImage(dir, busybox!, 'vt/ports');
    // A second store with the same image and trust: a copy made before any container exists.
    storeB = join(dir, 'store-b');
    cpSync(storeA, storeB, { recursive: true });
  }, 180_000);

  afterAll(() => {
    for (const store of [storeA, storeB]) {
      if (store === '' || !existsSync(store)) continue;
      const ids = vordr(dir, store, 'ps', '-a', '-q', '--no-trunc').stdout.split('\n');
      for (const id of ids.filter(Boolean)) vordr(dir, store, 'rm', '-f', id);
      removeStoreNetworks(dir, store);
      const runcRoot = join(store, 'vordr/run/runc');
      if (existsSync(runcRoot)) {
        const listed = spawnSync('runc', ['--root', runcRoot, 'list', '-q'], { encoding: 'utf8' });
        for (const id of listed.stdout.split('\n').filter(Boolean)) {
          spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
        }
      }
    }
    for (const point of mountsUnder(dir).reverse()) spawnSync('umount', ['-l', point]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('-p 127.0.0.1::8080 gets a random host port that vordr port and ps show, and it answers', async () => {
    const v = (...args: string[]) => vordr(dir, storeA, ...args);
    const name = `web-${tag}`;
    const r = v(
      'run',
      '-d',
      '--name',
      name,
      '-p',
      '127.0.0.1::8080',
      IMAGE,
      '/bin/httpd',
      '-f',
      '-p',
      '8080',
      '-h',
      '/etc',
    );
    expect(r.status, r.stderr).toBe(0);
    try {
      const listed = v('port', name);
      expect(listed.status, listed.stderr).toBe(0);
      const m = /^8080\/tcp -> 127\.0\.0\.1:([0-9]+)\n$/.exec(listed.stdout);
      expect(m, listed.stdout).not.toBeNull();
      const hostPort = Number(m![1]);
      expect(hostPort).toBeGreaterThanOrEqual(32768);
      expect(hostPort).toBeLessThanOrEqual(60999);

      expect(v('port', name, '8080/tcp').stdout).toBe(`127.0.0.1:${hostPort}\n`);
      expect(JSON.parse(v('port', '--json', name).stdout)).toEqual([
        { containerPort: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort },
      ]);
      const missing = v('port', name, '81');
      expect(missing.status).toBe(1);
      expect(missing.stderr).toBe(
        `Error [USAGE]: No public port '81/tcp' published for ${name}\nhint: ${name} publishes 8080/tcp\n`,
      );

      const ps = v('ps').stdout.split('\n');
      expect(ps[0]).toMatch(
        /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\s+VERIFIED$/,
      );
      expect(ps.find((line) => line.includes(name))).toMatch(
        new RegExp(`Up .*\\s127\\.0\\.0\\.1:${hostPort}->8080/tcp\\s+${name}\\s+ALLOW$`),
      );

      let body = '';
      for (let deadline = Date.now() + 10_000; body === '' && Date.now() < deadline;) {
        body = await httpGet(hostPort, '/greeting').catch(() => '');
      }
      expect(body).toBe('hello from vordr\n');

      expect(v('stop', '-t', '1', name).status).toBe(0);
      expect(v('port', name).stdout).toBe('');
      const stopped = v('ps', '-a')
        .stdout.split('\n')
        .find((line) => line.includes(name));
      expect(stopped).not.toContain('->');
    } finally {
      v('rm', '-f', name);
    }
  }, 120_000);

  it('two run -p <port> at the same moment in two stores: one publishes, the other is PORT_IN_USE naming it', async () => {
    const port = await freePort();
    const names = [`race-a-${tag}`, `race-b-${tag}`];
    const stores = [storeA, storeB];
    try {
      const results = await Promise.all(
        stores.map((store, i) =>
          vordrAsync(
            dir,
            store,
            'run',
            '-d',
            '--name',
            names[i]!,
            '-p',
            `${port}:8080`,
            IMAGE,
            ...LOOP,
          ),
        ),
      );
      const won = results.filter((r) => r.status === 0);
      expect(won, results.map((r) => r.stderr).join('\n---\n')).toHaveLength(1);
      const w = results.indexOf(won[0]!);
      const loser = results[1 - w]!;
      const winnerId = won[0]!.stdout.trim();
      expect(loser.status).toBe(125);
      expect(loser.stderr).toContain(
        `Error [PORT_IN_USE]: host port ${port}/tcp is in use by container ${names[w]} (${winnerId.slice(0, 12)}) of the store ${stores[w]}`,
      );
      expect(vordr(dir, stores[w]!, 'port', names[w]!).stdout).toBe(
        `8080/tcp -> 0.0.0.0:${port}\n`,
      );
      // The loser publishes nothing: no DNAT rule of another container for the port.
      const rules = spawnSync('nft', ['list', 'table', 'inet', 'vordr'], {
        encoding: 'utf8',
      }).stdout;
      const dnat = rules
        .split('\n')
        .filter((line) => line.includes(`dport ${port} `) && line.includes('dnat'));
      // prerouting and output, both the winner's.
      expect(dnat).toHaveLength(2);
      expect(dnat.every((line) => line.includes(`vordr ctr ${winnerId.slice(0, 12)}`))).toBe(true);
    } finally {
      for (const [i, store] of stores.entries()) vordr(dir, store, 'rm', '-f', names[i]!);
    }
  }, 120_000);
});

describe.skipIf(process.getuid?.() !== 0 || spawnSync('nft', ['--version']).status !== 0)(
  'the host-wide ports lock (nft only)',
  () => {
    it('two installs racing for one host port in one process: one publishes, the other is PORT_IN_USE', async () => {
      // Without the lock both probes read `inet vordr` before either installs, and both publish.
      const port = await freePort();
      const root = mkdtempSync(join(tmpdir(), 'vordr-ports-lock-'));
      const ids = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
      const install = (id: string, n: number) =>
        installContainerFirewall({
          root,
          id,
          netns: `vordr-${id.slice(0, 12)}`,
          networks: [
            {
              name: 'race',
              subnet: '10.197.254.0/24',
              gateway: '10.197.254.1',
              internal: false,
              ip: `10.197.254.${n}`,
              veth: `vh${id.slice(0, 10)}0`,
            },
          ],
          egress: { filter: false, manifest: [], flags: [] },
          ingress: [],
          ports: [],
          choosePorts: async () =>
            choosePorts(parsePublish(`${port}:80`), await makePortHolderProbe()),
          portLock: withPortsLock,
        });
      try {
        const results = await Promise.allSettled([install(ids[0]!, 2), install(ids[1]!, 3)]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost.map((r) => (r.reason as { code?: string }).code)).toEqual(['PORT_IN_USE']);
        const winner = ids[results.indexOf(won[0]!)]!;
        expect((lost[0]!.reason as Error).message).toContain(`container ${winner.slice(0, 12)}`);
      } finally {
        for (const id of ids) await removeContainerFirewall(root, id).catch(() => undefined);
        rmSync(root, { recursive: true, force: true });
      }
    });
  },
);
