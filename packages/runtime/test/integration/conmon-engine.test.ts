// SPDX-License-Identifier: Apache-2.0
// The runc backend under conmon (05 §1, §4.7, §5, §7) against the real tools: containers started
// by a Node process that exits at once keep running and logging (conmon is their parent), logs keep
// their streams, exit statuses come from conmon's exit file, stop escalates, and teardown leaves no
// runc state, mount, cgroup or conmon behind.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ChangeNotifier, ConmonRuncEngine } from '../../src/engine/index.js';
import { followLogFile, readLogFile, toLogEntry } from '../../src/logs/index.js';
import { hasRunc, makeBusyboxRootfs, staticBusybox } from '../support/busybox-rootfs.js';

const busybox = staticBusybox();
const hasConmon = spawnSync('conmon', ['--version']).status === 0;
const builtEngine = fileURLToPath(new URL('../../dist/engine/index.js', import.meta.url));
const hasBuiltEngine = existsSync(builtEngine);

/** Resolves once `path` exists (inotify on its directory), or rejects after `timeoutMs`. */
async function waitForFile(path: string, timeoutMs = 30_000): Promise<void> {
  const notifier = new ChangeNotifier([dirname(path)]);
  const deadline = Date.now() + timeoutMs;
  try {
    while (!existsSync(path)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${path}`);
      await notifier.next(200);
    }
  } finally {
    notifier.close();
  }
}

describe.skipIf(!hasRunc || !hasConmon || busybox === undefined || !hasBuiltEngine)(
  'conmon + runc engine',
  () => {
    let root: string;
    let runDir: string;
    let engine: ConmonRuncEngine;
    const ids: string[] = [];

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'vc-conmon-'));
      runDir = join(root, 'run');
      engine = new ConmonRuncEngine({ runDir });
    });

    afterAll(async () => {
      for (const id of ids) await engine.delete(id).catch(() => undefined);
      // The engine keeps the shared /vordr parents; remove them when no other container uses them.
      for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
        await rmdir(join('/sys/fs/cgroup', hierarchy, 'vordr')).catch(() => undefined);
      }
      if (root !== undefined) await rm(root, { recursive: true, force: true });
    });

    /** A container directory with `bundle/` (config.json from `runc spec`, adjusted) and a busybox rootfs. */
    async function prepareContainer(args: readonly string[]): Promise<{ id: string; dir: string }> {
      const id = randomBytes(32).toString('hex');
      ids.push(id);
      const dir = join(root, 'containers', id);
      const bundleDir = join(dir, 'bundle');
      const rootfs = join(dir, 'rootfs');
      await mkdir(bundleDir, { recursive: true });
      makeBusyboxRootfs(rootfs, busybox ?? '', { applets: ['sh', 'echo', 'sleep', 'touch'] });
      execFileSync('runc', ['spec', '--bundle', bundleDir]);
      const config = JSON.parse(await readFile(join(bundleDir, 'config.json'), 'utf8')) as {
        process: { terminal: boolean; args: string[] };
        root: { path: string; readonly: boolean };
        hostname: string;
        linux: { cgroupsPath?: string; namespaces: { type: string; path?: string }[] };
      };
      config.process.terminal = false;
      config.process.args = [...args];
      config.root = { path: rootfs, readonly: true };
      config.hostname = id.slice(0, 12);
      config.linux.cgroupsPath = `/vordr/${id}`;
      // An empty new network namespace (no path): only `lo`.
      expect(config.linux.namespaces).toContainEqual({ type: 'network' });
      await writeFile(join(bundleDir, 'config.json'), JSON.stringify(config, null, 2));
      return { id, dir };
    }

    /** Starts the container from a separate Node process that exits right after `start`. */
    function startFromChild(
      id: string,
      dir: string,
      extra: Record<string, unknown> = {},
    ): Record<string, unknown> {
      const script = `
        const { ConmonRuncEngine } = await import(process.env.ENGINE);
        const request = JSON.parse(process.env.REQUEST);
        const engine = new ConmonRuncEngine({ runDir: process.env.RUN_DIR });
        process.stdout.write(JSON.stringify(await engine.start(request)));
      `;
      const request = {
        id,
        bundleDir: join(dir, 'bundle'),
        logPath: join(dir, 'ctr.log'),
        ...extra,
      };
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: {
          ...process.env,
          ENGINE: builtEngine,
          REQUEST: JSON.stringify(request),
          RUN_DIR: runDir,
        },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return JSON.parse(out) as Record<string, unknown>;
    }

    it('keeps logging after the starting process exited; streams and exit status recorded', async () => {
      const { id, dir } = await prepareContainer([
        'sh',
        '-c',
        'echo out; echo err >&2; sleep 1; echo done',
      ]);
      const marker = join(root, `exit-command-${id.slice(0, 12)}`);
      const started = startFromChild(id, dir, { exitCommand: ['/usr/bin/touch', marker] });
      expect(started).toMatchObject({ pid: expect.any(Number), conmonPid: expect.any(Number) });
      expect(Date.parse(String(started.startedAt))).not.toBeNaN();

      // The child is gone; conmon (not the child) records the end.
      expect(await engine.waitForExit(id, { timeoutMs: 60_000 })).toEqual({ exitCode: 0 });
      const entries = (await readLogFile(join(dir, 'ctr.log'))).map(toLogEntry);
      expect(entries.map(({ stream, line }) => ({ stream, line }))).toEqual([
        { stream: 'stdout', line: 'out' },
        { stream: 'stderr', line: 'err' },
        { stream: 'stdout', line: 'done' },
      ]);
      expect(entries[0]?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+/);
      expect(readFileSync(engine.exitFile(id), 'utf8')).toBe('0');
      // conmon ran the exit command (vordr uses it for `internal cleanup`).
      await waitForFile(marker);

      // Following an exited container drains and ends.
      const followed: string[] = [];
      for await (const entry of followLogFile(join(dir, 'ctr.log'), {
        exitFile: engine.exitFile(id),
      })) {
        followed.push(entry.line);
      }
      expect(followed).toEqual(['out', 'err', 'done']);

      await engine.delete(id);
      expect(await engine.state(id)).toBeUndefined();
      expect(existsSync(engine.exitFile(id))).toBe(false);
    });

    it('stops a long-running container: stop signal, then SIGKILL; follow sees lines until the exit', async () => {
      const { id, dir } = await prepareContainer([
        'sh',
        '-c',
        'trap "echo term; exit 3" TERM; echo ready; while true; do sleep 0.1; done',
      ]);
      const started = startFromChild(id, dir);
      expect(await engine.conmonPid(id)).toBe(started.conmonPid);
      expect((await engine.state(id))?.status).toBe('running');

      const follower = (async () => {
        const lines: string[] = [];
        for await (const entry of followLogFile(join(dir, 'ctr.log'), {
          exitFile: engine.exitFile(id),
        })) {
          lines.push(`${entry.stream}:${entry.line}`);
        }
        return lines;
      })();

      // The shell traps TERM and exits 3 by itself.
      expect(await engine.stop(id, 30)).toEqual({ exitCode: 3 });
      expect(await follower).toEqual(['stdout:ready', 'stdout:term']);
      expect(await engine.stop(id, 30)).toEqual({ exitCode: 3 });
      await engine.delete(id);
    });

    it('escalates to SIGKILL when the stop signal is ignored', async () => {
      const { id, dir } = await prepareContainer([
        'sh',
        '-c',
        'trap "" TERM; echo ready; while true; do sleep 0.1; done',
      ]);
      startFromChild(id, dir);
      expect(await engine.stop(id, 0.5)).toEqual({ exitCode: 137 });
      await engine.delete(id);
    });

    it('runs exec in a running container and rm -f tears a live one down', async () => {
      const { id, dir } = await prepareContainer(['sh', '-c', 'while true; do sleep 0.1; done']);
      startFromChild(id, dir);
      const result = await engine.exec(id, {
        args: ['sh', '-c', 'echo hi; echo oops >&2; exit 7'],
        env: ['PATH=/bin'],
      });
      expect(result).toMatchObject({ exitCode: 7, truncated: false, timedOut: false });
      expect(result.stdout.toString()).toBe('hi\n');
      expect(result.stderr.toString()).toBe('oops\n');

      const slow = await engine.exec(
        id,
        { args: ['sleep', '600'], env: ['PATH=/bin'] },
        { timeoutMs: 200 },
      );
      expect(slow).toMatchObject({ exitCode: null, timedOut: true });

      await engine.delete(id);
      expect(await engine.state(id)).toBeUndefined();
    });

    it('reports a container runc cannot create as RUNTIME_ERROR and cleans up', async () => {
      const { id, dir } = await prepareContainer(['/bin/not-there']);
      const request = { id, bundleDir: join(dir, 'bundle'), logPath: join(dir, 'ctr.log') };
      await expect(engine.start(request)).rejects.toMatchObject({
        code: 'RUNTIME_ERROR',
        message: expect.stringContaining('not-there'),
      });
      expect(await engine.state(id)).toBeUndefined();
      expect(await engine.conmonPid(id)).toBeUndefined();
    });

    it('names a missing binary with RUNTIME_UNAVAILABLE', async () => {
      const broken = new ConmonRuncEngine({ runDir, conmon: 'conmon-not-installed' });
      await expect(broken.binaries()).rejects.toMatchObject({
        code: 'RUNTIME_UNAVAILABLE',
        message: expect.stringContaining('conmon-not-installed'),
      });
    });

    it('leaves nothing behind', async () => {
      for (const id of ids) await engine.delete(id);
      const list = execFileSync(
        'runc',
        ['--root', join(runDir, 'runc'), 'list', '--format', 'json'],
        {
          encoding: 'utf8',
        },
      );
      expect(JSON.parse(list) ?? []).toEqual([]);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(root);
      for (const id of ids) {
        const cgroups = readdirSync('/sys/fs/cgroup').filter((h) =>
          existsSync(join('/sys/fs/cgroup', h, 'vordr', id)),
        );
        expect(cgroups).toEqual([]);
        expect(await engine.conmonPid(id)).toBeUndefined();
        const live = readdirSync('/proc')
          .filter((p) => /^\d+$/.test(p))
          .filter((p) => {
            try {
              return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(id);
            } catch {
              return false;
            }
          });
        expect(live).toEqual([]);
      }
      expect(readdirSync(join(runDir, 'exits'))).toEqual([]);
      expect(readdirSync(join(runDir, 'attach'))).toEqual([]);
    });
  },
);
