// SPDX-License-Identifier: Apache-2.0
// One on-disk protocol for cerro-torre and vordr, so the two tools exclude each other.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VcError, formatRfc3339Utc } from '@verified-container/shared';
import { probeProcess } from './process-start-time.js';

/** Waiters give up after this long (00 §4.2). */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
const FIRST_DELAY_MS = 10;
const MAX_DELAY_MS = 500;
/**
 * A lock directory without a readable owner.json is taken as being created (mkdir happens before
 * the owner is written) until it is this old; then its creator is taken as dead.
 */
const UNOWNED_GRACE_MS = 5_000;

/** `locks/<name>/owner.json` (00 §4.2). */
export interface LockOwner {
  readonly pid: number;
  /** Field 22 of `/proc/<pid>/stat`: start time in clock ticks since boot (tells pid reuse apart). */
  readonly startTime: number;
  readonly tool: string;
  readonly acquiredAt: string;
}

export interface LockOptions {
  /** The tool taking the lock (`cerro-torre`, `vordr`): recorded in owner.json, named by STORE_LOCKED. */
  readonly tool: string;
  /** Give up after this many milliseconds; default {@link DEFAULT_LOCK_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
}

/** A held lock; `release` is idempotent. */
export interface HeldLock extends AsyncDisposable {
  readonly name: string;
  readonly path: string;
  readonly owner: LockOwner;
  release(): Promise<void>;
}

/**
 * Takes the store lock `name` under `$VC_ROOT/locks` (00 §4.2): `mkdir`, then owner.json. A
 * stale holder (pid gone, or pid reused) is broken; otherwise waits with backoff (10 ms doubling
 * to 500 ms) and fails with STORE_LOCKED naming the holder once `timeoutMs` has passed.
 */
export async function acquireLock(
  root: string,
  name: string,
  opts: LockOptions,
): Promise<HeldLock> {
  assertLockName(name);
  const locks = join(root, 'locks');
  const path = join(locks, name);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const started = performance.now();
  let delay = FIRST_DELAY_MS;
  await fs.mkdir(locks, { recursive: true, mode: 0o755 });
  for (;;) {
    const owner = await tryCreate(path, opts.tool);
    if (owner !== null) return heldLock(name, path, locks, owner);
    const seen = await inspect(path);
    if (seen === null) continue; // released meanwhile
    if (seen.stale) {
      await breakStale(locks, name, seen.identity);
      continue;
    }
    const waited = performance.now() - started;
    if (waited >= timeoutMs) throw lockedError(name, path, seen.owner);
    await sleep(Math.min(delay, timeoutMs - waited));
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}

/** Runs `fn` holding the lock, releasing it however `fn` ends. */
export async function withLock<T>(
  root: string,
  name: string,
  fn: () => Promise<T>,
  opts: LockOptions,
): Promise<T> {
  const lock = await acquireLock(root, name, opts);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

async function tryCreate(path: string, tool: string): Promise<LockOwner | null> {
  try {
    await fs.mkdir(path, { mode: 0o755 });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw new VcError('WRITE_FAILED', `cannot create lock ${path}`, { cause });
  }
  const owner: LockOwner = {
    pid: process.pid,
    startTime: await ownStartTime(),
    tool,
    acquiredAt: formatRfc3339Utc(new Date()),
  };
  // Written aside and renamed in, so a reader never sees half an owner.json.
  const tmp = join(path, `.owner-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.writeFile(tmp, JSON.stringify(owner), { mode: 0o644 });
    await fs.rename(tmp, join(path, 'owner.json'));
  } catch (cause) {
    await fs.rm(path, { recursive: true, force: true });
    throw new VcError('WRITE_FAILED', `cannot write the owner of lock ${path}`, { cause });
  }
  return owner;
}

interface Inspection {
  readonly owner: LockOwner | null;
  readonly stale: boolean;
  /** What was judged: the lock is only broken if it is still exactly this. */
  readonly identity: string;
}

async function inspect(path: string): Promise<Inspection | null> {
  let stat;
  try {
    stat = await fs.stat(path);
  } catch {
    return null;
  }
  let text = '';
  try {
    text = await fs.readFile(join(path, 'owner.json'), 'utf8');
  } catch {
    // not written yet, or the lock went away
  }
  const identity = `${stat.dev}:${stat.ino}:${text}`;
  const owner = parseOwner(text);
  if (owner === null) {
    return { owner, identity, stale: Date.now() - stat.mtimeMs > UNOWNED_GRACE_MS };
  }
  const probe = await probeProcess(owner.pid);
  const stale = !probe.alive || (probe.startTime !== null && probe.startTime !== owner.startTime);
  return { owner, identity, stale };
}

/**
 * Breaks a stale lock (00 §4.2: rename to `.stale-<random>`, then remove). Breakers take turns
 * through `locks/.break-<name>` and re-check the lock under it, so one waiter cannot break a lock
 * another waiter has just taken after breaking the same stale holder.
 */
async function breakStale(locks: string, name: string, identity: string): Promise<void> {
  const guard = join(locks, `.break-${name}`);
  try {
    await fs.mkdir(guard);
  } catch {
    // Another waiter is breaking it; a guard left by a crashed breaker is cleared once old.
    const stat = await fs.stat(guard).catch(() => null);
    if (stat !== null && Date.now() - stat.mtimeMs > UNOWNED_GRACE_MS) {
      await fs.rm(guard, { recursive: true, force: true });
    }
    await sleep(FIRST_DELAY_MS);
    return;
  }
  try {
    const again = await inspect(join(locks, name));
    if (again === null || !again.stale || again.identity !== identity) return;
    const aside = join(locks, `.stale-${randomBytes(6).toString('hex')}`);
    await fs.rename(join(locks, name), aside);
    await fs.rm(aside, { recursive: true, force: true });
  } finally {
    await fs.rm(guard, { recursive: true, force: true });
  }
}

/** {@link LockOptions} with the tool optional: it defaults to the tool bound by {@link toolLocks}. */
export type ToolLockOptions = Omit<LockOptions, 'tool'> & { readonly tool?: string };

/** One tool's {@link acquireLock} and {@link withLock}, recording `tool` unless told otherwise. */
export interface ToolLocks {
  readonly acquireLock: (root: string, name: string, opts?: ToolLockOptions) => Promise<HeldLock>;
  readonly withLock: <T>(
    root: string,
    name: string,
    fn: () => Promise<T>,
    opts?: ToolLockOptions,
  ) => Promise<T>;
}

/** Binds the store locks to one tool (`cerro-torre`, `vordr`). */
export function toolLocks(tool: string): ToolLocks {
  const bind = (opts: ToolLockOptions = {}): LockOptions => ({ ...opts, tool: opts.tool ?? tool });
  return {
    acquireLock: (root, name, opts) => acquireLock(root, name, bind(opts)),
    withLock: (root, name, fn, opts) => withLock(root, name, fn, bind(opts)),
  };
}

function heldLock(name: string, path: string, locks: string, owner: LockOwner): HeldLock {
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    const text = await fs.readFile(join(path, 'owner.json'), 'utf8').catch(() => '');
    // Never remove a lock that is no longer ours (broken as stale and taken by someone else).
    if (text !== JSON.stringify(owner)) return;
    const aside = join(locks, `.released-${randomBytes(6).toString('hex')}`);
    await fs.rename(path, aside);
    await removeReleased(aside);
  };
  return { name, path, owner, release, [Symbol.asyncDispose]: release };
}

/** This process's start time (it never changes): read from /proc once per process. */
let ownStart: Promise<number> | undefined;
function ownStartTime(): Promise<number> {
  ownStart ??= probeProcess(process.pid).then((self) => (self.alive ? self.startTime : null) ?? 0);
  return ownStart;
}

/**
 * Removes a released lock directory: it holds owner.json alone, so two calls instead of a
 * recursive walk; anything else in it (a temporary file of a crashed writer) takes the walk.
 */
async function removeReleased(dir: string): Promise<void> {
  try {
    await fs.unlink(join(dir, 'owner.json'));
    await fs.rmdir(dir);
  } catch {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (typeof v.pid !== 'number' || typeof v.startTime !== 'number') return null;
    return {
      pid: v.pid,
      startTime: v.startTime,
      tool: typeof v.tool === 'string' ? v.tool : 'unknown',
      acquiredAt: typeof v.acquiredAt === 'string' ? v.acquiredAt : 'unknown',
    };
  } catch {
    return null;
  }
}

function lockedError(name: string, path: string, owner: LockOwner | null): VcError {
  const holder =
    owner === null
      ? 'a process that is still starting'
      : `${owner.tool} (pid ${owner.pid}) since ${owner.acquiredAt}`;
  return new VcError('STORE_LOCKED', `the store lock "${name}" is held by ${holder}`, {
    hint: 'another process is using the store; retry when it has finished',
    details: { lock: name, path, ...(owner !== null ? { holder: owner } : {}) },
  });
}

function assertLockName(name: string): void {
  // The name becomes a directory under locks/: no separators, no dot files (ours start with '.').
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/.test(name)) {
    throw new VcError('INTERNAL', `invalid lock name ${JSON.stringify(name)}`);
  }
}
