// SPDX-License-Identifier: Apache-2.0
// The firewall of 05 §4.6 with real nft, netns, veths and a bridge that this test creates (the
// "containers" are network namespaces; the container lifecycle wires the same calls in):
// an egress allowlist of one ip:port reaches it and nothing else, a published busybox httpd answers
// on 127.0.0.1:<free port>, ingress is enforced on the bridge, PORT_IN_USE names the holder, and the
// network checks of `vordr check` list live connections and flag one outside the allowlist.
// Everything (processes, nft rules, netns, links) is removed in afterAll, also on failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  choosePorts,
  installContainerFirewall,
  installNetworkRules,
  makePortHolderProbe,
  measureNetwork,
  parsePublish,
  removeContainerFirewall,
  removeNetworkRules,
  type FirewallNetwork,
} from '../../src/firewall/index.js';
import { staticBusybox } from '../support/busybox-layout.js';

const busybox = staticBusybox();
const ready =
  process.getuid?.() === 0 &&
  busybox !== undefined &&
  spawnSync('nft', ['--version']).status === 0 &&
  spawnSync('ip', ['-V']).status === 0;

const n = process.pid % 250;
const tag = `vcft${process.pid}`;
const BRIDGE = tag;
const SUBNET = `10.198.${n}.0/24`;
const GW = `10.198.${n}.1`;
const IP = { c: `10.198.${n}.2`, s: `10.198.${n}.3`, o: `10.198.${n}.4` };
// "Outside": a namespace routed through the host, two addresses.
const OUT = { host: `10.197.${n}.1`, a: `10.197.${n}.2`, b: `10.197.${n}.3` };
const NS = { c: `${tag}-c`, s: `${tag}-s`, o: `${tag}-o`, x: `${tag}-x` };
const VETH = { c: `${tag}c`, s: `${tag}s`, o: `${tag}o`, x: `${tag}x` };
const ID = { c: hexId(), s: hexId(), o: hexId() };

function hexId(): string {
  return randomBytes(32).toString('hex');
}

function sh(cmd: string, ...args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const SERVER = `
import net from 'node:net'; import dgram from 'node:dgram';
const [name, host, ...ports] = process.argv.slice(2);
let pending = ports.length;
const up = () => { if (--pending === 0) console.log('ready'); };
for (const p of ports) {
  if (p.startsWith('udp:')) {
    const s = dgram.createSocket('udp4');
    s.on('message', (m, r) => s.send('hello ' + name, r.port, r.address));
    s.bind(Number(p.slice(4)), host, up);
  } else {
    net.createServer((c) => { c.on('error', () => {}); c.write('hello ' + name + ':' + p + '\\n'); }).listen(Number(p), host, up);
  }
}
`;

// probe: one JSON line of results; hold: connect, print "ready", keep the connections open.
const CLIENT = `
import net from 'node:net'; import dgram from 'node:dgram';
const [mode, ...targets] = process.argv.slice(2);
const tcp = (host, port) => new Promise((res) => {
  const s = net.connect({ host, port });
  const t = setTimeout(() => { s.destroy(); res('timeout'); }, 1500);
  s.once('connect', () => { clearTimeout(t); setTimeout(() => { s.destroy(); res('ok:connected'); }, 500); });
  s.once('data', (d) => { s.destroy(); res('ok:' + d.toString().trim()); });
  s.once('error', (e) => { clearTimeout(t); res('err:' + e.code); });
});
const udp = (host, port) => new Promise((res) => {
  const s = dgram.createSocket('udp4');
  const done = (v) => { clearTimeout(t); try { s.close(); } catch {} res(v); };
  const t = setTimeout(() => done('timeout'), 1500);
  s.once('message', (m) => done('ok:' + m));
  s.once('error', (e) => done('err:' + e.code));
  s.send('q', port, host, (e) => { if (e) done('err:' + e.code); });
});
if (mode === 'probe') {
  const out = {};
  for (const t of targets) {
    const [proto, host, port] = t.split(':');
    out[t] = proto === 'udp' ? await udp(host, Number(port)) : await tcp(host, Number(port));
  }
  console.log(JSON.stringify(out));
} else {
  const keep = [];
  for (const t of targets) {
    const [, host, port] = t.split(':');
    await new Promise((res, rej) => { const s = net.connect({ host, port: Number(port) }, res); s.once('error', rej); keep.push(s); });
  }
  console.log('ready');
  setInterval(() => {}, 1000);
}
`;

describe.skipIf(!ready)('vordr firewall (nft in namespaces this test creates)', () => {
  let dir = '';
  let root = '';
  const children: ChildProcess[] = [];
  const hostServers: Server[] = [];

  /** Starts `args` in a netns (or on the host) and resolves when it prints "ready". */
  function startReady(ns: string | undefined, args: string[]): Promise<ChildProcess> {
    const [file, argv] =
      ns === undefined ? [args[0]!, args.slice(1)] : ['ip', ['netns', 'exec', ns, ...args]];
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      const deadline = setTimeout(
        () => reject(new Error(`not ready: ${args.join(' ')} ${err}`)),
        10_000,
      );
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) {
          clearTimeout(deadline);
          resolve(child);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(deadline);
        reject(new Error(`exited ${code}: ${args.join(' ')} ${err}`));
      });
    });
  }

  function probe(ns: string, ...targets: string[]): Record<string, string> {
    const r = spawnSync(
      'ip',
      ['netns', 'exec', ns, process.execPath, join(dir, 'client.mjs'), 'probe', ...targets],
      {
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as Record<string, string>;
  }

  function network(name: 'c' | 's' | 'o'): FirewallNetwork {
    return {
      name: 'fwtest',
      subnet: SUBNET,
      gateway: GW,
      internal: false,
      ip: IP[name],
      veth: VETH[name],
    };
  }

  const noEgress = { filter: false, manifest: [], flags: [] };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-fw-'));
    root = join(dir, 'store');
    writeFileSync(join(dir, 'server.mjs'), SERVER);
    writeFileSync(join(dir, 'client.mjs'), CLIENT);
    writeFileSync(join(dir, 'index.html'), 'hello from httpd\n');
    sh('ip', 'link', 'add', BRIDGE, 'type', 'bridge');
    sh('ip', 'addr', 'add', `${GW}/24`, 'dev', BRIDGE);
    sh('ip', 'link', 'set', BRIDGE, 'up');
    sh('sysctl', '-qw', 'net.ipv4.ip_forward=1');
    sh('sysctl', '-qw', `net.ipv4.conf.${BRIDGE}.route_localnet=1`);
    for (const k of ['c', 's', 'o'] as const) {
      sh('ip', 'netns', 'add', NS[k]);
      sh('ip', 'link', 'add', VETH[k], 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS[k]);
      sh('ip', 'link', 'set', VETH[k], 'master', BRIDGE, 'up');
      sh('ip', '-n', NS[k], 'addr', 'add', `${IP[k]}/24`, 'dev', 'eth0');
      sh('ip', '-n', NS[k], 'link', 'set', 'eth0', 'up');
      sh('ip', '-n', NS[k], 'link', 'set', 'lo', 'up');
      sh('ip', '-n', NS[k], 'route', 'add', 'default', 'via', GW);
    }
    sh('ip', 'netns', 'add', NS.x);
    sh('ip', 'link', 'add', VETH.x, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS.x);
    sh('ip', 'addr', 'add', `${OUT.host}/24`, 'dev', VETH.x);
    sh('ip', 'link', 'set', VETH.x, 'up');
    sh('ip', '-n', NS.x, 'addr', 'add', `${OUT.a}/24`, 'dev', 'eth0');
    sh('ip', '-n', NS.x, 'addr', 'add', `${OUT.b}/24`, 'dev', 'eth0');
    sh('ip', '-n', NS.x, 'link', 'set', 'eth0', 'up');
    sh('ip', '-n', NS.x, 'link', 'set', 'lo', 'up');
    sh('ip', '-n', NS.x, 'route', 'add', 'default', 'via', OUT.host);
    await installNetworkRules({ bridge: BRIDGE, subnet: SUBNET, internal: false });

    const node = process.execPath;
    const server = join(dir, 'server.mjs');
    await startReady(NS.x, [node, server, 'out', '0.0.0.0', '8080', '9090', 'udp:53']);
    await startReady(NS.s, [node, server, 'peer', '0.0.0.0', '9090']);
    await startReady(undefined, [node, server, 'gateway', GW, 'udp:53']);
    // busybox httpd prints nothing; wait for its port like a client would.
    const httpd = spawn(
      'ip',
      ['netns', 'exec', NS.s, busybox!, 'httpd', '-f', '-p', '80', '-h', dir],
      {
        stdio: 'ignore',
      },
    );
    children.push(httpd);
    const deadline = Date.now() + 10_000;
    while (
      !probe(NS.o, `tcp:${IP.s}:80`)[`tcp:${IP.s}:80`]!.startsWith('ok') &&
      Date.now() < deadline
    ) {
      // probe() itself waits up to 1.5 s per try
    }
  }, 120_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const s of hostServers) s.close();
    for (const id of Object.values(ID))
      await removeContainerFirewall(root, id).catch(() => undefined);
    await removeNetworkRules(BRIDGE).catch(() => undefined);
    for (const ns of Object.values(NS)) spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['link', 'del', BRIDGE]);
    spawnSync('ip', ['link', 'del', VETH.x]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('an egress allowlist of one ip:port reaches it and nothing else', async () => {
    const allowed = `tcp:${OUT.a}:8080`;
    const targets = [
      allowed,
      `tcp:${OUT.a}:9090`,
      `tcp:${OUT.b}:8080`,
      `udp:${OUT.a}:53`,
      `udp:${GW}:53`,
    ];
    const before = probe(NS.c, ...targets);
    expect(Object.values(before).every((v) => v.startsWith('ok'))).toBe(true);

    const result = await installContainerFirewall({
      root,
      id: ID.c,
      netns: NS.c,
      networks: [network('c')],
      egress: { filter: true, manifest: [], flags: [`${OUT.a}:8080`] },
      ingress: [],
      ports: [],
    });
    expect(result.egressRules).toBe(7);
    const after = probe(NS.c, ...targets);
    expect(after[allowed]).toBe('ok:hello out:8080');
    expect(after[`tcp:${OUT.a}:9090`]).toBe('err:EHOSTUNREACH');
    expect(after[`tcp:${OUT.b}:8080`]).toBe('err:EHOSTUNREACH');
    expect(after[`udp:${OUT.a}:53`]).not.toMatch(/^ok/); // DNS to another resolver
    expect(after[`udp:${GW}:53`]).toBe('ok:hello gateway'); // the gateway resolver
    // Peers on an attached network are governed by their own ingress rules.
    expect(probe(NS.c, `tcp:${IP.s}:9090`)[`tcp:${IP.s}:9090`]).toBe('ok:hello peer:9090');
  }, 120_000);

  it('a host entry that does not resolve leaves its set empty with a warning', async () => {
    const result = await installContainerFirewall({
      root,
      id: ID.c,
      netns: NS.c,
      networks: [network('c')],
      egress: { filter: true, manifest: [], flags: [`${OUT.a}:8080`, 'no-such-host.invalid:443'] },
      ingress: [],
      ports: [],
      resolveHost: () => Promise.reject(new Error('ENOTFOUND')),
    });
    expect(result.warnings).toEqual([
      expect.stringContaining('no-such-host.invalid did not resolve'),
    ]);
    expect(probe(NS.c, `tcp:${OUT.a}:8080`)[`tcp:${OUT.a}:8080`]).toBe('ok:hello out:8080');
  }, 30_000);

  it('publishes busybox httpd on 127.0.0.1:<free port> and enforces ingress on the bridge', async () => {
    const probeHolder = await makePortHolderProbe();
    const ports = await choosePorts(parsePublish('80'), probeHolder);
    const hostPort = ports[0]!.hostPort;
    expect(hostPort).toBeGreaterThanOrEqual(32768);
    const result = await installContainerFirewall({
      root,
      id: ID.s,
      netns: NS.s,
      networks: [network('s')],
      egress: noEgress,
      ingress: [{ port: 80, protocol: 'tcp', source: 'any' }],
      ports,
    });
    expect(result.ingressRules).toBe(5);
    const body = await new Promise<string>((resolve, reject) => {
      get({ host: '127.0.0.1', port: hostPort, path: '/index.html', timeout: 5000 }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(body).toBe('hello from httpd\n');

    // A peer may open port 80 (the entry) but not 9090 (dropped on the bridge: no answer).
    const fromPeer = probe(NS.o, `tcp:${IP.s}:80`, `tcp:${IP.s}:9090`);
    expect(fromPeer[`tcp:${IP.s}:80`]).toBe('ok:connected');
    expect(fromPeer[`tcp:${IP.s}:9090`]).toBe('timeout');

    // PORT_IN_USE names the holder: this container's publish, or a host process.
    const again = await makePortHolderProbe((id12) =>
      id12 === ID.s.slice(0, 12) ? 'web' : undefined,
    );
    await expect(choosePorts(parsePublish(`${hostPort}:80`), again)).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      message: expect.stringContaining(`container web (${ID.s.slice(0, 12)})`),
    });
    const server = createServer();
    hostServers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    const busy = (server.address() as AddressInfo).port;
    await expect(choosePorts(parsePublish(`${busy}:80`), again)).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      message: expect.stringMatching(new RegExp(`in use by a host process \\(pid ${process.pid} `)),
    });
  }, 120_000);

  it('check lists live connections and flags one outside the allowlist; rule changes are found', async () => {
    // Connections opened before the filter (the way a process could slip one past it) stay up.
    const holder = await startReady(NS.o, [
      process.execPath,
      join(dir, 'client.mjs'),
      'hold',
      `tcp:${OUT.a}:8080`,
      `tcp:${OUT.b}:8080`,
    ]);
    await installContainerFirewall({
      root,
      id: ID.o,
      netns: NS.o,
      networks: [network('o')],
      egress: { filter: true, manifest: [], flags: [`${OUT.a}:8080`] },
      ingress: [],
      ports: [],
    });
    // The holder runs `ip netns exec … node`: ip execs node, so the pid is node's.
    const [connections, rules] = await measureNetwork(root, ID.o, holder.pid);
    expect(connections).toMatchObject({ name: 'network-connections', status: 'fail' });
    expect(connections!.violations).toEqual([
      expect.stringMatching(
        new RegExp(
          `^outbound tcp ${IP.o.replace(/\./g, '\\.')}:\\d+ -> ${OUT.b}:8080 not in the egress allowlist$`,
        ),
      ),
    ]);
    expect(rules).toMatchObject({ name: 'network-rules', status: 'pass' });

    sh(
      'ip',
      'netns',
      'exec',
      NS.o,
      'nft',
      'insert',
      'rule',
      'inet',
      'vordr_egress',
      'output',
      'accept',
    );
    const [, changed] = await measureNetwork(root, ID.o, holder.pid);
    expect(changed).toMatchObject({
      status: 'fail',
      violations: [expect.stringContaining('differs')],
    });

    await removeContainerFirewall(root, ID.o, NS.o);
    // Without rules nothing is disallowed; the connections are still listed.
    const [open, none] = await measureNetwork(root, ID.o, holder.pid);
    expect(open).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining(`${OUT.b}:8080`),
    });
    expect(none!.status).toBe('skip');
    const [noNet] = await measureNetwork(root, ID.o, holder.pid, false);
    expect(noNet!.status).toBe('skip');
  }, 120_000);
});
