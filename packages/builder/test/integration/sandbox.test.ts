// SPDX-License-Identifier: Apache-2.0
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInSandbox } from '../../src/sandbox/runc-sandbox.js';
import type { RunInSandboxOptions } from '../../src/sandbox/runc-sandbox.js';
import { hasRunc, makeBusyboxRootfs, staticBusybox } from './busybox-rootfs.js';

const busybox = staticBusybox();
const ENV = { PATH: '/bin' };

function cgroupDirs(id: string): string[] {
  const root = '/sys/fs/cgroup';
  return [root, ...readdirSync(root).map((c) => join(root, c))]
    .map((d) => join(d, id))
    .filter((d) => existsSync(d));
}

function runcList(): string {
  return execFileSync('runc', ['list', '-q'], { encoding: 'utf8' });
}

describe.skipIf(!hasRunc || busybox === undefined)('runc build sandbox', () => {
  let work: string;
  let rootfs: string;
  let bundles: string;
  const run = (argv: string[], extra: Partial<RunInSandboxOptions> = {}) =>
    runInSandbox({ rootfs, argv, env: ENV, timeoutMs: 20_000, bundleParent: bundles, ...extra });

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ct-sandbox-it-'));
    rootfs = join(work, 'rootfs');
    bundles = join(work, 'bundles');
    mkdirSync(bundles);
    makeBusyboxRootfs(rootfs, busybox!);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('runs as uid 0 with only lo, hostname localhost, and leaves nothing behind', async () => {
    const r = await run(['/bin/sh', '-c', 'echo hi; cat /proc/net/dev; hostname; id -u']);
    expect(r.exitCode).toBe(0);
    expect(r.timedOut).toBe(false);
    const lines = r.output.split('\n');
    expect(lines[0]).toBe('hi');
    const interfaces = lines
      .filter((l) => /^\s*[\w.-]+:/.test(l))
      .map((l) => l.trim().split(':')[0]);
    expect(interfaces).toEqual(['lo']);
    expect(lines).toContain('localhost');
    expect(lines).toContain('0');
    expect(runcList()).not.toContain(r.containerId);
    expect(readdirSync(bundles)).toEqual([]);
    expect(cgroupDirs(r.containerId)).toEqual([]);
    // runc created /proc, /dev, /sys in this bare rootfs; they are gone again.
    expect(readdirSync(rootfs)).toEqual(['bin']);
  });

  it('returns a non-zero exit status as a result', async () => {
    const r = await run(['/bin/sh', '-c', 'echo oops >&2; exit 3']);
    expect(r.exitCode).toBe(3);
    expect(r.output).toContain('oops');
    expect(r.timedOut).toBe(false);
  });

  it('passes env and cwd, and exposes a minimal /dev and a read-only /sys', async () => {
    mkdirSync(join(rootfs, 'work'), { recursive: true });
    try {
      const r = await run(
        [
          '/bin/sh',
          '-c',
          'echo "$FOO"; pwd; ls /dev; echo x > /dev/null && echo null-ok; ' +
            'touch /sys/x 2>/dev/null || echo sys-ro; echo 1 2>/dev/null >/proc/sys/kernel/hostname || echo procsys-ro',
        ],
        { env: { ...ENV, FOO: 'bar baz' }, cwd: '/work' },
      );
      expect(r.exitCode).toBe(0);
      const lines = r.output.split('\n');
      expect(lines[0]).toBe('bar baz');
      expect(lines[1]).toBe('/work');
      for (const dev of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'pts', 'shm']) {
        expect(lines).toContain(dev);
      }
      expect(lines).toContain('null-ok');
      expect(lines).toContain('sys-ro');
      expect(lines).toContain('procsys-ro');
    } finally {
      rmSync(join(rootfs, 'work'), { recursive: true, force: true });
    }
  });

  it('kills on timeout and cleans up container, bundle and cgroup', async () => {
    const started = Date.now();
    const r = await run(['/bin/sh', '-c', 'echo started; sleep 60'], { timeoutMs: 1_000 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toContain('started');
    expect(runcList()).not.toContain(r.containerId);
    expect(readdirSync(bundles)).toEqual([]);
    expect(cgroupDirs(r.containerId)).toEqual([]);
  });

  it('cannot write to the host outside the rootfs', async () => {
    const marker = join(work, 'outside');
    const r = await run([
      '/bin/sh',
      '-c',
      'echo x > /../outside; echo x > /../../outside; ls / ; rm -f /outside',
    ]);
    expect(r.exitCode).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(tmpdir(), 'outside'))).toBe(false);
  });

  it('mounts binds read-only or read-write and removes their mount points', async () => {
    const ro = join(work, 'ro');
    const rw = join(work, 'rw');
    mkdirSync(ro);
    mkdirSync(rw);
    writeFileSync(join(ro, 'in.txt'), 'from host\n');
    const r = await run(
      [
        '/bin/sh',
        '-c',
        'cat /ro/in.txt; echo y > /ro/new 2>/dev/null || echo ro-refused; echo z > /mnt/rw/deep/out',
      ],
      {
        bindMounts: [
          { source: ro, destination: '/ro', readOnly: true },
          { source: rw, destination: '/mnt/rw/deep', readOnly: false },
        ],
      },
    );
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('from host');
    expect(r.output).toContain('ro-refused');
    expect(existsSync(join(ro, 'new'))).toBe(false);
    expect(readdirSync(rw)).toEqual(['out']);
    expect(readdirSync(rootfs)).toEqual(['bin']);
  });

  it('shares the host network stack with network "host"', async () => {
    const r = await run(['/bin/cat', '/proc/net/dev'], { network: 'host' });
    expect(r.exitCode).toBe(0);
    const interfaces = r.output
      .split('\n')
      .filter((l) => /^\s*[\w.-]+:/.test(l))
      .map((l) => l.trim().split(':')[0]);
    const host = execFileSync('cat', ['/proc/net/dev'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /^\s*[\w.-]+:/.test(l))
      .map((l) => l.trim().split(':')[0]);
    expect(interfaces.sort()).toEqual(host.sort());
  });

  it('reports a program runc cannot start as BUILD_SANDBOX_FAILED', async () => {
    await expect(run(['/no/such/program'])).rejects.toMatchObject({
      code: 'BUILD_SANDBOX_FAILED',
    });
    expect(readdirSync(bundles)).toEqual([]);
  });
});
