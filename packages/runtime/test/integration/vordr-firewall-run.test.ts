// SPDX-License-Identifier: Apache-2.0
// The firewall through `vordr run` and `vordr check` (05 §4.6, §8) with a signed busybox image,
// real runc and conmon: a container with `--egress-allow` of one ip:port reaches it and nothing
// else; `-p HOST:8080` publishes busybox httpd on 127.0.0.1; `check` lists live connections and
// flags one outside the allowlist. The "outside" servers run in a namespace this test creates,
// routed through the host. Containers, networks, the namespace and its link go in afterAll.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYHOLDERS, setUpSignedImageSync, signedManifest } from '@verified-container/testkit';
import { staticBusybox, writeBusyboxLayout } from '../support/busybox-layout.js';
import {
  cerroTorre,
  removeStoreNetworks,
  vordr,
  vordrTestsCanRun,
} from '../support/vordr-fixture.js';

const busybox = staticBusybox();
const ready = vordrTestsCanRun(busybox, 'nft');

const IMAGE = 'vt/fw:1.0.0';
const LOOP = ['/bin/sh', '-c', 'while :; do sleep 1; done'];
const n = (process.pid % 250) + 1;
const tag = `fr${process.pid}`;
const NS = `${tag}-x`;
const VETH = `${tag}x`;
const OUT = { host: `10.196.${n}.1`, a: `10.196.${n}.2`, b: `10.196.${n}.3` };

// Answers an HTTP request with "hello out:<port>"; a client that sends nothing is held open.
const SERVER = `
import net from 'node:net';
const ports = process.argv.slice(2);
let pending = ports.length;
for (const p of ports) {
  net.createServer((c) => {
    c.on('error', () => {});
    c.once('data', () => c.end('HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nhello out:' + p + '\\n'));
  }).listen(Number(p), '0.0.0.0', () => { if (--pending === 0) console.log('ready'); });
}
`;

// The image's signed profile opens port 8080 to containers named "fwcli" only (01 §2.2).
const MANIFEST = signedManifest({
  name: 'vt/fw',
  base: 'oci:base:busybox',
  steps: `[[build.steps]]
action = "write-file"
path = "/etc/greeting"
content = "hello from vordr\\n"
`,
  command: ['/bin/cat', '/etc/greeting'],
  security: `[security.capabilities]
drop = ["ALL"]
add = ["CHOWN", "SETUID"]

[security.network]
ingress-allow = [{ port = 8080, source = "container:fwcli" }]
`,
});
const SERVE = 'while :; do echo pong-$(hostname) | nc -l -p 8080; done';

interface JsonCheck {
  name: string;
  status: string;
  observed?: string;
  violations: string[];
}

function sh(cmd: string, ...args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

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

describe.skipIf(!ready)('vordr firewall through run and check (runc + conmon)', () => {
  let dir = '';
  let store = '';
  const children: ChildProcess[] = [];
  const network = `fw${process.pid}`;
  const v = (...args: string[]) => vordr(dir, store, ...args);

  function checkJson(name: string): { status: number | null; checks: Map<string, JsonCheck> } {
    const r = v('check', '--json', name);
    const report = JSON.parse(r.stdout) as { checks: JsonCheck[] };
    return { status: r.status, checks: new Map(report.checks.map((c) => [c.name, c])) };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-fwrun-'));
    store = join(dir, 'store');
    writeBusyboxLayout(join(dir, 'base'), busybox!, 'busybox');
    setUpSignedImageSync(
      (args) => {
        const r = cerroTorre(dir, store, ...args);
        return { exitCode: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
      },
      {
        dir,
        manifest: MANIFEST,
        keygen: ['m1', 'm2'],
        dropPrivateKeys: {
          keysDir: join(store, 'keys'),
          ids: KEYHOLDERS.filter((id) => id !== 'm1' && id !== 'm2'),
        },
      },
    );
    writeFileSync(join(dir, 'server.mjs'), SERVER);
    sh('ip', 'netns', 'add', NS);
    sh('ip', 'link', 'add', VETH, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS);
    sh('ip', 'addr', 'add', `${OUT.host}/24`, 'dev', VETH);
    sh('ip', 'link', 'set', VETH, 'up');
    sh('ip', '-n', NS, 'addr', 'add', `${OUT.a}/24`, 'dev', 'eth0');
    sh('ip', '-n', NS, 'addr', 'add', `${OUT.b}/24`, 'dev', 'eth0');
    sh('ip', '-n', NS, 'link', 'set', 'eth0', 'up');
    sh('ip', '-n', NS, 'link', 'set', 'lo', 'up');
    sh('ip', '-n', NS, 'route', 'add', 'default', 'via', OUT.host);
    const server = spawn(
      'ip',
      ['netns', 'exec', NS, process.execPath, join(dir, 'server.mjs'), '8080', '9090'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(server);
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('server not ready')), 10_000);
      server.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          clearTimeout(deadline);
          resolve();
        }
      });
    });
    const created = v('network', 'create', network);
    expect(created.status, created.stderr).toBe(0);
  }, 180_000);

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    if (store !== '') {
      const ids = v('ps', '-a', '-q', '--no-trunc').stdout.split('\n').filter(Boolean);
      for (const id of ids) v('rm', '-f', id);
      removeStoreNetworks(dir, store);
      const runcRoot = join(store, 'vordr/run/runc');
      if (existsSync(runcRoot)) {
        const listed = spawnSync('runc', ['--root', runcRoot, 'list', '-q'], { encoding: 'utf8' });
        for (const id of listed.stdout.split('\n').filter(Boolean)) {
          spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
        }
      }
    }
    spawnSync('ip', ['netns', 'del', NS]);
    spawnSync('ip', ['link', 'del', VETH]);
    for (const point of mountsUnder(dir).reverse()) spawnSync('umount', ['-l', point]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('--egress-allow of one ip:port reaches it and nothing else; check flags a connection outside it', () => {
    const name = `eg-${tag}`;
    const r = v(
      'run',
      '-d',
      '--name',
      name,
      '--network',
      network,
      '--egress-allow',
      `${OUT.a}:8080`,
      IMAGE,
      ...LOOP,
    );
    expect(r.status, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(r.stderr).toContain('✓ Network isolation active (egress 7 rules, ingress 5 rules)');

    // busybox's static wget crashes resolving even a literal; nc takes addresses as they are.
    const fetch = (ip: string, port: number) =>
      v('exec', name, '/bin/sh', '-c', `echo GET | nc -w 3 ${ip} ${port}; echo rc=$?`).stdout;
    expect(fetch(OUT.a, 8080)).toContain('hello out:8080');
    for (const [ip, port] of [
      [OUT.a, 9090],
      [OUT.b, 8080],
    ] as const) {
      const refused = fetch(ip, port);
      expect(refused, `${ip}:${port}`).not.toContain('hello');
      expect(refused).not.toContain('rc=0');
    }

    // A live allowed connection is listed; the rules are as installed.
    v('exec', name, 'sh', '-c', `(sleep 600 | nc ${OUT.a} 8080) </dev/null >/dev/null 2>&1 &`);
    let checked = checkJson(name);
    for (let deadline = Date.now() + 10_000; Date.now() < deadline; checked = checkJson(name)) {
      if (checked.checks.get('network-connections')?.observed?.includes(`${OUT.a}:8080`)) break;
    }
    expect(checked.checks.get('network-connections')).toMatchObject({ status: 'pass' });
    expect(checked.checks.get('network-connections')!.observed).toContain(`-> ${OUT.a}:8080`);
    expect(checked.checks.get('network-rules')).toMatchObject({ status: 'pass' });

    // Someone with host access opens the filter; the container connects elsewhere.
    sh(
      'ip',
      'netns',
      'exec',
      `vordr-${id.slice(0, 12)}`,
      'nft',
      'insert',
      'rule',
      'inet',
      'vordr_egress',
      'output',
      'accept',
    );
    v('exec', name, 'sh', '-c', `(sleep 600 | nc ${OUT.b} 8080) </dev/null >/dev/null 2>&1 &`);
    checked = checkJson(name);
    for (let deadline = Date.now() + 10_000; Date.now() < deadline; checked = checkJson(name)) {
      if (checked.checks.get('network-connections')?.status === 'fail') break;
    }
    expect(checked.status).toBe(1);
    expect(checked.checks.get('network-connections')!.violations).toEqual([
      expect.stringMatching(
        new RegExp(`^outbound tcp [0-9.]+:\\d+ -> ${OUT.b}:8080 not in the egress allowlist$`),
      ),
    ]);
    expect(checked.checks.get('network-rules')).toMatchObject({
      status: 'fail',
      violations: [expect.stringContaining('differs from the installed rules')],
    });
    const human = v('check', name);
    expect(human.stdout).toMatch(/✗ Network connections allowed: outbound tcp .* -> 10\.196\./);
  }, 120_000);

  it('-p HOST:8080 publishes busybox httpd on 127.0.0.1', async () => {
    const port = await freePort();
    const name = `web-${tag}`;
    const r = v(
      'run',
      '-d',
      '--name',
      name,
      '--network',
      network,
      '-p',
      `${port}:8080`,
      IMAGE,
      '/bin/httpd',
      '-f',
      '-p',
      '8080',
      '-h',
      '/etc',
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('! published port 8080/tcp is also limited by an ingress entry');
    let body = '';
    for (let deadline = Date.now() + 10_000; body === '' && Date.now() < deadline;) {
      body = await httpGet(port, '/greeting').catch(() => '');
    }
    expect(body).toBe('hello from vordr\n');
    expect(v('rm', '-f', name).status).toBe(0);
    await expect(httpGet(port, '/greeting')).rejects.toThrow();
  }, 120_000);

  it('ingress: only a container named fwcli may open the port; the set follows peers starting and stopping', () => {
    const srv = `srv-${tag}`;
    const started = v(
      'run',
      '-d',
      '--name',
      srv,
      '--network',
      network,
      IMAGE,
      '/bin/sh',
      '-c',
      SERVE,
    );
    expect(started.status, started.stderr).toBe(0);
    expect(started.stderr).toContain('✓ Network isolation active (ingress 5 rules)');
    const srvId = started.stdout.trim();
    const info = JSON.parse(v('inspect', srv).stdout) as {
      networks: Record<string, { ip: string }>;
    }[];
    const srvIp = info[0]!.networks[network]!.ip;
    const ask = (client: string) =>
      v('exec', client, '/bin/sh', '-c', `nc -w 2 ${srvIp} 8080 </dev/null; echo rc=$?`).stdout;

    const other = `other-${tag}`;
    expect(v('run', '-d', '--name', other, '--network', network, IMAGE, ...LOOP).status).toBe(0);
    expect(ask(other)).not.toContain('pong');

    // fwcli starts after srv: srv's peer set gains its address.
    expect(v('run', '-d', '--name', 'fwcli', '--network', network, IMAGE, ...LOOP).status).toBe(0);
    let reply = '';
    for (let deadline = Date.now() + 10_000; !reply.includes('pong') && Date.now() < deadline;) {
      reply = ask('fwcli');
    }
    expect(reply).toContain(`pong-`);
    const set = ['list', 'set', 'bridge', 'vordr', `peers_${srvId.slice(0, 12)}_0`];
    expect(spawnSync('nft', set, { encoding: 'utf8' }).stdout).toContain('elements = {');

    // ...and loses it when fwcli goes.
    expect(v('rm', '-f', 'fwcli').status).toBe(0);
    expect(spawnSync('nft', set, { encoding: 'utf8' }).stdout).not.toContain('elements');
    expect(checkJson(srv).checks.get('network-rules')).toMatchObject({ status: 'pass' });
  }, 120_000);
});

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => dir !== '' && point.startsWith(dir));
}
