// SPDX-License-Identifier: Apache-2.0
// `vordr daemon` end to end: the real binary on a temporary socket over a temporary store with a
// signed busybox image (real builder, runc, conmon). The API (node:http on the socket), the CLI
// through the daemon, a kill -9 of the daemon with running containers, and 50 create/start/stop/rm
// cycles that must leave no mount, cgroup or process behind. Everything is removed in afterAll.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticBusybox } from '../support/busybox-layout.js';
import { api, apiStream, startDaemon, type RunningDaemon } from '../support/daemon-fixture.js';
import {
  VORDR_BIN,
  buildSignedImage,
  vordr,
  type Ran,
  vordrTestsCanRun,
} from '../support/vordr-fixture.js';

const busybox = staticBusybox();
const ready = vordrTestsCanRun(busybox);

const IMAGE = 'vt/hello:1.0.0';
const LOOP = ['/bin/sh', '-c', 'echo up; echo warn >&2; while :; do sleep 1; done'];

describe.skipIf(!ready)('vordr daemon (HTTP API on a unix socket)', () => {
  let dir = '';
  let store = '';
  let socket = '';
  let daemon: RunningDaemon | undefined;
  const daemons: RunningDaemon[] = [];
  const roots: string[] = [];
  const tag = `d${process.pid}`;

  /** The CLI with VORDR_SOCKET set (through the daemon) or with --direct. */
  const cli = (how: 'daemon' | 'direct', ...args: string[]): Ran => {
    const r = spawnSync(
      process.execPath,
      [VORDR_BIN, '--root', store, ...(how === 'direct' ? ['--direct'] : []), ...args],
      {
        cwd: dir,
        env: { ...process.env, VC_ROOT: store, VORDR_SOCKET: socket },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const create = (name: string, extra: Record<string, unknown> = {}) =>
    api(socket, 'POST', '/v1/containers', {
      image: IMAGE,
      name,
      command: LOOP,
      networks: ['none'],
      ...extra,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-daemon-'));
    store = join(dir, 'store');
    socket = join(dir, 'run', 'vordr.sock');
    roots.push(store);
    buildSignedImage(dir, busybox!, 'vt/hello');
    daemon = await startDaemon(store, socket, {}, dir);
    daemons.push(daemon);
  }, 180_000);

  afterAll(async () => {
    for (const d of daemons) await d.stop();
    for (const root of roots) {
      const ids = vordr(dir, root, '--direct', 'ps', '-a', '-q', '--no-trunc')
        .stdout.split('\n')
        .filter(Boolean);
      for (const id of ids) vordr(dir, root, '--direct', 'rm', '-f', id);
    }
    for (const point of mountsUnder(dir).reverse()) spawnSync('umount', ['-l', point]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('answers healthz with its store root; the socket is 0660 in a 0755 directory', async () => {
    const r = await api(socket, 'GET', '/v1/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok', storeRoot: store });
    const mode = (p: string) =>
      (spawnSync('stat', ['-c', '%a', p], { encoding: 'utf8' }).stdout ?? '').trim();
    expect(mode(socket)).toBe('660');
    expect(mode(join(dir, 'run'))).toBe('755');
    expect((await api(socket, 'GET', '/v1/version')).body).toMatchObject({ apiVersion: '1' });
  });

  it('create, list, inspect, logs (follow), exec, check, stop and delete through the socket', async () => {
    const name = `api-${tag}`;
    const created = await create(name);
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    expect(created.headers['location']).toBe(`/v1/containers/${id}`);
    expect(created.body).toMatchObject({ name, state: 'running', backend: 'runc' });
    expect(created.body.verification).toMatchObject({ decision: 'ALLOW', mode: 'strict' });

    const list = await api(socket, 'GET', `/v1/containers?filter=name=${name}`);
    expect(list.body.containers.map((c: { id: string }) => c.id)).toEqual([id]);
    const inspect = await api(socket, 'GET', `/v1/containers/${name}`);
    expect(inspect.body).toMatchObject({ id, name, state: 'running' });
    expect(inspect.body.paths.log).toContain(id);

    const exec = await api(socket, 'POST', `/v1/containers/${id}/exec`, {
      cmd: ['/bin/cat', '/etc/greeting'],
    });
    expect(exec.body).toEqual({
      exitCode: 0,
      stdout: 'hello from vordr\n',
      stderr: '',
      truncated: false,
    });
    const check = await api(socket, 'GET', `/v1/containers/${id}/check`);
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ id });
    expect(Array.isArray(check.body.checks)).toBe(true);

    // Follow streams until the container exits: stop it while the stream is open.
    const following = apiStream(socket, `/v1/containers/${id}/logs?follow=1&format=ndjson`);
    const stop = await api(socket, 'POST', `/v1/containers/${id}/stop?timeout=1`);
    expect(stop.body).toMatchObject({ id, state: 'exited' });
    const logs = await following;
    expect(logs.contentType).toBe('application/x-ndjson');
    const lines = logs.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { stream: string; line: string });
    expect(lines.map((l) => [l.stream, l.line])).toEqual([
      ['stdout', 'up'],
      ['stderr', 'warn'],
    ]);
    const text = await apiStream(socket, `/v1/containers/${id}/logs`);
    expect(text.text).toBe('up\nwarn\n');

    const wait = await api(socket, 'POST', `/v1/containers/${id}/wait`);
    // sh as pid 1 ignores SIGTERM: SIGKILL after the 1 s grace.
    expect(wait.body).toEqual({ exitCode: 137 });
    const del = await api(socket, 'DELETE', `/v1/containers/${id}`);
    expect(del.status).toBe(204);

    const events = await api(
      socket,
      'GET',
      `/v1/events?filter=container=${name}&until=${encodeURIComponent(new Date().toISOString())}`,
    );
    expect(
      events.text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { action: string }).action),
    ).toEqual(['create', 'start', 'stop', 'die', 'destroy']);
  }, 120_000);

  it('a missing container is a 404 problem+json', async () => {
    const r = await api(socket, 'GET', '/v1/containers/no-such-container');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(r.body).toMatchObject({
      type: 'urn:verified-container:error:CONTAINER_NOT_FOUND',
      status: 404,
      code: 'CONTAINER_NOT_FOUND',
    });
    const bad = await api(socket, 'POST', '/v1/containers', 'image=x', {
      'content-type': 'text/plain',
    });
    expect(bad.status).toBe(415);
    const unknown = await api(socket, 'POST', '/v1/containers', { image: IMAGE, colour: 'red' });
    expect(unknown.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('a REJECTed image is a 403 with the decision in details and nothing created', async () => {
    const other = mkdtempSync(join(dir, 'one-signer-'));
    const root = join(other, 'store');
    roots.push(root);
    buildSignedImage(other, busybox!, 'vt/hello', ['m1']);
    const sock = join(other, 'vordr.sock');
    const second = await startDaemon(root, sock, {}, other);
    daemons.push(second);
    const r = await api(sock, 'POST', '/v1/containers', { image: IMAGE, networks: ['none'] });
    expect(r.status).toBe(403);
    expect(r.headers['content-type']).toBe('application/problem+json');
    const code = r.body.code as string;
    expect(r.body).toMatchObject({
      type: `urn:verified-container:error:${code}`,
      details: { decision: { decision: 'REJECT', errorCode: code }, exitCode: 1 },
    });
    // The same decision as the CLI's own (direct) run of that image.
    const direct = vordr(other, root, '--direct', 'run', '-d', '--network', 'none', IMAGE);
    expect(direct.status).toBe(1);
    expect(direct.stderr).toContain(`Error [${code}]`);
    expect((await api(sock, 'GET', '/v1/containers?all=1')).body).toEqual({ containers: [] });
    expect(await second.stop()).toBe(0);
  }, 180_000);

  it('the CLI goes through the daemon when VORDR_SOCKET answers, with the same output', async () => {
    const name = `cli-${tag}`;
    const run = cli('daemon', 'run', '-d', '--name', name, '--network', 'none', IMAGE, ...LOOP);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(run.stderr).toContain('✓ Container signature valid');
    await logged(daemon!, '"method":"POST","path":"/v1/containers","status":201');

    for (const args of [
      ['ps', '-a', '--format', 'json'],
      ['ps', '--filter', `name=${name}`],
      ['inspect', name],
      ['logs', name],
      ['port', name],
    ]) {
      const via = cli('daemon', ...args);
      const direct = cli('direct', ...args);
      expect(via.status, via.stderr).toBe(0);
      expect(sameTime(via.stdout), args.join(' ')).toBe(sameTime(direct.stdout));
      expect(via.stderr).toBe(direct.stderr);
    }
    expect(cli('daemon', 'stop', '-t', '1', name)).toMatchObject({
      status: 0,
      stdout: `${name}\n`,
    });
    expect(cli('daemon', 'start', name)).toMatchObject({ status: 0, stdout: `${name}\n` });
    expect(cli('daemon', 'rm', '-f', name)).toMatchObject({ status: 0, stdout: `${name}\n` });
    expect(cli('daemon', 'rm', '-f', name)).toMatchObject({ status: 0, stdout: '' });
    const missing = cli('daemon', 'inspect', name);
    expect(missing.status).toBe(125);
    expect(missing.stderr).toBe(cli('direct', 'inspect', name).stderr);
    await logged(daemon!, `"method":"DELETE","path":"/v1/containers/${name}"`);
    await logged(daemon!, `"method":"GET","path":"/v1/containers/${name}/logs"`);
  }, 120_000);

  it('kill -9 of the daemon leaves 3 running containers; a new daemon lists them running, logs intact', async () => {
    const names = [1, 2, 3].map((i) => `k${i}-${tag}`);
    for (const name of names) expect((await create(name)).status).toBe(201);
    daemon!.child.kill('SIGKILL');
    await daemon!.stop();
    daemon = await startDaemon(store, socket, {}, dir);
    daemons.push(daemon);
    const list = await api(socket, 'GET', '/v1/containers');
    const running = list.body.containers
      .filter((c: { name: string }) => names.includes(c.name))
      .map((c: { name: string; state: string }) => [c.name, c.state]);
    expect(running.sort()).toEqual(names.map((n) => [n, 'running']).sort());
    for (const name of names) {
      // The log was written by conmon all along; wait for the first line (poll with a deadline).
      const deadline = Date.now() + 10_000;
      let text = '';
      while (Date.now() < deadline) {
        text = (await apiStream(socket, `/v1/containers/${name}/logs`)).text;
        if (text.includes('warn')) break;
      }
      expect(text).toBe('up\nwarn\n');
      expect((await api(socket, 'DELETE', `/v1/containers/${name}?force=1`)).status).toBe(204);
    }
  }, 120_000);

  it('SIGTERM: the daemon exits 0, removes its socket and leaves containers running', async () => {
    const name = `term-${tag}`;
    const id = (await create(name)).body.id as string;
    expect(await daemon!.stop()).toBe(0);
    expect(existsSync(socket)).toBe(false);
    expect(cli('direct', 'ps', '-q', '--no-trunc').stdout).toContain(id);
    daemon = await startDaemon(store, socket, {}, dir);
    daemons.push(daemon);
    expect((await api(socket, 'DELETE', `/v1/containers/${id}?force=1`)).status).toBe(204);
  }, 60_000);

  it('50 create/start/stop/rm cycles leave no veth, netns, nft rule, mount, cgroup or process', async () => {
    const ids: string[] = [];
    // On a network, with a published port and an egress allowlist: a veth, a netns, DNAT rules in
    // the host table and a table in the netns for every start.
    const network = `cycles-${tag}`;
    try {
      for (let i = 0; i < 50; i++) {
        const created = await create(`cycle-${i}-${tag}`, {
          command: ['/bin/sleep', '600'],
          networks: [network],
          ports: [{ internal: 8080 }],
          egressAllow: ['10.255.255.1:443'],
        });
        expect(created.status, created.text).toBe(201);
        const id = created.body.id as string;
        ids.push(id);
        expect((await api(socket, 'POST', `/v1/containers/${id}/stop?timeout=0`)).status).toBe(200);
        expect((await api(socket, 'POST', `/v1/containers/${id}/start`)).body.state).toBe(
          'running',
        );
        expect((await api(socket, 'POST', `/v1/containers/${id}/stop?timeout=0`)).status).toBe(200);
        expect((await api(socket, 'DELETE', `/v1/containers/${id}`)).status).toBe(204);
      }
      expect((await api(socket, 'GET', '/v1/containers?all=1')).body.containers).toEqual([]);
      expect(mountsUnder(store)).toEqual([]);
      expect(ids.flatMap(cgroupsOf)).toEqual([]);
      // conmon's exit command (`internal cleanup`, detached) may still be finishing: poll, ≤ 15 s.
      const deadline = Date.now() + 15_000;
      while (ids.flatMap(processesMentioning).length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(ids.flatMap(processesMentioning)).toEqual([]);
      const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
      const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
      const rules = spawnSync('nft', ['list', 'ruleset'], { encoding: 'utf8' }).stdout;
      for (const id of ids) {
        expect(netns).not.toContain(`vordr-${id.slice(0, 12)}`);
        expect(links).not.toContain(`vh${id.slice(0, 10)}`);
        expect(rules).not.toContain(id.slice(0, 12));
      }
    } finally {
      vordr(dir, store, '--direct', 'network', 'rm', network);
    }
  }, 600_000);
});

/** Waits (≤ 10 s) until the daemon's log has `text`: the CLI went through it. */
async function logged(d: RunningDaemon, text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!d.log().includes(text) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(d.log()).toContain(text);
}

/** Output with its relative times ("Up 3 seconds") made equal: two calls are a moment apart. */
function sameTime(text: string): string {
  return text
    .replace(/Less than a second|\d+ seconds?|About a minute/g, 'T')
    .replace(/ {2,}/g, '  ');
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => dir !== '' && point.startsWith(dir));
}

/** The `/vordr/<id>` cgroup directories left in any hierarchy. */
function cgroupsOf(id: string): string[] {
  const out: string[] = [];
  const root = '/sys/fs/cgroup';
  for (const hierarchy of readdirSync(root)) {
    const path = join(root, hierarchy, 'vordr', id);
    if (existsSync(path)) out.push(path);
  }
  if (existsSync(join(root, 'vordr', id))) out.push(join(root, 'vordr', id));
  return out;
}

function processesMentioning(id: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(id)) out.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}
