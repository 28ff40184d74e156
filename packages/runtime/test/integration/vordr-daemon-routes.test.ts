// SPDX-License-Identifier: Apache-2.0
// The daemon's network and image pull/push routes (05 §12.1) end to end: the real `vordr daemon`
// (dist/bin.js) on a temporary socket over a temporary store with a signed busybox image, real
// bridges (ip), runc and conmon, and Debian's docker-registry on loopback. Every container,
// network (bridge), registry, mount and directory is removed in afterAll, also when a test fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasDockerRegistry, startRegistry, type RegistryServer } from '@verified-container/testkit';
import { staticBusybox } from '../support/busybox-layout.js';
import { api, startDaemon, type RunningDaemon } from '../support/daemon-fixture.js';
import {
  buildSignedImage,
  removeStoreNetworks,
  vordr,
  vordrTestsCanRun,
} from '../support/vordr-fixture.js';

const busybox = staticBusybox();
const ready = vordrTestsCanRun(busybox, 'ip');

const IMAGE = 'vt/hello:1.0.0';
const LOOP = ['/bin/sh', '-c', 'while :; do sleep 1; done'];

/** The ndjson lines of a streamed answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ndjson = (text: string): any[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);

describe.skipIf(!ready)('vordr daemon: network and image pull/push routes', () => {
  let dir = '';
  let store = '';
  let socket = '';
  let daemon: RunningDaemon | undefined;
  let registry: RegistryServer | undefined;
  const tag = `r${process.pid}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-routes-'));
    store = join(dir, 'store');
    socket = join(dir, 'run', 'vordr.sock');
    buildSignedImage(dir, busybox!, 'vt/hello');
    daemon = await startDaemon(store, socket, {}, dir);
  }, 180_000);

  afterAll(async () => {
    await daemon?.stop();
    if (store !== '' && existsSync(store)) {
      const ids = vordr(dir, store, '--direct', 'ps', '-a', '-q', '--no-trunc')
        .stdout.split('\n')
        .filter(Boolean);
      for (const id of ids) vordr(dir, store, '--direct', 'rm', '-f', id);
      removeStoreNetworks(dir, store);
    }
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .filter((point) => dir !== '' && point.startsWith(dir));
    for (const point of mounts.reverse()) spawnSync('umount', ['-l', point]);
    await registry?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('creates, lists, shows and removes a network; IN_USE while a container uses it', async () => {
    const name = `api-${tag}`;
    const created = await api(socket, 'POST', '/v1/networks', {
      name,
      subnet: '10.89.217.0/24',
      labels: { team: 'api' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.headers['location']).toBe(`/v1/networks/${name}`);
    expect(created.body).toMatchObject({
      name,
      subnet: '10.89.217.0/24',
      gateway: '10.89.217.1',
      internal: false,
      labels: { team: 'api' },
      containers: [],
    });
    const bridge = String(created.body.bridge);
    expect(spawnSync('ip', ['link', 'show', 'dev', bridge]).status).toBe(0);

    // The same object as `vordr network inspect --json`.
    const got = await api(socket, 'GET', `/v1/networks/${name}`);
    expect(got.status).toBe(200);
    const [inspected] = JSON.parse(
      vordr(dir, store, '--direct', 'network', 'inspect', name).stdout,
    ) as unknown[];
    expect(got.body).toEqual(inspected);
    const list = await api(socket, 'GET', '/v1/networks');
    expect(list.status).toBe(200);
    expect(list.body.networks.map((n: { name: string }) => n.name)).toContain(name);

    const again = await api(socket, 'POST', '/v1/networks', { name });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');

    const c = await api(socket, 'POST', '/v1/containers', {
      image: IMAGE,
      name: `user-${tag}`,
      command: LOOP,
      networks: [name],
    });
    expect(c.status, c.text).toBe(201);
    try {
      const busy = await api(socket, 'DELETE', `/v1/networks/${name}`);
      expect(busy.status).toBe(409);
      expect(busy.body.code).toBe('IN_USE');
      const shown = await api(socket, 'GET', `/v1/networks/${name}`);
      expect(shown.body.containers).toEqual([`user-${tag}`]);
    } finally {
      await api(socket, 'DELETE', `/v1/containers/${c.body.id as string}?force=1`);
    }

    const removed = await api(socket, 'DELETE', `/v1/networks/${name}`);
    expect(removed.status, removed.text).toBe(204);
    expect(spawnSync('ip', ['link', 'show', 'dev', bridge]).status).not.toBe(0);
    const gone = await api(socket, 'GET', `/v1/networks/${name}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('NETWORK_NOT_FOUND');
  });

  it('refuses bad network bodies with every problem listed', async () => {
    const bad = await api(socket, 'POST', '/v1/networks', { internal: 'yes', colour: 'red' });
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '$.colour',
      '$.internal',
      '$.name',
    ]);
    const text = await api(socket, 'POST', '/v1/networks', 'name=x', {
      'content-type': 'text/plain',
    });
    expect(text.status).toBe(415);
    const subnet = await api(socket, 'POST', '/v1/networks', {
      name: `bad-${tag}`,
      subnet: '10.89.0.0/33',
    });
    expect(subnet.status).toBeGreaterThanOrEqual(400);
    expect(subnet.status).toBeLessThan(500);
    expect(existsSync(join(store, 'vordr', 'networks', `bad-${tag}.json`))).toBe(false);
  });

  it('POST /v1/verify: the decision document; details adds the envelopes, their signers and findings', async () => {
    const plain = await api(socket, 'POST', '/v1/verify', { image: IMAGE });
    expect(plain.status, plain.text).toBe(200);
    expect(plain.body.decision).toBe('ALLOW');
    expect(plain.body).not.toHaveProperty('attestations');
    expect(plain.body).not.toHaveProperty('findings');

    const detailed = await api(socket, 'POST', '/v1/verify', { image: IMAGE, details: true });
    expect(detailed.status, detailed.text).toBe(200);
    const { attestations, findings } = detailed.body as {
      attestations: {
        index: number;
        predicateType: string;
        digest: string;
        validSigners: { keyid: string; owner: string | null }[];
      }[];
      findings: unknown[];
    };
    expect(attestations.length).toBe(plain.body.attestationsVerified);
    attestations.forEach((a, i) => {
      expect(a.index).toBe(i);
      expect(a.predicateType).toMatch(/^https:\/\//);
      expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      for (const s of a.validSigners) expect(s.keyid).toMatch(/^sha256:[0-9a-f]{64}$/);
      // The fixture signs 2 of 3 keyholders.
      expect(a.validSigners.length).toBe(2);
    });
    expect(new Set(attestations.map((a) => a.digest)).size).toBe(attestations.length);
    expect(findings).toEqual([]);

    const unknownField = await api(socket, 'POST', '/v1/verify', { image: IMAGE, detail: true });
    expect(unknownField.body.code).toBe('VALIDATION_FAILED');
  });

  it.skipIf(!hasDockerRegistry)(
    'pushes and pulls through the socket with ndjson progress, the error as the last line',
    async () => {
      registry = await startRegistry();
      const dest = `${registry.host}/routes/hello:1.0`;
      const pushed = await api(socket, 'POST', '/v1/images/push', { ref: IMAGE, dest });
      expect(pushed.status).toBe(200);
      expect(pushed.headers['content-type']).toContain('application/x-ndjson');
      const pushLines = ndjson(pushed.text);
      const pushDone = pushLines.at(-1);
      expect(pushDone, pushed.text).toMatchObject({ status: 'done' });
      expect(pushDone.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(pushLines.some((l) => l.status === 'start' && typeof l.id === 'string')).toBe(true);

      const pulled = await api(socket, 'POST', '/v1/images/pull', { ref: dest });
      expect(pulled.status).toBe(200);
      const pullLines = ndjson(pulled.text);
      expect(pullLines.at(-1), pulled.text).toEqual({
        status: 'done',
        reference: dest,
        digest: pushDone.digest,
        ref: dest,
        signed: true,
      });
      const image = await api(socket, 'GET', `/v1/images/${encodeURIComponent(dest)}`);
      expect(image.status, image.text).toBe(200);

      const missing = await api(socket, 'POST', '/v1/images/pull', {
        ref: `${registry.host}/routes/nothing:1.0`,
      });
      expect(missing.status).toBe(200);
      expect(ndjson(missing.text).at(-1)).toMatchObject({ error: { code: 'IMAGE_NOT_FOUND' } });

      const bad = await api(socket, 'POST', '/v1/images/push', { ref: IMAGE });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
    },
    120_000,
  );
});
