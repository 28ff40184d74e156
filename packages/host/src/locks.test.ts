// SPDX-License-Identifier: Apache-2.0
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, withLock } from './locks.js';
import { parseStartTime, probeProcess } from './process-start-time.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ct-locks-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function fakeOwner(name: string, owner: object): void {
  mkdirSync(join(root, 'locks', name), { recursive: true });
  writeFileSync(join(root, 'locks', name, 'owner.json'), JSON.stringify(owner));
}

const TOOL = { tool: 'cerro-torre' };

/** A pid no process has: above the kernel's pid_max. */
const DEAD_PID = 2 ** 22 + 17;

describe('store locks', () => {
  it('writes owner.json and removes the directory on release', async () => {
    const lock = await acquireLock(root, 'images', { tool: 'vordr' });
    const owner = JSON.parse(readFileSync(join(root, 'locks', 'images', 'owner.json'), 'utf8'));
    const self = await probeProcess(process.pid);
    expect(owner).toMatchObject({ pid: process.pid, tool: 'vordr' });
    expect(self.alive && owner.startTime === self.startTime).toBe(true);
    expect(owner.acquiredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await lock.release();
    await lock.release(); // idempotent
    expect(readdirSync(join(root, 'locks'))).toEqual([]);
  });

  it('serialises concurrent holders', async () => {
    const events: string[] = [];
    const worker = (id: number) =>
      withLock(
        root,
        'images',
        async () => {
          events.push(`in ${id}`);
          await sleep(20);
          events.push(`out ${id}`);
        },
        TOOL,
      );
    await Promise.all([worker(1), worker(2), worker(3)]);
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]!.replace('in', 'out')).toBe(events[i + 1]);
    }
    expect(events).toHaveLength(6);
  });

  it('releases when the critical section throws', async () => {
    await expect(
      withLock(root, 'names', () => Promise.reject(new Error('boom')), TOOL),
    ).rejects.toThrow('boom');
    await (await acquireLock(root, 'names', { tool: 'cerro-torre', timeoutMs: 0 })).release();
  });

  it('breaks a lock whose owner pid does not exist', async () => {
    fakeOwner('images', { pid: DEAD_PID, startTime: 1, tool: 'crashed', acquiredAt: 'x' });
    const lock = await acquireLock(root, 'images', { tool: 'cerro-torre', timeoutMs: 1000 });
    expect(lock.owner.pid).toBe(process.pid);
    await lock.release();
    expect(readdirSync(join(root, 'locks'))).toEqual([]);
  });

  it('breaks a lock whose pid was reused (start time differs)', async () => {
    fakeOwner('images', { pid: process.pid, startTime: 1, tool: 'old', acquiredAt: 'x' });
    await (await acquireLock(root, 'images', { tool: 'cerro-torre', timeoutMs: 1000 })).release();
  });

  it.skipIf(process.platform !== 'linux')(
    'waits for a live holder in another process, then breaks its lock once it died',
    async () => {
      // The child takes the lock as 00 §4.2 says and exits without releasing it (a crash).
      const script = `
        const fs = require('fs');
        const stat = fs.readFileSync('/proc/self/stat', 'utf8');
        const startTime = Number(stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\\s+/)[19]);
        fs.mkdirSync(process.argv[1], { recursive: true });
        fs.writeFileSync(process.argv[1] + '/owner.json', JSON.stringify({
          pid: process.pid, startTime, tool: 'child', acquiredAt: new Date().toISOString() }));
        process.stdout.write('locked\\n');
        setTimeout(() => process.exit(0), 300);`;
      const child = spawn(process.execPath, ['-e', script, join(root, 'locks', 'images')]);
      await new Promise((resolve) => child.stdout.once('data', resolve));
      const started = Date.now();
      const lock = await acquireLock(root, 'images', { tool: 'cerro-torre', timeoutMs: 5000 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      await lock.release();
    },
  );

  it('fails with STORE_LOCKED naming a live holder after the timeout', async () => {
    const held = await acquireLock(root, 'images', { tool: 'cerro-torre' });
    const started = Date.now();
    await expect(
      acquireLock(root, 'images', { tool: 'cerro-torre', timeoutMs: 150 }),
    ).rejects.toMatchObject({
      code: 'STORE_LOCKED',
      message: expect.stringContaining(`cerro-torre (pid ${process.pid})`),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await held.release();
  });

  it('waits for a lock being created (no owner.json yet) rather than breaking it', async () => {
    mkdirSync(join(root, 'locks', 'images'), { recursive: true });
    await expect(
      acquireLock(root, 'images', { tool: 'cerro-torre', timeoutMs: 50 }),
    ).rejects.toMatchObject({
      code: 'STORE_LOCKED',
    });
  });

  it('refuses lock names that are not plain file names', async () => {
    await expect(acquireLock(root, '../x', TOOL)).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});

describe('parseStartTime', () => {
  it('reads field 22 even when comm holds spaces and parentheses', () => {
    const rest = Array.from({ length: 50 }, (_, i) => String(i + 3)).join(' ');
    expect(parseStartTime(`42 (a b) c)) ${rest}`)).toBe(22);
    expect(parseStartTime('garbage')).toBeNull();
  });

  it('reports a missing pid as gone', async () => {
    expect(await probeProcess(DEAD_PID)).toEqual({ alive: false });
  });
});
