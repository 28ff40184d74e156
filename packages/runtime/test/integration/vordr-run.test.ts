// SPDX-License-Identifier: Apache-2.0
// `vordr run` and the container lifecycle end to end on a real signed store image (built by the
// real builder binary on a busybox base), real runc and conmon. Every container, mount, cgroup
// and directory is removed in afterAll, also when a test fails.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  cpSync,
} from 'node:fs';
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

const IMAGE = 'vt/hello:1.0.0';
/** CHOWN (bit 0) and SETUID (bit 7): the manifest's capabilities. */
const CAP_MASK = '0000000000000081';

describe.skipIf(!ready)('vordr run (runc + conmon, signed busybox image)', () => {
  let dir = '';
  let store = '';
  const roots: string[] = [];
  const tag = `t${process.pid}`;
  const v = (...args: string[]) => vordr(dir, store, ...args);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-run-'));
    store = join(dir, 'store');
    roots.push(store);
    buildSignedImage(dir, busybox!, 'vt/hello');
  }, 120_000);

  afterAll(() => {
    for (const root of roots) {
      const ids = vordr(dir, root, 'ps', '-a', '-q', '--no-trunc')
        .stdout.split('\n')
        .filter(Boolean);
      for (const id of ids) vordr(dir, root, 'rm', '-f', id);
      removeStoreNetworks(dir, root);
      const runcRoot = join(root, 'vordr/run/runc');
      if (existsSync(runcRoot)) {
        for (const id of runcIds(root))
          spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
      }
    }
    for (const line of mountsUnder(dir).reverse()) spawnSync('umount', ['-l', line]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('run --rm prints the greeting, exits 0 and leaves no container', () => {
    const r = v('run', '--rm', IMAGE);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('hello from vordr\n');
    expect(r.stderr).toContain('✓ Container signature valid (2-of-3: m1, m2; logs 2-of-2)');
    expect(r.stderr).toContain('– SELinux policy loaded: SELinux not enabled on this host');
    expect(v('ps', '-a', '-q').stdout).toBe('');
  });

  it('the foreground status is the container’s own', () => {
    const r = v('run', '--rm', IMAGE, '/bin/sh', '-c', 'echo oops >&2; exit 7');
    expect(r.status).toBe(7);
    expect(r.stderr).toContain('oops\n');
  });

  it('run -d, ps, logs, exec inside the confinement, stop and rm leave nothing behind', () => {
    const name = `web-${tag}`;
    const started = v(
      'run',
      '-d',
      '--name',
      name,
      IMAGE,
      '/bin/sh',
      '-c',
      'echo out; echo err >&2; while :; do sleep 1; done',
    );
    expect(started.status, started.stderr).toBe(0);
    const id = started.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(started.stderr).toContain('✓ Capabilities set correctly (CHOWN, SETUID)');

    const ps = v('ps');
    expect(ps.stdout).toContain(id.slice(0, 12));
    expect(ps.stdout).toMatch(new RegExp(`Up .*${name}`));

    // conmon writes the log as the container prints; wait until both lines are there.
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
    expect(status.stdout).toMatch(new RegExp(`CapBnd:\\s+${CAP_MASK}`));
    expect(status.stdout).toMatch(/NoNewPrivs:\s+1/);
    expect(status.stdout).toMatch(/Seccomp:\s+2/);
    expect(v('exec', name, '/bin/sh', '-c', 'echo x > /root-write').status).not.toBe(0);
    const data = v('exec', name, '/bin/sh', '-c', 'echo kept > /data/f && cat /data/f');
    expect(data.status, data.stderr).toBe(0);
    expect(data.stdout).toBe('kept\n');
    // -i: stdin reaches the command, which ends at its end.
    const piped = spawnSync(
      process.execPath,
      [VORDR_BIN, '--root', store, 'exec', '-i', name, '/bin/sh', '-c', 'tr a-z A-Z; echo done'],
      { cwd: dir, encoding: 'utf8', input: 'through stdin\n', timeout: 60_000 },
    );
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stdout).toBe('THROUGH STDIN\ndone\n');
    expect(v('exec', '-t', name, '/bin/true').stderr).toContain('UNSUPPORTED');

    expect(v('stop', '-t', '1', name).status).toBe(0);
    expect(v('ps', '-a').stdout).toMatch(/Exited \(137\)/);
    expect(v('rm', name).status).toBe(0);
    expect(v('ps', '-a', '-q').stdout).toBe('');
    expect(runcIds(store)).toEqual([]);
    expect(mountsUnder(dir)).toEqual([]);
    expect(existsSync(`/sys/fs/cgroup/vordr/${id}`)).toBe(false);
    expect(processesMentioning(id)).toEqual([]);
    expect(existsSync(join(store, 'vordr/containers', id))).toBe(false);
  });

  it('a killed foreground vordr leaves the container running under conmon, logs intact', async () => {
    const name = `fg-${tag}`;
    const child = spawn(
      process.execPath,
      [
        VORDR_BIN,
        '--root',
        store,
        'run',
        '--name',
        name,
        IMAGE,
        '/bin/sh',
        '-c',
        'echo started; while :; do sleep 1; done',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('started')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`vordr exited early (${code})`)));
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const ps = v('ps');
      expect(ps.stdout).toMatch(new RegExp(`Up .*${name}`));
      expect(v('logs', name).stdout).toBe('started\n');
    } finally {
      child.kill('SIGKILL');
      v('rm', '-f', name);
    }
    expect(v('ps', '-a', '-q').stdout).toBe('');
  });

  it('--require-selinux on a host without SELinux is SELINUX_REQUIRED (exit 1) and creates nothing', () => {
    const before = v('ps', '-a', '-q').stdout;
    for (const flag of ['--require-selinux', '--require-selinux=enforcing']) {
      const r = v('run', '--rm', flag, IMAGE);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain('SELINUX_REQUIRED');
    }
    expect(v('ps', '-a', '-q').stdout).toBe(before);
    expect(runcIds(store)).toEqual([]);
  });

  it('a tampered layer byte is refused with MALFORMED_BUNDLE (exit 2) and creates nothing', () => {
    const root = join(dir, 'store-tampered');
    roots.push(root);
    cpSync(store, root, { recursive: true });
    rmSync(join(root, 'vordr'), { recursive: true, force: true });
    rmSync(join(root, 'cache'), { recursive: true, force: true });
    const blob = topLayerBlob(root);
    const bytes = readFileSync(blob);
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
    writeFileSync(blob, bytes);
    const r = vordr(dir, root, 'run', '--rm', IMAGE);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('MALFORMED_BUNDLE');
    expect(
      existsSync(join(root, 'vordr/containers')) ? readdirSync(join(root, 'vordr/containers')) : [],
    ).toEqual([]);
    expect(runcIds(root)).toEqual([]);
  });

  it('an image signed by only 1 of 3 keyholders is a REJECT THRESHOLD_NOT_MET (exit 1)', () => {
    const other = mkdtempSync(join(dir, 'one-signer-'));
    const root = join(other, 'store');
    roots.push(root);
    buildSignedImage(other, busybox!, 'vt/hello', ['m1']);
    const r = vordr(other, root, 'run', '--rm', IMAGE);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('THRESHOLD_NOT_MET');
    expect(
      existsSync(join(root, 'vordr/containers')) ? readdirSync(join(root, 'vordr/containers')) : [],
    ).toEqual([]);
  }, 120_000);
});

function runcIds(root: string): string[] {
  const runcRoot = join(root, 'vordr/run/runc');
  if (!existsSync(runcRoot)) return [];
  const r = spawnSync('runc', ['--root', runcRoot, 'list', '-q'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => dir !== '' && point.startsWith(dir));
}

function processesMentioning(id: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(id)) out.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The blob file of the image's top layer (the build step's). */
function topLayerBlob(root: string): string {
  const index = JSON.parse(readFileSync(join(root, 'images/index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === IMAGE,
  );
  const blob = (digest: string) => join(root, 'images/blobs/sha256', digest.replace('sha256:', ''));
  const manifest = JSON.parse(readFileSync(blob(entry!.digest), 'utf8')) as {
    layers: { digest: string }[];
  };
  return blob(manifest.layers[manifest.layers.length - 1]!.digest);
}
