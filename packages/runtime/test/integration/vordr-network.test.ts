// SPDX-License-Identifier: Apache-2.0
// vordr networks end to end (05 §4.6, §10.3) on a real signed busybox image, real runc, conmon,
// bridges, netns and veths. Every container, network, bridge, netns and directory is removed in
// afterAll, also when a test fails.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticBusybox } from '../support/busybox-layout.js';
import {
  buildSignedImage,
  removeStoreNetworks,
  vordr,
  vordrTestsCanRun,
} from '../support/vordr-fixture.js';

const busybox = staticBusybox();
const ready = vordrTestsCanRun(busybox, 'ip');

const IMAGE = 'vt/hello:1.0.0';
const SERVE = 'while :; do echo pong-$(hostname) | nc -l -p 8080; done';

describe.skipIf(!ready)('vordr networks (bridges, netns, veths, /etc/hosts)', () => {
  let dir = '';
  let store = '';
  const tag = `n${process.pid}`;
  const v = (...args: string[]) => vordr(dir, store, ...args);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-net-'));
    store = join(dir, 'store');
    buildSignedImage(dir, busybox!, 'vt/hello');
  }, 120_000);

  afterAll(() => {
    if (store !== '' && existsSync(store)) {
      const ids = v('ps', '-a', '-q', '--no-trunc').stdout.split('\n').filter(Boolean);
      for (const id of ids) v('rm', '-f', id);
      removeStoreNetworks(dir, store);
    }
    for (const line of mountsUnder(dir).reverse()) spawnSync('umount', ['-l', line]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  /** Polls `fn` until it returns true or the deadline passes. */
  const until = (fn: () => boolean, ms = 10_000): boolean => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (fn()) return true;
      spawnSync('sleep', ['0.05']);
    }
    return fn();
  };

  it('network create / ls / inspect / rm, with IN_USE and bad input', () => {
    const name = `lab-${tag}`;
    const created = v('network', 'create', '--label', 'team=net', name);
    expect(created.status, created.stderr).toBe(0);
    const [net] = JSON.parse(v('network', 'inspect', name).stdout) as {
      name: string;
      subnet: string;
      gateway: string;
      bridge: string;
      labels: Record<string, string>;
    }[];
    expect(net).toMatchObject({ name, labels: { team: 'net' } });
    expect(net!.subnet).toMatch(/^10\.89\.\d+\.0\/24$/);
    expect(net!.gateway).toBe(net!.subnet.replace('0/24', '1'));
    expect(
      spawnSync('ip', ['-o', '-4', 'addr', 'show', 'dev', net!.bridge]).stdout.toString(),
    ).toContain(`${net!.gateway}/24`);
    expect(v('network', 'ls').stdout).toMatch(
      new RegExp(
        `^${name}\\s+${net!.subnet.replace(/\./g, '\\.')}\\s+${net!.gateway}\\s+false\\s+0$`,
        'm',
      ),
    );
    expect(JSON.parse(v('inspect', '--type', 'network', name).stdout)).toHaveLength(1);

    const dup = v('network', 'create', name);
    expect(dup.status).toBe(125);
    expect(dup.stderr).toContain('NAME_IN_USE');
    const overlap = v('network', 'create', '--subnet', net!.subnet, `other-${tag}`);
    expect(overlap.stderr).toContain('SUBNET_OVERLAP');
    const bad = v('network', 'create', '--subnet', '10.89.300.0/24', `bad-${tag}`);
    expect(bad.stderr).toContain('Error [USAGE]: invalid --subnet');
    expect(v('network', 'ls', '-q').stdout.split('\n')).not.toContain(`bad-${tag}`);

    const ctr = v('run', '-d', '--network', name, IMAGE, '/bin/sh', '-c', 'sleep 600');
    expect(ctr.status, ctr.stderr).toBe(0);
    const inUse = v('network', 'rm', name);
    expect(inUse.status).toBe(125);
    expect(inUse.stderr).toContain('IN_USE');
    expect(v('rm', '-f', ctr.stdout.trim()).status).toBe(0);
    expect(v('network', 'rm', name).status).toBe(0);
    expect(spawnSync('ip', ['link', 'show', 'dev', net!.bridge]).status).not.toBe(0);
    expect(v('network', 'inspect', name).stderr).toContain('NETWORK_NOT_FOUND');
  });

  it('two containers on a user network reach each other by name; hosts is rewritten in place', () => {
    const net = `app-${tag}`;
    const server = `srv-${tag}`;
    const s = v(
      'run',
      '-d',
      '--name',
      server,
      '--network',
      net,
      '--network-alias',
      'api',
      IMAGE,
      '/bin/sh',
      '-c',
      SERVE,
    );
    expect(s.status, s.stderr).toBe(0);
    expect(s.stderr).toMatch(
      new RegExp(`vordr: created network "${net}" \\(10\\.89\\.\\d+\\.0/24\\)`),
    );
    const hostsFile = join(store, 'vordr/containers', s.stdout.trim(), 'hosts');
    const inode = statSync(hostsFile).ino;

    const client = `cli-${tag}`;
    const c = v(
      'run',
      '-d',
      '--name',
      client,
      '--network',
      net,
      '--add-host',
      'db.example:192.0.2.7',
      IMAGE,
      '/bin/sh',
      '-c',
      'sleep 600',
    );
    expect(c.status, c.stderr).toBe(0);
    const [info] = JSON.parse(v('inspect', client).stdout) as {
      networks: Record<string, { ip: string; aliases: string[] }>;
    }[];
    expect(info!.networks[net]!.ip).toMatch(/^10\.89\.\d+\.3$/);

    // The server's hosts file learnt the client without changing inode (a bind mount).
    expect(statSync(hostsFile).ino).toBe(inode);
    expect(readFileSync(hostsFile, 'utf8')).toContain(`\t${client}\n`);

    const hosts = v('exec', client, '/bin/cat', '/etc/hosts');
    expect(hosts.stdout).toMatch(new RegExp(`\\t${server} api\\n`));
    expect(hosts.stdout).toContain('192.0.2.7\tdb.example\n');
    expect(v('exec', client, '/bin/cat', '/etc/resolv.conf').stdout).toMatch(
      /^nameserver 10\.89\.\d+\.1\noptions ndots:0\n$/,
    );
    let reply = '';
    expect(
      until(() => {
        reply = v('exec', client, '/bin/sh', '-c', `nc ${server} 8080 </dev/null`).stdout;
        return reply.includes('pong');
      }),
    ).toBe(true);
    expect(reply).toContain(`pong-${server}`);
    expect(
      until(() =>
        v('exec', client, '/bin/sh', '-c', 'nc api 8080 </dev/null').stdout.includes('pong'),
      ),
    ).toBe(true);
    expect(v('ps', '--filter', `network=${net}`, '-q').stdout.trim().split('\n')).toHaveLength(2);

    // The forwarder on the gateway answers for peers (aliases too), whatever nsswitch says.
    const serverIp = (
      JSON.parse(v('inspect', server).stdout) as { networks: Record<string, { ip: string }> }[]
    )[0]!.networks[net]!.ip;
    let lookup = '';
    expect(
      until(() => {
        lookup = v('exec', client, '/bin/sh', '-c', 'nslookup -type=a api').stdout;
        return lookup.includes(serverIp);
      }),
    ).toBe(true);

    expect(v('rm', '-f', client).status).toBe(0);
    expect(readFileSync(hostsFile, 'utf8')).not.toContain(client);
    expect(statSync(hostsFile).ino).toBe(inode);
    expect(v('rm', '-f', server).status).toBe(0);
    expect(v('network', 'rm', net).status).toBe(0);
  });

  it('an --internal network reaches its peers but nothing outside', () => {
    const inner = `inner-${tag}`;
    expect(v('network', 'create', '--internal', inner).status).toBe(0);
    const publish = v('run', '--rm', '-p', '8080', '--network', inner, IMAGE);
    expect(publish.status).toBe(125);
    expect(publish.stderr).toContain('Error [PROFILE_CONFLICT]: -p needs a non-internal network');
    const outer = `outer-${tag}`;
    const srv = v(
      'run',
      '-d',
      '--name',
      outer,
      '--network',
      `web-${tag}`,
      IMAGE,
      '/bin/sh',
      '-c',
      SERVE,
    );
    expect(srv.status, srv.stderr).toBe(0);
    const [outerInfo] = JSON.parse(v('inspect', outer).stdout) as {
      networks: Record<string, { ip: string }>;
    }[];
    const outerIp = outerInfo!.networks[`web-${tag}`]!.ip;
    const peer = `peer-${tag}`;
    expect(
      v('run', '-d', '--name', peer, '--network', inner, IMAGE, '/bin/sh', '-c', SERVE).status,
    ).toBe(0);
    const probe = `probe-${tag}`;
    const p = v(
      'run',
      '-d',
      '--name',
      probe,
      '--network',
      inner,
      IMAGE,
      '/bin/sh',
      '-c',
      'sleep 600',
    );
    expect(p.status, p.stderr).toBe(0);
    expect(v('exec', probe, '/bin/cat', '/etc/resolv.conf').stdout).toBe('options ndots:0\n');
    const routes = v('exec', probe, '/bin/cat', '/proc/net/route').stdout;
    expect(routes).not.toMatch(/^eth0\s+00000000/m);
    expect(
      until(() =>
        v('exec', probe, '/bin/sh', '-c', `nc ${peer} 8080 </dev/null`).stdout.includes('pong'),
      ),
    ).toBe(true);
    const out = v('exec', probe, '/bin/sh', '-c', `nc -w 2 ${outerIp} 8080 </dev/null; echo rc=$?`);
    expect(out.stdout).not.toContain('pong');
    for (const name of [probe, peer, outer]) expect(v('rm', '-f', name).status).toBe(0);
  });

  it('-p publishes on 127.0.0.1 and --egress-allow limits egress (line 6 ✓)', () => {
    const net = `fw-${tag}`;
    const srv = `fwsrv-${tag}`;
    const s = v(
      'run',
      '-d',
      '--name',
      srv,
      '--network',
      net,
      '-p',
      '127.0.0.1::8080',
      IMAGE,
      '/bin/sh',
      '-c',
      SERVE,
    );
    expect(s.status, s.stderr).toBe(0);
    const [info] = JSON.parse(v('inspect', srv).stdout) as {
      ports: { hostPort: number; containerPort: number }[];
      networks: Record<string, { ip: string }>;
    }[];
    expect(info!.ports).toHaveLength(1);
    expect(info!.ports[0]!.containerPort).toBe(8080);
    const hostPort = info!.ports[0]!.hostPort;
    let reply = '';
    expect(
      until(() => {
        reply = spawnSync(busybox!, ['nc', '-w', '2', '127.0.0.1', String(hostPort)], {
          input: '',
          encoding: 'utf8',
        }).stdout;
        return reply.includes('pong');
      }),
    ).toBe(true);
    expect(reply).toContain(`pong-${srv}`);

    const srvIp = info!.networks[net]!.ip;
    const cli = `fwcli-${tag}`;
    const c = v(
      'run',
      '-d',
      '--name',
      cli,
      '--network',
      net,
      '--egress-allow',
      `${srvIp}:8080`,
      IMAGE,
      '/bin/sh',
      '-c',
      'sleep 600',
    );
    expect(c.status, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/✓ Network isolation active \(egress \d+ rules?/);
    expect(
      until(() =>
        v('exec', cli, '/bin/sh', '-c', `nc ${srvIp} 8080 </dev/null`).stdout.includes('pong'),
      ),
    ).toBe(true);
    const refused = v('exec', cli, '/bin/sh', '-c', `nc -w 2 ${srvIp} 8081 </dev/null; echo rc=$?`);
    expect(refused.stdout).toContain('rc=1');
    for (const name of [cli, srv]) expect(v('rm', '-f', name).status).toBe(0);
    expect(spawnSync('nft', ['list', 'ruleset'], { encoding: 'utf8' }).stdout).not.toContain(
      s.stdout.trim().slice(0, 12),
    );
    expect(v('network', 'rm', net).status).toBe(0);
  });

  it('stop releases the address and the peers forget the name; start takes one again', () => {
    const net = `ss-${tag}`;
    const a = `ssa-${tag}`;
    const b = `ssb-${tag}`;
    for (const name of [a, b]) {
      const r = v(
        'run',
        '-d',
        '--name',
        name,
        '--network',
        net,
        IMAGE,
        '/bin/sh',
        '-c',
        'sleep 600',
      );
      expect(r.status, r.stderr).toBe(0);
    }
    expect(v('exec', a, '/bin/cat', '/etc/hosts').stdout).toContain(`\t${b}\n`);
    expect(v('stop', '-t', '0', b).status).toBe(0);
    const [stopped] = JSON.parse(v('inspect', b).stdout) as {
      networks: Record<string, { ip: string }>;
    }[];
    expect(stopped!.networks[net]!.ip).toBe('');
    expect(v('exec', a, '/bin/cat', '/etc/hosts').stdout).not.toContain(b);
    expect(v('network', 'ls').stdout).toMatch(new RegExp(`^${net}\\s+.*\\s+1$`, 'm'));
    const started = v('start', b);
    expect(started.status, started.stderr).toBe(0);
    expect(v('exec', a, '/bin/cat', '/etc/hosts').stdout).toContain(`\t${b}\n`);
    expect(v('exec', b, '/bin/cat', '/sys/class/net/eth0/operstate').stdout).toBe('up\n');
    for (const name of [a, b]) expect(v('rm', '-f', name).status).toBe(0);
    expect(v('network', 'rm', net).status).toBe(0);
  });

  it('reconciliation drops a lease and netns whose container is gone (05 §13)', () => {
    const net = `rec-${tag}`;
    expect(v('network', 'create', net).status).toBe(0);
    const ghost = 'f'.repeat(8) + process.pid.toString(16).padStart(8, '0') + 'e'.repeat(48);
    const file = join(store, 'vordr/networks', `${net}.json`);
    const record = JSON.parse(readFileSync(file, 'utf8')) as { leases: Record<string, string> };
    record.leases['10.89.250.9'] = ghost;
    writeFileSync(file, JSON.stringify(record));
    const ns = `vordr-${ghost.slice(0, 12)}`;
    expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0);
    try {
      expect(v('network', 'ls').stdout).toMatch(new RegExp(`^${net}\\s+.*\\s+0$`, 'm'));
      expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(ns);
      expect(v('network', 'rm', net).status).toBe(0);
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }

    // A netns recorded for a store that is gone is swept by the next network allocation.
    const orphan = 'd'.repeat(8) + process.pid.toString(16).padStart(8, '0') + 'c'.repeat(48);
    const orphanNs = `vordr-${orphan.slice(0, 12)}`;
    const owner = join('/run/vordr/netns', orphanNs);
    try {
      expect(spawnSync('ip', ['netns', 'add', orphanNs]).status).toBe(0);
      mkdirSync('/run/vordr/netns', { recursive: true });
      writeFileSync(owner, JSON.stringify({ root: join(dir, 'gone-store'), id: orphan }));
      expect(v('network', 'create', `sweep-${tag}`).status).toBe(0);
      expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(
        orphanNs,
      );
      expect(existsSync(owner)).toBe(false);
      expect(v('network', 'rm', `sweep-${tag}`).status).toBe(0);
    } finally {
      spawnSync('ip', ['netns', 'del', orphanNs]);
      rmSync(owner, { force: true });
    }
  });

  it('10 run/rm cycles leave no netns, veth or lease', () => {
    const net = `cyc-${tag}`;
    for (let i = 0; i < 10; i++) {
      const r = v(
        'run',
        '--rm',
        '--network',
        net,
        IMAGE,
        '/bin/sh',
        '-c',
        'cat /sys/class/net/eth0/operstate',
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('up\n');
    }
    const d = v('run', '-d', '--network', net, IMAGE, '/bin/sh', '-c', 'sleep 600');
    expect(v('rm', '-f', d.stdout.trim()).status).toBe(0);
    const [record] = JSON.parse(v('network', 'inspect', net).stdout) as { leases: object }[];
    expect(record!.leases).toEqual({});
    const ids = readdirSync(join(store, 'vordr/containers'));
    expect(ids).toEqual([]);
    const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    const links = spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout;
    expect(netns).not.toContain(`vordr-${d.stdout.trim().slice(0, 12)}`);
    expect(links).not.toContain(`vh${d.stdout.trim().slice(0, 10)}`);
    expect(v('network', 'rm', net).status).toBe(0);
  }, 120_000);
});

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => dir !== '' && point.startsWith(dir));
}
