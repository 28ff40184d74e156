// SPDX-License-Identifier: Apache-2.0
// The podman backend (05 §14) end to end: the same signed busybox image (built by the real
// builder) on runc and on podman, the same output and confinement; the lifecycle on podman; and
// nothing left behind (podman containers in vordr's podman storage, mounts, cgroups, processes).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noopLogger, systemClock } from '@verified-container/shared';
import { lifecycleContext, noVolumes, settlePodmanExits } from '../../src/container/index.js';
import { staticBusybox } from '../support/busybox-layout.js';
import { until } from '../support/until.js';
import { VORDR_BIN, buildSignedImage, vordr } from '../support/vordr-fixture.js';

const busybox = staticBusybox();
const has = (cmd: string): boolean => spawnSync(cmd, ['--version']).status === 0;
const hasPodman = has('podman');
const ready =
  process.getuid?.() === 0 &&
  busybox !== undefined &&
  has('runc') &&
  has('conmon') &&
  existsSync(VORDR_BIN);
if (!hasPodman)
  console.warn('vordr-podman: skipped, podman is not installed (apt-get install podman)');

const IMAGE = 'vt/hello:1.0.0';
/** CHOWN (bit 0) and SETUID (bit 7): the manifest's capabilities. */
const CAP_MASK = '0000000000000081';
const CONFINEMENT = 'grep -E "^(CapEff|CapBnd|CapPrm|NoNewPrivs|Seccomp):" /proc/self/status';

describe.skipIf(!ready || !hasPodman)('vordr --runtime podman (signed busybox image)', () => {
  let dir = '';
  let store = '';
  const tag = `p${process.pid}`;
  const v = (...args: string[]) => vordr(dir, store, ...args);
  const vp = (...args: string[]) => vordr(dir, store, '--runtime', 'podman', ...args);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-podman-'));
    store = join(dir, 'store');
    buildSignedImage(dir, busybox!, 'vt/hello');
  }, 120_000);

  afterAll(() => {
    if (store !== '') {
      const ids = v('ps', '-a', '-q', '--no-trunc').stdout.split('\n').filter(Boolean);
      for (const id of ids) v('rm', '-f', id);
      for (const name of podmanContainers(store)) podman(store, 'rm', '-f', '-t', '0', name);
    }
    if (store !== '' && supervisorAlive(store)) {
      const pid = Number(readFileSync(join(store, 'vordr/run/supervisor.pid'), 'utf8').trim());
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    for (const point of mountsUnder(dir).reverse()) spawnSync('umount', ['-l', point]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('the same image prints the same output with the same confinement on both backends', () => {
    const runc = v('run', '--rm', IMAGE);
    const pod = vp('run', '--rm', IMAGE);
    expect(runc.status, runc.stderr).toBe(0);
    expect(pod.status, pod.stderr).toBe(0);
    expect(pod.stdout).toBe('hello from vordr\n');
    expect(pod.stdout).toBe(runc.stdout);
    expect(pod.stderr).toContain('✓ Container signature valid (2-of-3: m1, m2; logs 2-of-2)');

    const runcCaps = v('run', '--rm', IMAGE, '/bin/sh', '-c', CONFINEMENT);
    const podCaps = vp('run', '--rm', IMAGE, '/bin/sh', '-c', CONFINEMENT);
    expect(podCaps.status, podCaps.stderr).toBe(0);
    expect(podCaps.stdout).toMatch(new RegExp(`CapEff:\\s+${CAP_MASK}`));
    expect(podCaps.stdout).toMatch(/NoNewPrivs:\s+1/);
    expect(podCaps.stdout).toMatch(/Seccomp:\s+2/);
    expect(podCaps.stdout).toBe(runcCaps.stdout);

    // A user other than root gets the same confinement too, and the same uid and gid (podman
    // also lists the primary group as a supplementary one, which grants nothing more).
    const asNobody = [IMAGE, '/bin/sh', '-c', `echo "uid=$(id -u) gid=$(id -g)"; ${CONFINEMENT}`];
    const runcNobody = v('run', '--rm', '-u', '65534:65534', ...asNobody);
    const podNobody = vp('run', '--rm', '-u', '65534:65534', ...asNobody);
    expect(podNobody.status, podNobody.stderr).toBe(0);
    expect(podNobody.stdout).toContain('uid=65534');
    expect(podNobody.stdout).toBe(runcNobody.stdout);
    expect(v('ps', '-a', '-q').stdout).toBe('');
    expect(podmanContainers(store)).toEqual([]);
  });

  it('podman: the root is read-only, the writable exception works, the status is the container’s', () => {
    const write = vp('run', '--rm', IMAGE, '/bin/sh', '-c', 'echo x > /root-write');
    expect(write.status).not.toBe(0);
    expect(write.stderr).toMatch(/Read-only file system/);
    const data = vp('run', '--rm', IMAGE, '/bin/sh', '-c', 'echo kept > /data/f && cat /data/f');
    expect(data.status, data.stderr).toBe(0);
    expect(data.stdout).toBe('kept\n');
    const status = vp('run', '--rm', IMAGE, '/bin/sh', '-c', 'echo oops >&2; exit 7');
    expect(status.status).toBe(7);
    expect(status.stderr).toContain('oops\n');
  });

  it('podman: run -d, ps, logs, exec, check, inspect, stop and rm leave nothing behind', () => {
    const name = `web-${tag}`;
    // VORDR_RUNTIME picks the backend like --runtime.
    const started = spawnSync(
      process.execPath,
      [
        VORDR_BIN,
        '--root',
        store,
        'run',
        '-d',
        '--name',
        name,
        IMAGE,
        '/bin/sh',
        '-c',
        'echo out; echo err >&2; while :; do sleep 1; done',
      ],
      { cwd: dir, env: { ...process.env, VORDR_RUNTIME: 'podman' }, encoding: 'utf8' },
    );
    expect(started.status, started.stderr).toBe(0);
    const id = started.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(started.stderr).toContain('✓ Capabilities set correctly (CHOWN, SETUID)');
    expect(podmanContainers(store)).toEqual([`vc-${id.slice(0, 12)}`]);

    // Later commands without --runtime find the container on its own backend.
    const ps = v('ps');
    expect(ps.stdout).toMatch(new RegExp(`Up .*${name}`));
    const json = JSON.parse(v('ps', '--format', 'json').stdout) as {
      id: string;
      backend: string;
    }[];
    expect(json.find((c) => c.id === id)?.backend).toBe('podman');
    const inspect = JSON.parse(v('inspect', name).stdout) as { backend: string }[];
    expect(inspect[0]?.backend).toBe('podman');

    let logs = v('logs', name);
    for (let i = 0; i < 200 && !(logs.stdout.includes('out') && logs.stderr.includes('err')); i++) {
      spawnSync('sleep', ['0.05']);
      logs = v('logs', name);
    }
    expect(logs.stdout).toBe('out\n');
    expect(logs.stderr).toBe('err\n');

    const status = v('exec', name, '/bin/cat', '/proc/1/status');
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`CapEff:\\s+${CAP_MASK}`));
    expect(status.stdout).toMatch(/NoNewPrivs:\s+1/);
    expect(status.stdout).toMatch(/Seccomp:\s+2/);
    expect(v('exec', name, '/bin/sh', '-c', 'echo x > /root-write').status).not.toBe(0);
    const stdin = spawnSync(
      process.execPath,
      [VORDR_BIN, '--root', store, 'exec', '-i', name, '/bin/cat'],
      {
        cwd: dir,
        input: 'through stdin\n',
        encoding: 'utf8',
      },
    );
    expect(stdin.status, stdin.stderr).toBe(0);
    expect(stdin.stdout).toBe('through stdin\n');

    const check = v('check', '--json', name);
    const report = JSON.parse(check.stdout) as {
      checks: { name: string; status: string; detail: string }[];
    };
    const byName = (n: string) => report.checks.find((c) => c.name === n);
    expect(byName('capabilities')?.status, check.stdout).toBe('pass');
    expect(byName('seccomp')?.status, check.stdout).toBe('pass');
    expect(byName('no-new-privileges')?.status, check.stdout).toBe('pass');
    expect(byName('read-only-root')?.status, check.stdout).toBe('pass');
    expect(byName('file-integrity')?.status, check.stdout).toBe('pass');
    expect(byName('process-tree')?.status, check.stdout).toBe('pass');
    expect(check.status, check.stdout).toBe(0);

    expect(v('stop', '-t', '1', name).status).toBe(0);
    expect(v('ps', '-a').stdout).toMatch(/Exited \(137\)/);
    expect(podmanContainers(store)).toEqual([]);
    expect(v('rm', name).status).toBe(0);
    expect(v('ps', '-a', '-q').stdout).toBe('');
    expect(podmanContainers(store)).toEqual([]);
    expect(mountsUnder(dir)).toEqual([]);
    expect(cgroupsOf(id)).toEqual([]);
    expect(processesMentioning(id.slice(0, 12))).toEqual([]);
    expect(existsSync(join(store, 'vordr/containers', id))).toBe(false);
  });

  it('podman: a detached container that exits is settled (and --rm removed) by the next command', () => {
    const kept = vp('run', '-d', IMAGE, '/bin/sh', '-c', 'exit 3');
    const gone = vp('run', '-d', '--rm', IMAGE, '/bin/sh', '-c', 'exit 0');
    expect(kept.status, kept.stderr).toBe(0);
    expect(gone.status, gone.stderr).toBe(0);
    const keptId = kept.stdout.trim();
    let ps = v('ps', '-a');
    for (let i = 0; i < 200 && !/Exited \(3\)/.test(ps.stdout); i++) {
      spawnSync('sleep', ['0.05']);
      ps = v('ps', '-a');
    }
    expect(ps.stdout).toMatch(/Exited \(3\)/);
    expect(v('ps', '-a', '-q').stdout.trim()).toBe(keptId.slice(0, 12));
    expect(podmanContainers(store)).toEqual([]);
    expect(v('rm', keptId).status).toBe(0);
    expect(mountsUnder(dir)).toEqual([]);
    expect(cgroupsOf(keptId)).toEqual([]);
  });

  it('podman: the foreground forwards SIGTERM and exits with the container’s status', async () => {
    const child = spawn(
      process.execPath,
      [
        VORDR_BIN,
        '--root',
        store,
        '--runtime',
        'podman',
        'run',
        '--rm',
        IMAGE,
        '/bin/sh',
        '-c',
        'trap "echo got TERM; exit 5" TERM; echo started; while :; do sleep 0.1; done',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('started')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`vordr exited early (${code})`)));
      });
      child.kill('SIGTERM');
      expect(await exited).toBe(5);
      expect(out).toContain('got TERM\n');
    } finally {
      child.kill('SIGKILL');
    }
    expect(v('ps', '-a', '-q').stdout).toBe('');
    expect(podmanContainers(store)).toEqual([]);
    expect(mountsUnder(dir)).toEqual([]);
  });

  it('podman: a start that fails leaves nothing; a missing podman binary creates nothing', () => {
    const before = podmanCgroups();
    const failed = vp('run', '--rm', IMAGE, '/no/such/program');
    expect(failed.status).toBe(125);
    expect(failed.stderr).toMatch(/no\/such\/program/);
    expect(v('ps', '-a', '-q').stdout).toBe('');
    expect(podmanContainers(store)).toEqual([]);
    expect(mountsUnder(dir)).toEqual([]);
    expect(podmanCgroups().filter((d) => !before.includes(d))).toEqual([]);

    const missing = v('--runtime', join(dir, 'nowhere/podman'), 'run', '--rm', IMAGE);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('RUNTIME_UNAVAILABLE');
    expect(missing.stderr).toContain('podman');
    expect(readdirSync(join(store, 'vordr/containers'))).toEqual([]);
  });

  it('podman: the supervisor hook settles and removes an --rm container as it dies', async () => {
    const since = new Date();
    const run = vp('run', '-d', '--rm', IMAGE, '/bin/sh', '-c', 'exit 0');
    expect(run.status, run.stderr).toBe(0);
    const record = join(store, 'vordr/containers', run.stdout.trim());
    // In process, as the supervisor would call it; no other vordr command looks meanwhile.
    const ctx = lifecycleContext({
      root: store,
      clock: systemClock,
      logger: noopLogger,
      env: process.env,
      runtime: 'podman',
    });
    const abort = new AbortController();
    const watching = settlePodmanExits(ctx, noVolumes, abort.signal, { since });
    try {
      const deadline = Date.now() + 60_000;
      while (existsSync(record) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(existsSync(record)).toBe(false);
    } finally {
      abort.abort();
      await watching;
    }
    expect(podmanContainers(store)).toEqual([]);
    expect(mountsUnder(dir)).toEqual([]);
  });

  it('podman: the supervisor restarts a container by its policy (exits read from podman)', async () => {
    const run = spawnSync(
      process.execPath,
      [
        VORDR_BIN,
        '--root',
        store,
        '--runtime',
        'podman',
        'run',
        '-d',
        '--restart',
        'on-failure:1',
        IMAGE,
        '/bin/sh',
        '-c',
        'echo once; exit 1',
      ],
      {
        cwd: dir,
        // The supervisor leaves 1.5 s after nothing needs it.
        env: { ...process.env, VORDR_SUPERVISOR_IDLE_MS: '1500' },
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const id = run.stdout.trim();
    const entry = () =>
      (JSON.parse(v('ps', '-a', '--format', 'json').stdout) as PsEntry[]).find((c) => c.id === id);
    const done = await until(
      'one restart, then exited',
      entry,
      (c) => c?.restartCount === 1 && /Exited \(1\)/.test(c.status),
    );
    expect(done?.backend).toBe('podman');
    expect(v('logs', id.slice(0, 12)).stdout).toBe('once\nonce\n');
    expect(v('rm', id.slice(0, 12)).status).toBe(0);
    await until(
      'the supervisor to leave',
      () => supervisorAlive(store),
      (alive) => !alive,
    );
    expect(podmanContainers(store)).toEqual([]);
    expect(mountsUnder(dir)).toEqual([]);
    expect(cgroupsOf(id)).toEqual([]);
  });

  it('podman: settling an exit waits for a monitor still in the container’s cgroups', async () => {
    const run = vp('run', '-d', IMAGE, '/bin/sh', '-c', 'sleep 0.5');
    expect(run.status, run.stderr).toBe(0);
    const id = run.stdout.trim();
    // As conmon running its exit command after the container: a process in `<parent>/conmon`
    // that `podman inspect` no longer names (its ConmonPid is 0 once the container exited).
    const leaving = spawn('sleep', ['3'], { stdio: 'ignore' });
    const leftAlone = new Promise<number | null>((resolve) =>
      leaving.on('exit', (code) => resolve(code)),
    );
    try {
      const conmonDirs = cgroupsOf(id)
        .map((d) => join(d, 'conmon'))
        .filter((d) => existsSync(d));
      expect(conmonDirs.length).toBeGreaterThan(0);
      for (const d of conmonDirs) writeFileSync(join(d, 'cgroup.procs'), `${leaving.pid}\n`);
      const status = () =>
        podman(store, 'inspect', '--format', '{{.State.Status}}', `vc-${id.slice(0, 12)}`).stdout;
      await until('podman to see the exit', status, (s) => /exited|stopped/.test(s));
      // The next command settles the exit (05 §13).
      expect(v('ps', '-a', '--filter', `id=${id}`).stdout).toMatch(/Exited \(0\)/);
      expect(cgroupsOf(id)).toEqual([]);
      // It left by itself (exit 0): the settling waited, it did not kill.
      expect(await leftAlone).toBe(0);
    } finally {
      leaving.kill('SIGKILL');
    }
    expect(v('rm', id).status).toBe(0);
    expect(podmanContainers(store)).toEqual([]);
    expect(mountsUnder(dir)).toEqual([]);
  });

  it('podman: logs -f ends when the container exits; start runs it again on podman', () => {
    const name = `again-${tag}`;
    const run = vp('run', '-d', '--name', name, IMAGE, '/bin/sh', '-c', 'echo a; sleep 1; echo b');
    expect(run.status, run.stderr).toBe(0);
    const follow = v('logs', '-f', name);
    expect(follow.status, follow.stderr).toBe(0);
    expect(follow.stdout).toBe('a\nb\n');
    let ps = v('ps', '-a', '--filter', `name=${name}`);
    for (let i = 0; i < 200 && !/Exited \(0\)/.test(ps.stdout); i++) {
      spawnSync('sleep', ['0.05']);
      ps = v('ps', '-a', '--filter', `name=${name}`);
    }
    expect(ps.stdout).toMatch(/Exited \(0\)/);
    // `start` without --runtime: the container stays on podman.
    expect(v('start', name).status).toBe(0);
    expect(podmanContainers(store)).toEqual([`vc-${run.stdout.trim().slice(0, 12)}`]);
    expect(v('rm', '-f', name).status).toBe(0);
    expect(podmanContainers(store)).toEqual([]);
    expect(mountsUnder(dir)).toEqual([]);
    expect(cgroupsOf(run.stdout.trim())).toEqual([]);
    // No podman container of this suite left a cgroup behind: each removal waited for its conmon.
    expect(podmanCgroups()).toEqual([]);
  });
});

interface PsEntry {
  readonly id: string;
  readonly status: string;
  readonly backend: string;
  readonly restartCount?: number;
}

/** Whether the store's supervisor (`vordr/run/supervisor.pid`) is alive. */
function supervisorAlive(store: string): boolean {
  const file = join(store, 'vordr/run/supervisor.pid');
  if (!existsSync(file)) return false;
  try {
    const stat = readFileSync(`/proc/${readFileSync(file, 'utf8').trim()}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** podman with the storage vordr gives it under the store. */
function podman(store: string, ...args: string[]): { status: number | null; stdout: string } {
  const dir = join(store, 'vordr/podman');
  const r = spawnSync(
    'podman',
    [
      '--root',
      join(dir, 'storage'),
      '--runroot',
      join(dir, 'run'),
      '--tmpdir',
      join(dir, 'tmp'),
      '--storage-driver',
      'vfs',
      '--cgroup-manager',
      'cgroupfs',
      '--events-backend',
      'file',
      '--network-config-dir',
      join(dir, 'networks'),
      ...args,
    ],
    { encoding: 'utf8', env: { ...process.env, CONTAINERS_CONF: join(dir, 'containers.conf') } },
  );
  return { status: r.status, stdout: r.stdout };
}

/** The names of every podman container in vordr's podman storage. */
function podmanContainers(store: string): string[] {
  if (!existsSync(join(store, 'vordr/podman/containers.conf'))) return [];
  const r = podman(store, 'ps', '-a', '--format', '{{.Names}}');
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => dir !== '' && point.startsWith(dir));
}

/** podman-made container cgroups (`/vordr/<id>/conmon`; runc makes no `conmon` below an id). */
function podmanCgroups(): string[] {
  const vordr = '/sys/fs/cgroup/memory/vordr';
  if (!existsSync(vordr)) return [];
  return readdirSync(vordr)
    .map((id) => join(vordr, id, 'conmon'))
    .filter((d) => existsSync(d));
}

/** The container's cgroup directories (`/vordr/<id>` in any hierarchy). */
function cgroupsOf(id: string): string[] {
  const root = '/sys/fs/cgroup';
  return [root, ...readdirSync(root).map((h) => join(root, h))]
    .map((h) => join(h, 'vordr', id))
    .filter((d) => existsSync(d));
}

function processesMentioning(text: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(text)) out.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
