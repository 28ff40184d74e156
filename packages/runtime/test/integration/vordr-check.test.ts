// SPDX-License-Identifier: Apache-2.0
// `vordr check` end to end (05 §8): a signed busybox image run with real runc and conmon, measured
// clean, then tampered with from the host the way an attacker with host access would (a file
// written into the overlay's upper dir, `runc exec` with an extra capability). Every container,
// mount, process and directory is removed in afterAll, also when a test fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticBusybox } from '../support/busybox-layout.js';
import {
  VORDR_BIN,
  buildSignedImage,
  removeStoreNetworks,
  vordr,
  vordrTestsCanRun,
} from '../support/vordr-fixture.js';

const busybox = staticBusybox();
const ready = vordrTestsCanRun(busybox);

const IMAGE = 'vt/check:1.0.0';
const LOOP = ['/bin/sh', '-c', 'while :; do sleep 1; done'];

interface JsonCheck {
  name: string;
  status: string;
  violations: string[];
}
interface JsonReport {
  container: string;
  ok: boolean;
  checks: JsonCheck[];
}

describe.skipIf(!ready)('vordr check (runc + conmon, signed busybox image)', () => {
  let dir = '';
  let store = '';
  const tag = `c${process.pid}`;
  const children: ChildProcess[] = [];
  let cleanId = '';
  const v = (...args: string[]) => vordr(dir, store, ...args);

  /** Starts a detached container running the loop; returns its id. */
  function runLoop(name: string): string {
    const r = v('run', '-d', '--name', name, IMAGE, ...LOOP);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
  }

  function checkJson(
    name: string,
    ...flags: string[]
  ): { status: number | null; report: JsonReport } {
    const r = v('check', '--json', ...flags, name);
    return { status: r.status, report: JSON.parse(r.stdout) as JsonReport };
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-check-'));
    store = join(dir, 'store');
    buildSignedImage(dir, busybox!, 'vt/check');
  }, 120_000);

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
    for (const point of mountsUnder(dir).reverse()) spawnSync('umount', ['-l', point]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('a clean running container: every check ✓ (or – where not applicable), exit 0', () => {
    const name = `clean-${tag}`;
    cleanId = runLoop(name);
    const r = v('check', name);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ Process tree matches manifest (2 processes under /bin/sh -c');
    expect(r.stdout).toContain('✓ Capabilities not escalated (CHOWN, SETUID)');
    expect(r.stdout).toContain('✓ no_new_privs set');
    expect(r.stdout).toContain('✓ Seccomp filter active');
    expect(r.stdout).toMatch(/✓ File integrity \(no tampering\) \(\d+ entries match the statement/);
    expect(r.stdout).toContain('✓ Root filesystem read-only (/ mounted ro)');
    expect(r.stdout).toContain('✓ Resource limits applied (memory max, pids 2048, cpus max)');
    expect(r.stdout).toContain('– SELinux violations (none): SELinux not enabled on this host');
    expect(r.stdout).toContain('✓ Network connections allowed (no open connections)');
    expect(r.stdout).toContain('– Network rules installed: no egress or ingress allowlist');
    expect(r.stdout).toContain('✓ Image still verifies (ALLOW');
    expect(r.stdout).not.toContain('✗');
    expect(r.stdout).toMatch(/0 failed, 0 warnings, 2 skipped: ok\n$/);

    const { status, report } = checkJson(name, '--full');
    expect(status).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.container).toBe(name);
    expect(report.checks.map((c) => c.name)).toEqual([
      'process-tree',
      'capabilities',
      'no-new-privileges',
      'seccomp',
      'file-integrity',
      'read-only-root',
      'cgroup-limits',
      'selinux',
      'network-connections',
      'network-rules',
      'verification',
      'deviations',
    ]);
  });

  it('a vordr exec session is expected, not flagged', async () => {
    const name = `clean-${tag}`;
    const id = cleanId;
    const sessions = join(store, 'vordr/containers', id, 'exec-sessions');
    // The session waits for /tmp/done (the container's tmpfs), which the test creates afterwards.
    const script = 'while [ ! -e /tmp/done ]; do sleep 0.1; done';
    const child = spawn(
      process.execPath,
      [VORDR_BIN, '--root', store, 'exec', name, '/bin/sh', '-c', script],
      { cwd: dir, stdio: 'ignore' },
    );
    children.push(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Ready once the session is recorded and its process is inside the container.
    for (
      let i = 0;
      i < 200 && !(sessionCount(sessions) > 0 && cgroupHas(id, ['/bin/sh', '-c', script]));
      i++
    ) {
      spawnSync('sleep', ['0.05']);
    }
    const r = v('check', name);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/\d from exec sessions/);
    expect(v('exec', name, '/bin/touch', '/tmp/done').status).toBe(0);
    await exited;
    expect(sessionCount(sessions)).toBe(0);
  });

  it('--watch repeats until SIGINT and exits with the rounds’ verdict', async () => {
    const name = `clean-${tag}`;
    const child = spawn(
      process.execPath,
      [VORDR_BIN, '--root', store, 'check', '--watch', '100ms', name],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let out = '';
    const exit = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if ((out.match(/: ok\n/g) ?? []).length >= 2) resolve();
      });
      void exit.then((code) => reject(new Error(`check --watch exited early (${code}): ${out}`)));
    });
    child.kill('SIGINT');
    expect(await exit).toBe(0);
  });

  it('a file changed in the writable layer: ✗ file integrity naming the path, exit 1', () => {
    const name = `tamper-${tag}`;
    const id = runLoop(name);
    // The first check fills the (ino,size,mtime,ctime) cache; a quick check must still notice.
    expect(v('check', name).status).toBe(0);
    const upper = join(store, 'vordr/containers', id, 'overlay/upper');
    writeFileSync(join(upper, 'etc/greeting'), 'tampered\n');
    writeFileSync(join(upper, 'etc/planted'), 'x\n');

    const r = v('check', name);
    expect(r.status, r.stdout).toBe(1);
    expect(r.stdout).toContain(
      '✗ File integrity (no tampering): /etc/greeting: content changed (sha256',
    );
    expect(r.stdout).toContain('    /etc/planted: added (a file not in the image)');
    expect(r.stdout).toContain('VIOLATIONS FOUND');

    const { status, report } = checkJson(name);
    expect(status).toBe(1);
    expect(report.ok).toBe(false);
    const integrity = report.checks.find((c) => c.name === 'file-integrity')!;
    expect(integrity.status).toBe('fail');
    expect(integrity.violations.some((x) => x.startsWith('/etc/greeting: content changed'))).toBe(
      true,
    );
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual([
      'file-integrity',
    ]);
  });

  it('an escalation from the host (runc exec --cap CAP_SYS_ADMIN): ✗ capabilities and process tree', () => {
    const name = `escalate-${tag}`;
    const id = runLoop(name);
    const runcRoot = join(store, 'vordr/run/runc');
    const exec = spawnSync(
      'runc',
      ['--root', runcRoot, 'exec', '-d', '--cap', 'CAP_SYS_ADMIN', id, 'sleep', '600'],
      // The detached process inherits stdio: pipes would keep spawnSync waiting for it.
      { stdio: 'ignore' },
    );
    expect(exec.status).toBe(0);

    const r = v('check', name);
    expect(r.status, r.stdout).toBe(1);
    expect(r.stdout).toMatch(
      /✗ Process tree matches manifest: pid \d+ \(sleep 600\).*not started by the command or a vordr exec session/,
    );
    expect(r.stdout).toMatch(
      /✗ Capabilities not escalated: pid \d+ \(sleep 600\): CapBnd has SYS_ADMIN outside the effective set/,
    );
    expect(r.stdout).toContain('✓ File integrity (no tampering)');
  });

  it('a container that is not running: CONTAINER_NOT_RUNNING (125)', () => {
    const name = `escalate-${tag}`;
    expect(v('stop', '-t', '1', name).status).toBe(0);
    const r = v('check', name);
    expect(r.status).toBe(125);
    expect(r.stderr).toContain('Error [CONTAINER_NOT_RUNNING]');
  });
});

function sessionCount(dir: string): number {
  return existsSync(dir) ? readdirSync(dir).length : 0;
}

/** Whether a process of the container's cgroup runs exactly `args`. */
function cgroupHas(id: string, args: readonly string[]): boolean {
  for (const procs of [
    `/sys/fs/cgroup/pids/vordr/${id}/cgroup.procs`,
    `/sys/fs/cgroup/vordr/${id}/cgroup.procs`,
  ]) {
    if (!existsSync(procs)) continue;
    for (const pid of readFileSync(procs, 'utf8').split('\n').filter(Boolean)) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmdline === `${args.join('\0')}\0`) return true;
      } catch {
        // gone meanwhile
      }
    }
  }
  return false;
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => dir !== '' && point.startsWith(dir));
}
