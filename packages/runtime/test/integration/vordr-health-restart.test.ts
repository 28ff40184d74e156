// SPDX-License-Identifier: Apache-2.0
// Healthchecks, restart policies and the supervisor (05 §6) end to end: a real signed busybox
// image, real runc and conmon, the real `vordr internal supervise` process. Every test has its
// own store (a copy of the built one); afterAll kills the supervisors and removes every container,
// mount and directory, also when a test fails.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYHOLDERS, setUpSignedImageSync, type SyncCliRunner } from '@verified-container/testkit';
import { staticBusybox, writeBusyboxLayout } from '../support/busybox-layout.js';
import { until } from '../support/until.js';
import {
  VORDR_BIN,
  buildSignedImage,
  cerroTorre,
  helloManifest,
  type Ran,
  vordrTestsCanRun,
} from '../support/vordr-fixture.js';

const busybox = staticBusybox();
const ready = vordrTestsCanRun(busybox);

const IMAGE = 'vt/hello:1.0.0';
/** The supervisors of these stores leave 1.5 s after nothing needs them. */
const IDLE_MS = '1500';

interface HealthJson {
  status: string;
  failingStreak: number;
  log: { start: string; end: string; exitCode: number; output: string }[];
}
interface InspectJson {
  id: string;
  state: string;
  status: string;
  restartCount: number;
  health?: HealthJson;
}

describe.skipIf(!ready)('vordr healthchecks and restart policies (runc + conmon)', () => {
  let dir = '';
  let built = '';
  const stores: string[] = [];
  let n = 0;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-health-'));
    built = join(dir, 'store');
    buildSignedImage(dir, busybox!, 'vt/hello');
  }, 120_000);

  afterAll(() => {
    for (const store of stores) cleanStore(store);
    for (const line of mountsUnder(dir).reverse()) spawnSync('umount', ['-l', line]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  /** A fresh store holding the signed image (no containers, no supervisor). */
  function newStore(): { v: (...args: string[]) => Ran; store: string } {
    const store = join(dir, `store-${n++}`);
    cpSync(built, store, { recursive: true });
    rmSync(join(store, 'vordr'), { recursive: true, force: true });
    stores.push(store);
    return { store, v: (...args: string[]) => vordrIn(dir, store, ...args) };
  }

  function inspect(v: (...args: string[]) => Ran, ref: string): InspectJson {
    const r = v('inspect', ref);
    expect(r.status, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as InspectJson[])[0]!;
  }

  it('a passing healthcheck makes the container healthy in ps and inspect', async () => {
    const { v } = newStore();
    const run = v(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'ok',
      '--health-cmd',
      'cat /etc/greeting',
      '--health-interval',
      '300ms',
      IMAGE,
      '/bin/sleep',
      '1000',
    );
    expect(run.status, run.stderr).toBe(0);
    const id = run.stdout.trim();
    await until(
      'healthy in ps',
      () => v('ps', '--filter', 'health=healthy', '-q').stdout.trim(),
      (out) => id.startsWith(out) && out !== '',
    );
    expect(v('ps').stdout).toMatch(/Up .* \(healthy\)\s+ok/);
    expect(v('ps', '--filter', 'health=unhealthy', '-q').stdout).toBe('');
    const info = inspect(v, 'ok');
    expect(info.health?.status).toBe('healthy');
    expect(info.health?.log[0]).toMatchObject({ exitCode: 0, output: 'hello from vordr\n' });
    const ps = JSON.parse(v('ps', '--format', 'json').stdout) as {
      health: { status: string; failingStreak: number };
    }[];
    expect(ps[0]?.health).toEqual({ status: 'healthy', failingStreak: 0 });
  });

  it('a failing healthcheck turns unhealthy; --health-on-failure restart restarts it', async () => {
    const { v } = newStore();
    const sick = v(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'sick',
      '--health-cmd',
      'echo nope; exit 3',
      '--health-interval',
      '300ms',
      '--health-retries',
      '2',
      IMAGE,
      '/bin/sleep',
      '1000',
    );
    expect(sick.status, sick.stderr).toBe(0);
    await until(
      'unhealthy',
      () => v('ps', '--filter', 'health=unhealthy', '--format', 'json').stdout,
      (out) => out.includes('"sick"'),
    );
    expect(v('ps').stdout).toMatch(/\(unhealthy\)\s+sick/);
    const info = inspect(v, 'sick');
    expect(info.health?.failingStreak).toBeGreaterThanOrEqual(2);
    expect(info.health?.log.at(-1)).toMatchObject({ exitCode: 3, output: 'nope\n' });
    expect(info.state).toBe('running');

    const flaky = v(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'flaky',
      '--health-cmd',
      '["/bin/false"]',
      '--health-interval',
      '300ms',
      '--health-retries',
      '1',
      '--health-on-failure',
      'restart',
      '--stop-timeout',
      '1',
      IMAGE,
      '/bin/sleep',
      '1000',
    );
    expect(flaky.status, flaky.stderr).toBe(0);
    const restarted = await until(
      'restarted by its healthcheck',
      () => inspect(v, 'flaky'),
      (i) => i.restartCount >= 1 && i.state === 'running',
    );
    expect(restarted.status).toMatch(/^Up /);
  });

  it('--restart on-failure:2 restarts a failing container twice, then it stays exited', async () => {
    const { v, store } = newStore();
    const run = v(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'fails',
      '--restart',
      'on-failure:2',
      IMAGE,
      '/bin/sh',
      '-c',
      'exit 1',
    );
    expect(run.status, run.stderr).toBe(0);
    await until(
      'two restarts',
      () => inspect(v, 'fails'),
      (i) => i.restartCount === 2 && i.state === 'exited',
    );
    // Nothing is left for the supervisor: it leaves after its idle time, the container stays.
    await until(
      'the supervisor leaves',
      () => supervisorPid(store),
      (pid) => pid === undefined,
    );
    const info = inspect(v, 'fails');
    expect(info).toMatchObject({ state: 'exited', restartCount: 2 });
    expect(info.status).toMatch(/^Exited \(1\)/);
  });

  it('--restart always: a user stop stays stopped, the next start restarts supervision', async () => {
    const { v, store } = newStore();
    const run = v(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'always',
      '--restart',
      'always',
      IMAGE,
      '/bin/sleep',
      '1000',
    );
    expect(run.status, run.stderr).toBe(0);
    await until(
      'a supervisor',
      () => supervisorPid(store),
      (pid) => pid !== undefined,
    );
    expect(v('stop', '-t', '1', 'always').status).toBe(0);
    await until(
      'the supervisor leaves',
      () => supervisorPid(store),
      (pid) => pid === undefined,
    );
    expect(inspect(v, 'always')).toMatchObject({ state: 'exited', restartCount: 0 });

    expect(v('start', 'always').status).toBe(0);
    expect(inspect(v, 'always').state).toBe('running');
    await until(
      'a supervisor again',
      () => supervisorPid(store),
      (pid) => pid !== undefined,
    );
    // An exit the user did not ask for is restarted.
    spawnSync('runc', [
      '--root',
      join(store, 'vordr/run/runc'),
      'kill',
      inspect(v, 'always').id,
      'KILL',
    ]);
    await until(
      'restarted',
      () => inspect(v, 'always'),
      (i) => i.restartCount === 1 && i.state === 'running',
    );
  });

  it('--health-on-failure stop stops an unhealthy container for good, despite --restart always', async () => {
    const { v, store } = newStore();
    const run = v(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'halt',
      '--restart',
      'always',
      '--stop-timeout',
      '1',
      '--health-cmd',
      'exit 1',
      '--health-interval',
      '300ms',
      '--health-retries',
      '1',
      '--health-on-failure',
      'stop',
      IMAGE,
      '/bin/sleep',
      '1000',
    );
    expect(run.status, run.stderr).toBe(0);
    await until(
      'stopped',
      () => inspect(v, 'halt').state,
      (state) => state === 'exited',
    );
    await until(
      'the supervisor leaves',
      () => supervisorPid(store),
      (pid) => pid === undefined,
    );
    const info = inspect(v, 'halt');
    expect(info).toMatchObject({ state: 'exited', restartCount: 0 });
    expect(info.health?.status).toBe('unhealthy');
  });

  it('a container that keeps failing is Restarting (1); a stop ends the loop', async () => {
    const { v, store } = newStore();
    const run = v(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'loop',
      '--restart',
      'always',
      IMAGE,
      '/bin/sh',
      '-c',
      'exit 1',
    );
    expect(run.status, run.stderr).toBe(0);
    // The delay doubles from 100 ms: after a few restarts it waits long enough to be seen.
    await until(
      'restarting',
      () => JSON.parse(v('ps', '--format', 'json').stdout) as { state: string; status: string }[],
      (list) =>
        list.some((c) => c.state === 'restarting' && c.status.startsWith('Restarting (1) ')),
    );
    // `restarting` shows already while the first restart waits out its delay, and a fast `ps`
    // can see that: wait for a restart to have happened before the stop.
    await until(
      'a restart',
      () => inspect(v, 'loop'),
      (c) => (c.restartCount ?? 0) >= 1,
    );
    expect(v('stop', 'loop').status).toBe(0);
    await until(
      'the supervisor leaves',
      () => supervisorPid(store),
      (pid) => pid === undefined,
    );
    const stopped = inspect(v, 'loop');
    expect(stopped.state).toBe('exited');
    expect(stopped.restartCount).toBeGreaterThanOrEqual(1);
    expect(v('rm', 'loop').status).toBe(0);
    expect(v('ps', '-a', '-q').stdout).toBe('');
  });

  it('a killed supervisor is replaced by the next vordr command and keeps checking', async () => {
    const { v, store } = newStore();
    const run = v(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'watched',
      '--health-cmd',
      'true',
      '--health-interval',
      '300ms',
      IMAGE,
      '/bin/sleep',
      '1000',
    );
    expect(run.status, run.stderr).toBe(0);
    await until(
      'healthy',
      () => inspect(v, 'watched').health?.status,
      (s) => s === 'healthy',
    );
    const first = supervisorPid(store)!;
    process.kill(first, 'SIGKILL');
    await until(
      'the supervisor is gone',
      () => isAlive(first),
      (alive) => !alive,
    );
    const killedAt = Date.now();

    expect(v('ps').status).toBe(0);
    const second = await until(
      'a new supervisor',
      () => supervisorPid(store),
      (pid) => pid !== undefined,
    );
    expect(second).not.toBe(first);
    await until(
      'a healthcheck after the kill',
      () => inspect(v, 'watched').health?.log ?? [],
      (log) => log.some((entry) => Date.parse(entry.start) > killedAt),
    );
  });

  it('a running healthcheck is an exec session check accepts; a slow one times out', async () => {
    const { v, store } = newStore();
    const slow = v(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'slow',
      '--health-cmd',
      'sleep 5',
      '--health-interval',
      '300ms',
      IMAGE,
      '/bin/sleep',
      '1000',
    );
    expect(slow.status, slow.stderr).toBe(0);
    const sessions = join(store, 'vordr/containers', slow.stdout.trim(), 'exec-sessions');
    await until(
      'a healthcheck in flight',
      () => (existsSync(sessions) ? readdirSync(sessions) : []),
      (files) => files.length > 0,
    );
    const check = v('check', '--json', 'slow');
    const report = JSON.parse(check.stdout) as { checks: { name: string; status: string }[] };
    expect(report.checks.find((c) => c.name === 'process-tree')?.status, check.stdout).toBe('pass');

    const late = v(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'late',
      '--health-cmd',
      'sleep 5',
      '--health-timeout',
      '300ms',
      '--health-interval',
      '300ms',
      '--health-retries',
      '1',
      IMAGE,
      '/bin/sleep',
      '1000',
    );
    expect(late.status, late.stderr).toBe(0);
    const info = await until(
      'unhealthy by timeout',
      () => inspect(v, 'late'),
      (i) => i.health?.status === 'unhealthy',
    );
    expect(info.health?.log[0]?.exitCode).toBe(-1);
    expect(info.health?.log[0]?.output).toContain('timeout');
  });

  it('after a host boot (another boot-id) an always container is started again', async () => {
    const { v, store } = newStore();
    const run = v(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'boot',
      '--restart',
      'always',
      '--stop-timeout',
      '1',
      IMAGE,
      '/bin/sleep',
      '1000',
    );
    expect(run.status, run.stderr).toBe(0);
    const first = (await until(
      'a supervisor',
      () => supervisorPid(store),
      (pid) => pid !== undefined,
    ))!;
    const bootFile = join(store, 'vordr/run/boot-id');
    await until(
      'boot-id written',
      () => existsSync(bootFile),
      (yes) => yes,
    );
    process.kill(first, 'SIGKILL');
    await until(
      'the supervisor is gone',
      () => isAlive(first),
      (alive) => !alive,
    );
    writeFileSync(bootFile, '00000000-0000-0000-0000-000000000000\n');

    expect(v('ps').status).toBe(0);
    const info = await until(
      'started again',
      () => inspect(v, 'boot'),
      (i) => i.restartCount === 1 && i.state === 'running',
    );
    expect(info.status).toMatch(/^Up /);
    expect(readFileSync(bootFile, 'utf8').trim()).toBe(
      readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
    );
  });

  it("runs the image's signed [runtime.healthcheck]; --no-healthcheck turns it off", async () => {
    const sub = mkdtempSync(join(dir, 'signed-hc-'));
    const store = join(sub, 'store');
    stores.push(store);
    buildImage(
      sub,
      busybox!,
      'vt/probe',
      `[runtime.healthcheck]
command = ["/bin/cat", "/etc/greeting"]
interval = "300ms"
retries = 2
`,
    );
    const v = (...args: string[]) => vordrIn(sub, store, ...args);
    const run = v(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'probe',
      'vt/probe:1.0.0',
      '/bin/sleep',
      '1000',
    );
    expect(run.status, run.stderr).toBe(0);
    const info = await until(
      'healthy from the signed healthcheck',
      () => inspect(v, 'probe'),
      (i) => i.health?.status === 'healthy',
    );
    expect(info.health?.log[0]?.output).toBe('hello from vordr\n');
    const off = v(
      'run',
      '-d',
      '--network',
      'none',
      '--no-healthcheck',
      '--name',
      'off',
      'vt/probe:1.0.0',
      '/bin/sleep',
      '1000',
    );
    expect(off.status, off.stderr).toBe(0);
    expect(v('ps', '--filter', 'health=none', '--format', 'json').stdout).toContain('"off"');
    expect(inspect(v, 'off').health).toBeUndefined();
  }, 120_000);

  it('bad --restart and --health-* values are USAGE and create nothing', () => {
    const { v, store } = newStore();
    for (const args of [
      ['--restart', 'sometimes'],
      ['--restart', 'on-failure:x'],
      ['--health-cmd', 'true', '--health-interval', 'soon'],
      ['--health-retries', '2'],
      ['--restart', 'always', '--rm'],
    ]) {
      const r = v('run', '-d', '--network', 'none', ...args, IMAGE);
      expect(r.status, args.join(' ')).toBe(125);
      expect(r.stderr).toContain('Error [USAGE]');
    }
    const containers = join(store, 'vordr/containers');
    expect(existsSync(containers) ? readdirSync(containers) : []).toEqual([]);
  });
});

/** vordr with `--root store` and a short supervisor idle time. */
function vordrIn(cwd: string, store: string, ...args: string[]): Ran {
  const r = spawnSync(process.execPath, [VORDR_BIN, '--root', store, ...args], {
    cwd,
    env: { ...process.env, VC_ROOT: store, VORDR_SUPERVISOR_IDLE_MS: IDLE_MS },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** The store's live supervisor, from `vordr/run/supervisor.pid`. */
function supervisorPid(store: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(store, 'vordr/run/supervisor.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** Kills the store's supervisor(s), then removes every container (rm starts no supervisor). */
function cleanStore(store: string): void {
  for (const pid of supervisorsOf(store)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  const containers = join(store, 'vordr/containers');
  const ids = existsSync(containers)
    ? readdirSync(containers).filter((f) => /^[0-9a-f]{64}$/.test(f))
    : [];
  for (const id of ids) vordrIn('/', store, 'rm', '-f', id);
  const runcRoot = join(store, 'vordr/run/runc');
  if (existsSync(runcRoot)) {
    const listed = spawnSync('runc', ['--root', runcRoot, 'list', '-q'], { encoding: 'utf8' });
    for (const id of listed.stdout.split('\n').filter(Boolean)) {
      spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
    }
  }
}

/** Every `vordr … internal supervise` process of this store (a pid file may lag behind). */
function supervisorsOf(store: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const at = argv.indexOf('--root');
      if (argv.includes('supervise') && at >= 0 && argv[at + 1] === store) out.push(Number(pid));
    } catch {
      // gone
    }
  }
  return out;
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => dir !== '' && point.startsWith(dir));
}

/**
 * Builds `name:1.0.0` into `dir/store` like the fixture's image (the greeting, the same
 * confinement), with `runtime` tables added after `[runtime]`.
 */
function buildImage(dir: string, busybox: string, name: string, runtime: string): void {
  const store = join(dir, 'store');
  writeBusyboxLayout(join(dir, 'base'), busybox, 'busybox');
  const manifest = helloManifest(name).replace(
    '\n[security.capabilities]',
    `\n${runtime}\n[security.capabilities]`,
  );
  const run: SyncCliRunner = (args) => {
    const r = cerroTorre(dir, store, ...args);
    return { exitCode: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  setUpSignedImageSync(run, {
    dir,
    manifest,
    keygen: ['m1', 'm2'],
    dropPrivateKeys: {
      keysDir: join(store, 'keys'),
      ids: KEYHOLDERS.filter((id) => id !== 'm1' && id !== 'm2'),
    },
  });
}
