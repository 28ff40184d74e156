// SPDX-License-Identifier: Apache-2.0
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VcError, formatRfc3339Utc } from '@verified-container/shared';
import { probeProcess } from '../store/process-start-time.js';

/** Who holds `D/lock` (03 §8, same owner.json as 00 §4.2). */
export interface LogLockOwner {
  pid: number;
  startTime: number;
  /** `log serve` holds it for its lifetime; `file-log` per append. */
  tool: 'log serve' | 'file-log';
  acquiredAt: string;
}

/** A held log lock; `release` is idempotent. */
export interface HeldLogLock {
  release(): Promise<void>;
}

/** How long an embedded writer waits for another embedded writer. */
const EMBEDDED_WAIT_MS = 30_000;

/**
 * Takes the writer lock `D/lock` (mkdir, then owner.json). A stale holder (process gone or pid
 * reused) is broken. A live `log serve` holder → `LOG_UNAVAILABLE` ("served by pid N") at once;
 * a live embedded writer is waited for with backoff, up to 30 s.
 */
export async function acquireLogLock(
  dir: string,
  tool: LogLockOwner['tool'],
): Promise<HeldLogLock> {
  const path = join(dir, 'lock');
  const started = Date.now();
  let delay = 5;
  for (;;) {
    try {
      await fs.mkdir(path, { mode: 0o755 });
      return await writeOwner(path, tool);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new VcError('LOG_UNAVAILABLE', `cannot create the log lock ${path}`, { cause });
      }
    }
    const owner = await readOwner(path);
    if (owner !== null) {
      const probe = await probeProcess(owner.pid);
      const alive =
        probe.alive && (probe.startTime === null || probe.startTime === owner.startTime);
      if (!alive) {
        const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
        await fs.rename(path, aside).catch(() => undefined);
        await fs.rm(aside, { recursive: true, force: true });
        continue;
      }
      if (owner.tool === 'log serve' || Date.now() - started > EMBEDDED_WAIT_MS) {
        throw new VcError('LOG_UNAVAILABLE', `the log ${dir} is served by pid ${owner.pid}`, {
          hint:
            owner.tool === 'log serve'
              ? 'submit through its HTTP API, or stop the server'
              : 'another process is appending; retry later',
        });
      }
    } else {
      const stat = await fs.stat(path).catch(() => null);
      if (stat !== null && Date.now() - stat.mtimeMs > 5_000) {
        await fs.rm(path, { recursive: true, force: true });
        continue;
      }
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 200);
  }
}

async function writeOwner(path: string, tool: LogLockOwner['tool']): Promise<HeldLogLock> {
  const self = await probeProcess(process.pid);
  const owner: LogLockOwner = {
    pid: process.pid,
    startTime: (self.alive ? self.startTime : null) ?? 0,
    tool,
    acquiredAt: formatRfc3339Utc(new Date()),
  };
  const text = JSON.stringify(owner);
  const tmp = join(path, `.owner-${randomBytes(6).toString('hex')}.tmp`);
  await fs.writeFile(tmp, text, { mode: 0o644 });
  await fs.rename(tmp, join(path, 'owner.json'));
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      const now = await fs.readFile(join(path, 'owner.json'), 'utf8').catch(() => '');
      if (now !== text) return; // broken as stale and taken by someone else
      const aside = `${path}.released-${randomBytes(6).toString('hex')}`;
      await fs.rename(path, aside);
      await fs.rm(aside, { recursive: true, force: true });
    },
  };
}

async function readOwner(path: string): Promise<LogLockOwner | null> {
  try {
    const v = JSON.parse(await fs.readFile(join(path, 'owner.json'), 'utf8')) as LogLockOwner;
    return typeof v.pid === 'number' && typeof v.startTime === 'number' ? v : null;
  } catch {
    return null;
  }
}
