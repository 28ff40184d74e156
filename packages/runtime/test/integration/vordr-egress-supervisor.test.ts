// SPDX-License-Identifier: Apache-2.0
// 05 §4.6, §4.7 through `vordr run` with a signed busybox image, real runc and conmon: a container
// with `--egress-allow NAME:443` resolves NAME at start into its egress set and makes the
// supervisor run, which re-resolves it when it first sees the container. A tiny DNS server (a
// node child process on loopback, VORDR_DNS_SERVERS) answers 10.x.y.1 with TTL 1 first and
// 10.x.y.2 afterwards; the set gains the second address. Containers, the network, the supervisor
// and the DNS server go in afterAll, also on failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const ready = vordrTestsCanRun(busybox, 'nft');

const IMAGE = 'vt/rr:1.0.0';
const LOOP = ['/bin/sh', '-c', 'while :; do sleep 1; done'];
const n = (process.pid % 250) + 1;
const NAME = `api${process.pid}.vordr-test`;
const FIRST = `10.195.${n}.1`;
const SECOND = `10.195.${n}.2`;

// A one-name DNS server: A FIRST (TTL 1) for the first query of the name, then A SECOND; SERVFAIL
// for anything else. Prints its port once bound.
const DNS_SERVER = `
import dgram from 'node:dgram';
const [name, first, second] = process.argv.slice(2);
let answered = 0;
const s = dgram.createSocket('udp4');
s.on('message', (m, r) => {
  let at = 12; const labels = [];
  while (m[at] !== 0) { labels.push(m.subarray(at + 1, at + 1 + m[at]).toString()); at += 1 + m[at]; }
  const question = m.subarray(12, at + 5);
  const type = m.readUInt16BE(at + 1);
  const ok = labels.join('.').toLowerCase() === name;
  const ip = ok && type === 1 ? (answered++ === 0 ? first : second) : undefined;
  const head = Buffer.alloc(12);
  head.writeUInt16BE(m.readUInt16BE(0), 0);
  head.writeUInt16BE(0x8180 | (ok ? 0x0400 : 2), 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(ip === undefined ? 0 : 1, 6);
  const parts = [head, question];
  if (ip !== undefined) {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); rr.writeUInt16BE(1, 2); rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(1, 6); rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
    parts.push(rr);
  }
  s.send(Buffer.concat(parts), r.port, r.address);
});
s.bind(0, '127.0.0.1', () => console.log('port ' + s.address().port));
`;

function setAddresses(id: string): string[] {
  const r = spawnSync(
    'ip',
    [
      'netns',
      'exec',
      `vordr-${id.slice(0, 12)}`,
      'nft',
      '-j',
      'list',
      'set',
      'inet',
      'vordr_egress',
      'host_0',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  const doc = JSON.parse(r.stdout) as {
    nftables: { set?: { elem?: (string | { elem: { val: string } })[] } }[];
  };
  const elems = doc.nftables.find((i) => i.set !== undefined)?.set?.elem ?? [];
  return elems.map((e) => (typeof e === 'string' ? e : e.elem.val)).sort();
}

describe.skipIf(!ready)('egress re-resolution by the supervisor (runc + conmon)', () => {
  let dir = '';
  let store = '';
  let dns: ChildProcess | undefined;
  const network = `rr${process.pid}`;
  const saved = {
    servers: process.env['VORDR_DNS_SERVERS'],
    idle: process.env['VORDR_SUPERVISOR_IDLE_MS'],
  };
  const v = (...args: string[]) => vordr(dir, store, ...args);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-rr-'));
    store = join(dir, 'store');
    buildSignedImage(dir, busybox!, 'vt/rr');
    writeFileSync(join(dir, 'dns.mjs'), DNS_SERVER);
    const child = spawn(process.execPath, [join(dir, 'dns.mjs'), NAME, FIRST, SECOND], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    dns = child;
    const port = await new Promise<number>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('dns server not ready')), 10_000);
      child.stdout.on('data', (d: Buffer) => {
        const m = /port (\d+)/.exec(d.toString());
        if (m !== null) {
          clearTimeout(deadline);
          resolve(Number(m[1]));
        }
      });
    });
    // Read by vordr and passed on to the supervisor it starts.
    process.env['VORDR_DNS_SERVERS'] = `127.0.0.1:${port}`;
    process.env['VORDR_SUPERVISOR_IDLE_MS'] = '1000';
    const created = v('network', 'create', network);
    expect(created.status, created.stderr).toBe(0);
  }, 180_000);

  afterAll(() => {
    if (store !== '') {
      const ids = v('ps', '-a', '-q', '--no-trunc').stdout.split('\n').filter(Boolean);
      for (const id of ids) v('rm', '-f', id);
      removeStoreNetworks(dir, store);
      try {
        const pid = Number(readFileSync(join(store, 'vordr/run/supervisor.pid'), 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGTERM');
      } catch {
        // no supervisor, or it is gone
      }
      const runcRoot = join(store, 'vordr/run/runc');
      if (existsSync(runcRoot)) {
        const listed = spawnSync('runc', ['--root', runcRoot, 'list', '-q'], { encoding: 'utf8' });
        for (const id of listed.stdout.split('\n').filter(Boolean)) {
          spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
        }
      }
    }
    dns?.kill('SIGKILL');
    for (const [key, value] of [
      ['VORDR_DNS_SERVERS', saved.servers],
      ['VORDR_SUPERVISOR_IDLE_MS', saved.idle],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .filter((point) => dir !== '' && point.startsWith(dir));
    for (const point of mounts.reverse()) spawnSync('umount', ['-l', point]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('the set holds the start answer, then gains the supervisor re-resolution', async () => {
    const r = v(
      'run',
      '-d',
      '--name',
      `rr-${process.pid}`,
      '--network',
      network,
      '--egress-allow',
      `${NAME}:443`,
      IMAGE,
      ...LOOP,
    );
    expect(r.status, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(setAddresses(id)).toContain(FIRST);

    const deadline = Date.now() + 30_000;
    let seen = setAddresses(id);
    while (!seen.includes(SECOND) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      seen = setAddresses(id);
    }
    expect(seen).toEqual([FIRST, SECOND].sort());
  }, 120_000);
});
