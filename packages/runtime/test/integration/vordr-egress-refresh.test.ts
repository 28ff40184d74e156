// SPDX-License-Identifier: Apache-2.0
// 05 §4.6: egress `host` entries are resolved into a set with element timeouts and re-resolved
// later. A tiny DNS server on loopback (node dgram, the test's own) answers A 10.x.y.1 with TTL 1
// first and 10.x.y.2 afterwards; the resolver is pointed at it with VORDR_DNS_SERVERS' parser.
// The "container" is a netns this test creates; the table is installed by the real firewall code
// and the refresh adds to it with real nft. Everything is removed in afterAll, also on failure.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dnsServersFromEnv,
  installContainerFirewall,
  refreshEgressHosts,
  removeContainerFirewall,
  resolveWithNodeDns,
} from '../../src/firewall/index.js';
import { buildAnswer, buildServfail, parseQuery } from '../../src/network/dns-message.js';

const ready =
  process.getuid?.() === 0 &&
  spawnSync('nft', ['--version']).status === 0 &&
  spawnSync('ip', ['-V']).status === 0;

const n = process.pid % 250;
const NS = `vcrr${process.pid}`;
const ID = randomBytes(32).toString('hex');
const NAME = `svc${process.pid}.vordr-test`;
const MISSING = `gone${process.pid}.vordr-test`;
const FIRST = `10.196.${n}.1`;
const SECOND = `10.196.${n}.2`;

interface SetElement {
  readonly val: string;
  readonly timeout?: number;
}

function sh(cmd: string, ...args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The elements of an egress set, as `nft -j list set` shows them in the netns. */
function setElements(set: string): SetElement[] {
  const doc = JSON.parse(
    sh('ip', 'netns', 'exec', NS, 'nft', '-j', 'list', 'set', 'inet', 'vordr_egress', set),
  ) as { nftables: { set?: { elem?: (string | { elem: SetElement })[] } }[] };
  const elems = doc.nftables.find((i) => i.set !== undefined)?.set?.elem ?? [];
  // `expires` counts down: left out.
  return elems.map((e) =>
    typeof e === 'string'
      ? { val: e }
      : { val: e.elem.val, ...(e.elem.timeout !== undefined ? { timeout: e.elem.timeout } : {}) },
  );
}

describe.skipIf(!ready)('egress host re-resolution (nft in a netns this test creates)', () => {
  let dir = '';
  let root = '';
  let dns: Socket | undefined;
  let servers: string[] = [];
  const asked: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-rr-'));
    root = join(dir, 'store');
    sh('ip', 'netns', 'add', NS);
    sh('ip', '-n', NS, 'link', 'set', 'lo', 'up');
    const socket = createSocket('udp4');
    dns = socket;
    socket.on('message', (msg, from) => {
      const q = parseQuery(msg);
      if (q === undefined) return;
      asked.push(q.name);
      const reply =
        q.name !== NAME
          ? buildServfail(q)
          : asked.filter((a) => a === NAME).length === 1
            ? buildAnswer(q, [FIRST], 1)
            : buildAnswer(q, [SECOND], 1);
      socket.send(reply, from.port, from.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    servers = dnsServersFromEnv({
      VORDR_DNS_SERVERS: `127.0.0.1:${socket.address().port}`,
    })!;
  });

  afterAll(async () => {
    await removeContainerFirewall(root, ID, NS).catch(() => undefined);
    spawnSync('ip', ['netns', 'del', NS]);
    dns?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('adds the new address with a timeout; a name that does not resolve is retried in 30 s', async () => {
    const resolveHost = (host: string) => resolveWithNodeDns(host, servers);
    const installed = await installContainerFirewall({
      root,
      id: ID,
      netns: NS,
      networks: [],
      egress: { filter: true, manifest: [], flags: [`${NAME}:443`, `${MISSING}:80`] },
      ingress: [],
      ports: [],
      elementTimeouts: true,
      resolveHost,
    });
    expect(installed.warnings.join('\n')).toContain(`egress host ${MISSING} did not resolve`);
    // At start: the first answer, with the 60 s floor of 2 × TTL as its timeout.
    expect(setElements('host_0')).toEqual([{ val: FIRST, timeout: 60 }]);
    expect(setElements('host_1')).toEqual([]);

    const result = await refreshEgressHosts(root, ID, { resolveHost });
    expect(result?.added).toBe(1);
    expect(result?.delayMs).toBe(30_000);
    expect(result?.warnings.join('\n')).toContain(`egress host ${MISSING} did not resolve`);
    const elements = setElements('host_0');
    expect(elements.map((e) => e.val).sort()).toEqual([FIRST, SECOND]);
    expect(elements.every((e) => e.timeout === 60)).toBe(true);
    expect(setElements('host_1')).toEqual([]);

    // Refreshing an address that is already there keeps one element.
    await refreshEgressHosts(root, ID, { resolveHost });
    expect(
      setElements('host_0')
        .map((e) => e.val)
        .sort(),
    ).toEqual([FIRST, SECOND]);
  });
});
