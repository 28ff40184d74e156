// SPDX-License-Identifier: Apache-2.0
// The supervisor's work (05 §6, §13): healthchecks of running containers, restart policies on
// exits, re-adoption on start and the host-boot rule. Runs until nothing has needed it for the
// idle time; the store lock `supervisor` keeps it the only one.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { recordExecSession } from '../check/exec-sessions.js';
import {
  isAttached,
  readHostFacts,
  reconcileRecord,
  settleExit,
  startContainer,
  withContainerLock,
  type ContainerRecord,
  type LifecycleContext,
  type VolumePort,
} from '../container/index.js';
import { ChangeNotifier } from '../engine/index.js';
import {
  RETRY_REFRESH_MS,
  dnsServersFromEnv,
  hasResolvedEgress,
  refreshEgressHosts,
  resolveWithNodeDns,
} from '../firewall/index.js';
import {
  MAX_HEALTH_OUTPUT_BYTES,
  applyHealthResult,
  healthOutput,
  initialHealth,
  type HealthResult,
} from '../health/index.js';
import { resolveImage } from '../image/index.js';
import type { OciSpec } from '../oci-spec/index.js';
import {
  acquireLock,
  containerPaths,
  vordrPaths,
  writeFileAtomic,
  type HeldLock,
} from '../store/index.js';
import { verifyStoreImage } from '../verification/index.js';
import { emitSupervisorEvent } from './events-hook.js';
import { nextRestartDelay, shouldRestart } from './restart-policy.js';
import { needsSupervisor, supervisorPidFile } from './supervisor-process.js';

/** The supervisor leaves this long after nothing needed it (05 §1). */
export const DEFAULT_SUPERVISOR_IDLE_MS = 60_000;
/** How often it looks at the records when no file event woke it. */
export const DEFAULT_SUPERVISOR_POLL_MS = 500;
/** A second supervisor waits this long for the lock (the first may be on its way out). */
const LOCK_WAIT_MS = 10_000;
const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';

export interface SuperviseOptions {
  readonly volumePort: VolumePort;
  /** Default: `VORDR_SUPERVISOR_IDLE_MS` from the context's environment, else 60 s. */
  readonly idleMs?: number;
  readonly pollMs?: number;
  /** Aborted on SIGTERM/SIGINT: the supervisor finishes what it does and leaves. */
  readonly signal?: AbortSignal;
}

/** Why {@link superviseStore} returned. */
export type SuperviseOutcome = 'idle' | 'already-running' | 'aborted';

/** The idle time from the environment (`VORDR_SUPERVISOR_IDLE_MS`, for tests). */
export function supervisorIdleMs(env: Readonly<Record<string, string | undefined>>): number {
  const text = env['VORDR_SUPERVISOR_IDLE_MS'];
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : DEFAULT_SUPERVISOR_IDLE_MS;
}

/** Runs the store's supervisor until it is idle (or aborted); returns at once if one runs. */
export async function superviseStore(
  ctx: LifecycleContext,
  opts: SuperviseOptions,
): Promise<SuperviseOutcome> {
  let lock: HeldLock;
  try {
    lock = await acquireLock(ctx.root, 'supervisor', { timeoutMs: LOCK_WAIT_MS });
  } catch (err) {
    if (err instanceof VcError && err.code === 'STORE_LOCKED') return 'already-running';
    throw err;
  }
  const supervisor = new Supervisor(ctx, opts);
  try {
    return await supervisor.run();
  } finally {
    await rm(supervisorPidFile(ctx.root), { force: true }).catch(() => undefined);
    await lock.release();
  }
}

/** A health schedule of one running container (in memory; rebuilt on re-adoption). */
interface HealthSchedule {
  readonly startedAt: string | undefined;
  nextAt: number;
}

class Supervisor {
  readonly #ctx: LifecycleContext;
  readonly #opts: SuperviseOptions;
  readonly #idleMs: number;
  readonly #health = new Map<string, HealthSchedule>();
  /** When each running container's egress `host` entries are re-resolved next (05 §4.6). */
  readonly #egress = new Map<string, HealthSchedule>();
  /** Containers with work in flight: the loop leaves them alone meanwhile. */
  readonly #busy = new Set<string>();
  readonly #tasks = new Set<Promise<void>>();

  constructor(ctx: LifecycleContext, opts: SuperviseOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.#idleMs = opts.idleMs ?? supervisorIdleMs(ctx.env);
  }

  async run(): Promise<SuperviseOutcome> {
    const ctx = this.#ctx;
    await this.#afterBoot();
    await writeFileAtomic(supervisorPidFile(ctx.root), `${process.pid}\n`);
    await this.#readopt();
    const notifier = new ChangeNotifier([ctx.engine.exitDir, vordrPaths(ctx.root).containers]);
    let lastNeeded = this.#nowMs();
    try {
      for (;;) {
        if (this.#opts.signal?.aborted === true) return 'aborted';
        const records = await ctx.records.list().catch((err: unknown) => {
          ctx.logger.warn({ err }, 'supervisor: cannot list the containers');
          return [];
        });
        const now = this.#nowMs();
        let wakeAt = now + (this.#opts.pollMs ?? DEFAULT_SUPERVISOR_POLL_MS);
        let needed = this.#busy.size > 0;
        for (const record of records) {
          if (needsSupervisor(record)) needed = true;
          if (this.#busy.has(record.id)) continue;
          const at = await this.#visit(record, now);
          if (at !== undefined) wakeAt = Math.min(wakeAt, at);
        }
        this.#forgetGone(records);
        if (needed) {
          lastNeeded = now;
        } else if (now - lastNeeded >= this.#idleMs) {
          // Leave without racing a starter: the pid file goes first, then one last look (a
          // command that wrote its record before it found no pid file starts a new supervisor,
          // which waits for this one's lock).
          await rm(supervisorPidFile(ctx.root), { force: true });
          if (!(await ctx.records.list()).some(needsSupervisor)) return 'idle';
          await writeFileAtomic(supervisorPidFile(ctx.root), `${process.pid}\n`);
          lastNeeded = now;
        }
        await notifier.next(Math.max(10, wakeAt - this.#nowMs()), this.#opts.signal);
      }
    } finally {
      notifier.close();
      await Promise.allSettled([...this.#tasks]);
    }
  }

  #nowMs(): number {
    return this.#ctx.clock.now().getTime();
  }

  /** Starts `work` for a container in the background, marking it busy until it ends. */
  #spawn(id: string, what: string, work: () => Promise<void>): void {
    this.#busy.add(id);
    const task = work()
      .catch((err: unknown) => this.#ctx.logger.warn({ err, id }, `supervisor: ${what} failed`))
      .finally(() => {
        this.#busy.delete(id);
        this.#tasks.delete(task);
      });
    this.#tasks.add(task);
  }

  /** Looks at one container; returns when it wants to be looked at again (if sooner than a poll). */
  async #visit(record: ContainerRecord, now: number): Promise<number | undefined> {
    switch (record.state) {
      case 'running': {
        const healthAt = await this.#visitRunning(record, now);
        const egressAt = this.#visitEgress(record, now);
        if (healthAt === undefined) return egressAt;
        return egressAt === undefined ? healthAt : Math.min(healthAt, egressAt);
      }
      case 'exited':
        if (record.cleanedUp !== true) {
          if (shouldRestart(record.restartPolicy, record) && !(await isAttached(record))) {
            this.#spawn(record.id, 'cleanup', () => this.#reconcile(record.id));
          }
        } else if (shouldRestart(record.restartPolicy, record)) {
          this.#spawn(record.id, 'restart scheduling', () => this.#scheduleRestart(record.id));
        }
        return undefined;
      case 'restarting': {
        if (record.pid !== undefined) return undefined;
        const at = record.restartAt === undefined ? now : Date.parse(record.restartAt);
        if (at <= now)
          this.#spawn(record.id, 'restart', () => this.#restartNow(record.id, 'policy'));
        return at;
      }
      case 'creating':
      case 'created':
      case 'dead':
      case 'removing':
        return undefined;
    }
  }

  async #visitRunning(record: ContainerRecord, now: number): Promise<number | undefined> {
    const ctx = this.#ctx;
    if (
      (await ctx.engine.exitStatus(record.id)) !== undefined &&
      needsSupervisor(record) &&
      !(await isAttached(record))
    ) {
      // conmon's exit command settles it too; whoever takes the lock first does the work.
      this.#spawn(record.id, 'exit', () => this.#reconcile(record.id));
      return undefined;
    }
    const config = record.healthcheck;
    if (config === undefined) return undefined;
    let schedule = this.#health.get(record.id);
    if (schedule === undefined || schedule.startedAt !== record.startedAt) {
      schedule = { startedAt: record.startedAt, nextAt: now + config.intervalMs };
      this.#health.set(record.id, schedule);
    }
    if (schedule.nextAt > now) return schedule.nextAt;
    const current = schedule;
    this.#spawn(record.id, 'healthcheck', async () => {
      try {
        await this.#checkHealth(record);
      } finally {
        current.nextAt = this.#nowMs() + config.intervalMs;
      }
    });
    return undefined;
  }

  /**
   * Re-resolves the container's egress `host` entries when due (05 §4.6): at once when first seen
   * (the start's TTLs are not known here), then at the shortest TTL (30 s–1 h), 30 s after a name
   * that did not resolve or a failed update.
   */
  #visitEgress(record: ContainerRecord, now: number): number | undefined {
    if (!hasResolvedEgress(record.firewall?.egress)) return undefined;
    let schedule = this.#egress.get(record.id);
    if (schedule === undefined || schedule.startedAt !== record.startedAt) {
      schedule = { startedAt: record.startedAt, nextAt: now };
      this.#egress.set(record.id, schedule);
    }
    if (schedule.nextAt > now) return schedule.nextAt;
    if (this.#busy.has(record.id)) return undefined;
    const current = schedule;
    const ctx = this.#ctx;
    // Pushed forward first: the loop must not start a second refresh while this one runs.
    current.nextAt = now + RETRY_REFRESH_MS;
    this.#spawn(record.id, 'egress re-resolution', async () => {
      const servers = dnsServersFromEnv(ctx.env);
      const result = await refreshEgressHosts(ctx.root, record.id, {
        resolveHost: (host) => resolveWithNodeDns(host, servers),
      });
      for (const warning of result?.warnings ?? []) {
        ctx.logger.warn({ id: record.id }, `supervisor: ${warning}; retried in 30 s`);
      }
      current.nextAt =
        result?.delayMs === undefined ? Number.POSITIVE_INFINITY : this.#nowMs() + result.delayMs;
    });
    return undefined;
  }

  #forgetGone(records: readonly ContainerRecord[]): void {
    const running = new Set(records.filter((r) => r.state === 'running').map((r) => r.id));
    for (const id of this.#health.keys()) if (!running.has(id)) this.#health.delete(id);
    for (const id of this.#egress.keys()) if (!running.has(id)) this.#egress.delete(id);
  }

  /** Reconciles one container under its lock (05 §13). */
  async #reconcile(id: string): Promise<void> {
    const ctx = this.#ctx;
    await withContainerLock(ctx, id, async () => {
      const fresh = await ctx.records.read(id);
      if (fresh !== undefined) await reconcileRecord(ctx, fresh, this.#opts.volumePort);
    });
  }

  /**
   * 05 §13: after a host boot (`run/boot-id` differs) every running or restarting container is
   * `exited` ("host rebooted"); the restart policies then apply as for any exit.
   */
  async #afterBoot(): Promise<void> {
    const ctx = this.#ctx;
    const bootFile = join(vordrPaths(ctx.root).run, 'boot-id');
    const current = (await readFile(BOOT_ID_PATH, 'utf8')).trim();
    const stored = (await readFile(bootFile, 'utf8').catch(() => undefined))?.trim();
    if (stored !== undefined && stored !== current) {
      for (const record of await ctx.records.list()) {
        if (record.state !== 'running' && record.state !== 'restarting') continue;
        await withContainerLock(ctx, record.id, async () => {
          const fresh = await ctx.records.read(record.id);
          if (fresh === undefined) return;
          if (fresh.state !== 'running' && fresh.state !== 'restarting') return;
          await settleExit(ctx, fresh, { exitCode: null, note: 'host rebooted' });
        }).catch((err: unknown) =>
          ctx.logger.warn({ err, id: record.id }, 'supervisor: could not settle after a boot'),
        );
      }
    }
    if (stored !== current) await writeFileAtomic(bootFile, `${current}\n`);
  }

  /** Re-adoption (05 §13): every container reconciled once when the supervisor starts. */
  async #readopt(): Promise<void> {
    for (const record of await this.#ctx.records.list()) {
      if (record.state === 'restarting' && record.pid === undefined) continue;
      await this.#reconcile(record.id).catch((err: unknown) =>
        this.#ctx.logger.warn({ err, id: record.id }, 'supervisor: could not re-adopt'),
      );
    }
  }

  /** An exited container due for a restart: `restarting` until its backoff delay has passed. */
  async #scheduleRestart(id: string): Promise<void> {
    const ctx = this.#ctx;
    await withContainerLock(ctx, id, async () => {
      const fresh = await ctx.records.read(id);
      if (fresh?.state !== 'exited' || fresh.cleanedUp !== true) return;
      if (!shouldRestart(fresh.restartPolicy, fresh)) return;
      const ranMs =
        fresh.startedAt !== undefined && fresh.finishedAt !== undefined
          ? Date.parse(fresh.finishedAt) - Date.parse(fresh.startedAt)
          : undefined;
      const { delayMs, streak } = nextRestartDelay(fresh.restartStreak ?? 0, ranMs);
      fresh.state = 'restarting';
      fresh.restartStreak = streak;
      fresh.restartAt = new Date(this.#nowMs() + delayMs).toISOString();
      await ctx.records.write(fresh);
    });
  }

  /** Starts a `restarting` container again, verifying its image again (05 §4.2, §6). */
  async #restartNow(id: string, reason: 'policy' | 'health'): Promise<void> {
    const ctx = this.#ctx;
    const record = await ctx.records.read(id);
    if (record?.state !== 'restarting') return;
    let failure: string | undefined;
    let started: ContainerRecord | undefined;
    try {
      const image = await resolveImage(ctx.root, record.imageDigest);
      const verification = await verifyStoreImage(image, {
        root: ctx.root,
        env: ctx.env,
        clock: ctx.clock,
        mode:
          record.decision === 'ALLOW'
            ? 'strict'
            : record.decision === 'WARN'
              ? 'permissive'
              : 'audit',
      });
      if (verification.result.decision === 'REJECT') {
        failure = verification.result.errorCode ?? 'REJECT';
      } else {
        const host = await readHostFacts();
        started = await withContainerLock(ctx, id, async () => {
          const fresh = await ctx.records.read(id);
          if (fresh?.state !== 'restarting' || fresh.pid !== undefined) return undefined;
          // startContainer starts exited containers; `restarting` is the supervisor's own mark.
          fresh.state = 'exited';
          fresh.restartCount = (fresh.restartCount ?? 0) + 1;
          delete fresh.restartAt;
          return startContainer(ctx, fresh, {
            layers: image.layers,
            selinuxEnabled: host.selinuxEnabled,
          });
        });
      }
    } catch (err) {
      failure = err instanceof VcError ? String(err.code) : 'INTERNAL';
      ctx.logger.warn({ err, id }, 'supervisor: restart failed');
    }
    if (started !== undefined) {
      emitSupervisorEvent(ctx, {
        action: 'restart',
        id,
        name: started.name,
        restartCount: started.restartCount ?? 0,
        reason,
      });
      return;
    }
    if (failure === undefined) return;
    emitSupervisorEvent(ctx, {
      action: 'restart_failed',
      id,
      name: record.name,
      errorCode: failure,
    });
    // Tried again after the next backoff delay (a rejected image may verify later).
    await withContainerLock(ctx, id, async () => {
      const fresh = await ctx.records.read(id);
      if (fresh === undefined || (fresh.state !== 'restarting' && fresh.state !== 'exited')) return;
      if (fresh.pid !== undefined) return;
      const { delayMs, streak } = nextRestartDelay(fresh.restartStreak ?? 0, undefined);
      fresh.state = 'restarting';
      fresh.restartStreak = streak;
      fresh.restartAt = new Date(this.#nowMs() + delayMs).toISOString();
      fresh.note = `restart failed: ${failure}`;
      await ctx.records.write(fresh);
    });
  }

  /** One healthcheck run (05 §6) and its result applied to the record. */
  async #checkHealth(record: ContainerRecord): Promise<void> {
    const ctx = this.#ctx;
    const config = record.healthcheck!;
    const paths = containerPaths(ctx.root, record.id);
    const spec = JSON.parse(await readFile(paths.config, 'utf8')) as OciSpec;
    const start = ctx.clock.now();
    let exitCode: number;
    let output: string;
    // Recorded like an exec session, so `check`'s process tree accepts the probe's processes.
    const endSession = await recordExecSession(paths.dir, config.test);
    try {
      const result = await ctx.engine.exec(
        record.id,
        { ...spec.process, args: [...config.test] },
        { timeoutMs: config.timeoutMs, maxOutputBytes: MAX_HEALTH_OUTPUT_BYTES },
      );
      if (result.timedOut) {
        exitCode = -1;
        output = `healthcheck exceeded its timeout (${config.timeoutMs} ms)`;
      } else {
        exitCode = result.exitCode ?? -1;
        output = healthOutput(result.stdout, result.stderr);
      }
    } catch (err) {
      if (err instanceof VcError && err.code === 'CONTAINER_NOT_RUNNING') return;
      exitCode = -1;
      output = err instanceof Error ? err.message : String(err);
    } finally {
      await endSession();
    }
    const result: HealthResult = {
      start: start.toISOString(),
      end: ctx.clock.now().toISOString(),
      exitCode,
      output,
    };
    const turned = await withContainerLock(ctx, record.id, async () => {
      const fresh = await ctx.records.read(record.id);
      if (fresh?.state !== 'running' || fresh.startedAt !== record.startedAt) return undefined;
      const startedMs = fresh.startedAt === undefined ? 0 : Date.parse(fresh.startedAt);
      const applied = applyHealthResult(fresh.health ?? initialHealth(), result, {
        retries: config.retries,
        inStartPeriod: start.getTime() - startedMs < config.startPeriodMs,
      });
      fresh.health = applied.state;
      await ctx.records.write(fresh);
      return applied.changed ? fresh : undefined;
    });
    if (turned?.health === undefined) return;
    emitSupervisorEvent(ctx, {
      action: 'health_status',
      id: turned.id,
      name: turned.name,
      status: turned.health.status,
    });
    if (turned.health.status === 'unhealthy' && config.onFailure !== 'none') {
      emitSupervisorEvent(ctx, {
        action: 'health_action',
        id: turned.id,
        name: turned.name,
        onFailure: config.onFailure,
      });
      await this.#onUnhealthy(turned, config.onFailure);
    }
  }

  /** `--health-on-failure` (05 §6): kill (the restart policy applies), stop, or restart. */
  async #onUnhealthy(record: ContainerRecord, action: 'kill' | 'restart' | 'stop'): Promise<void> {
    const ctx = this.#ctx;
    switch (action) {
      case 'kill':
        await ctx.engine.kill(record.id, 'SIGKILL', { all: true });
        return;
      case 'stop':
        await this.#stopAndSettle(record, 'stop');
        return;
      case 'restart':
        await this.#stopAndSettle(record, 'restart');
        await this.#restartNow(record.id, 'health');
        return;
    }
  }

  /**
   * Stops a container and settles its exit; `stop` then counts as a user's stop (no restarts),
   * `restart` leaves it `restarting` for an immediate start.
   */
  async #stopAndSettle(record: ContainerRecord, then: 'stop' | 'restart'): Promise<void> {
    const ctx = this.#ctx;
    if (then === 'stop') {
      await withContainerLock(ctx, record.id, async () => {
        const fresh = await ctx.records.read(record.id);
        if (fresh === undefined) return;
        fresh.stoppedByUser = true;
        await ctx.records.write(fresh);
      });
    }
    const exit = await ctx.engine.stop(record.id, record.stopTimeout);
    await withContainerLock(ctx, record.id, async () => {
      const fresh = await ctx.records.read(record.id);
      if (fresh === undefined) return;
      if (fresh.state === 'running') {
        await settleExit(
          ctx,
          fresh,
          exit.exitCode === null ? { exitCode: null, note: 'exit status lost' } : exit,
        );
      }
      await reconcileRecord(ctx, fresh, this.#opts.volumePort);
      if (then === 'restart' && fresh.state === 'exited' && fresh.cleanedUp === true) {
        fresh.state = 'restarting';
        fresh.restartAt = ctx.clock.now().toISOString();
        await ctx.records.write(fresh);
      }
    });
  }
}
