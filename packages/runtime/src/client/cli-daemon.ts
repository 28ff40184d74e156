// SPDX-License-Identifier: Apache-2.0
// The CLI commands that go through the daemon when one answers (05 §12; docs/decisions.md lists
// them). Each returns exactly what the direct path would print.
import { VcError } from '@verified-container/shared';
import { storeRoot, type GlobalFlags } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import type { ContainerRecord } from '../container/index.js';
import type { TimedLogEntry } from '../logs/index.js';
import type { RunFlags } from '../commands/run-flags.js';
import type { ContainerCreate } from '../service/container-create.js';
import type { DaemonClient } from './daemon-client.js';
import { probeDaemon } from './daemon-client.js';

/** The daemon of this command, or undefined to work directly (05 §12). */
export function daemonFor(deps: CliDeps, flags: GlobalFlags): Promise<DaemonClient | undefined> {
  return probeDaemon({
    socket: flags.socket ?? deps.env['VORDR_SOCKET'],
    direct: flags.direct === true,
    storeRoot: storeRoot(deps, flags),
  });
}

/** The fields the Container object adds to the stored record (05 §12.2). */
const OBJECT_ONLY = ['status', 'networks', 'verification', 'backend', 'run'];

/** A Container object of the API back as the record the CLI formats from. */
export function recordOf(object: Record<string, unknown>): ContainerRecord {
  const record: Record<string, unknown> = { ...object };
  for (const key of OBJECT_ONLY) delete record[key];
  if (record['health'] === null) delete record['health'];
  return record as unknown as ContainerRecord;
}

export function refPath(ref: string): string {
  return `/v1/containers/${encodeURIComponent(ref)}`;
}

/** `GET /v1/containers`. */
export async function listViaDaemon(
  client: DaemonClient,
  all: boolean,
  filters: readonly string[],
): Promise<ContainerRecord[]> {
  const q = new URLSearchParams();
  if (all) q.set('all', '1');
  for (const f of filters) q.append('filter', f);
  const res = await client.json<{ containers: Record<string, unknown>[] }>(
    'GET',
    `/v1/containers?${q.toString()}`,
  );
  return res.containers.map(recordOf);
}

/** The log entries of `GET …/logs?format=ndjson` (the CLI prints them itself). */
export async function* logsViaDaemon(
  client: DaemonClient,
  ref: string,
  query: { follow: boolean; tail?: string; since?: string; until?: string },
  signal?: AbortSignal,
): AsyncGenerator<TimedLogEntry> {
  const q = new URLSearchParams({ format: 'ndjson' });
  if (query.follow) q.set('follow', '1');
  if (query.tail !== undefined) q.set('tail', query.tail);
  if (query.since !== undefined) q.set('since', query.since);
  if (query.until !== undefined) q.set('until', query.until);
  for await (const line of client.lines(`${refPath(ref)}/logs?${q.toString()}`, signal)) {
    if (line === '') continue;
    const entry = JSON.parse(line) as { stream: 'stdout' | 'stderr'; time: string; line: string };
    yield { ...entry, timeMs: Date.parse(entry.time) };
  }
}

/**
 * `run -d` flags as a ContainerCreate body, or undefined when a flag has no field there or
 * depends on the caller's files or working directory (then `run` works directly).
 */
export function createFromRunFlags(
  flags: RunFlags,
  image: string,
  command: readonly string[],
  callerEnv: Readonly<Record<string, string | undefined>>,
): ContainerCreate | undefined {
  const direct: readonly unknown[] = [
    flags.publish,
    flags.envFile,
    flags.networkAlias,
    flags.securityOpt,
    flags.selinuxContext,
    flags.requireSelinux,
    flags.trustStore,
    flags.now,
    flags.logQuorum,
    flags.thresholdGroup,
    flags.vulnDb,
    flags.requireVulnDb,
    flags.online,
    flags.pull,
    flags.interactive,
    flags.tty,
    flags.privileged,
    flags.userns,
    flags.pid,
    flags.ipc,
  ];
  if (direct.some((v) => v !== undefined) || flags.cache === false) return undefined;
  // Any other flag another change adds goes direct until it is mapped here.
  const known = new Set([
    'image',
    'detach',
    'rm',
    'name',
    'hostname',
    'label',
    'addHost',
    'tmpfs',
    'volume',
    'env',
    'network',
    'user',
    'workdir',
    'entrypoint',
    'readOnly',
    'readOnlyTmpfs',
    'capAdd',
    'capDrop',
    'egressAllow',
    'memory',
    'pidsLimit',
    'cpus',
    'ulimit',
    'stopTimeout',
    'restart',
    'verifyMode',
    'cache',
    'offline',
    'healthCmd',
    'healthInterval',
    'healthTimeout',
    'healthRetries',
    'healthStartPeriod',
    'healthOnFailure',
    'healthcheck',
    'json',
    'quiet',
    'root',
    'runtime',
    'socket',
    'direct',
    'verbose',
    'logLevel',
  ]);
  if (Object.keys(flags).some((k) => !known.has(k))) return undefined;
  if (image.endsWith('.ctp') || image.startsWith('oci:') || image.startsWith('/')) return undefined;
  const bool = (v: boolean | string | undefined): boolean | undefined | null =>
    v === undefined || typeof v === 'boolean'
      ? v
      : v === 'true'
        ? true
        : v === 'false'
          ? false
          : null;
  const readOnly = bool(flags.readOnly);
  const readOnlyTmpfs = bool(flags.readOnlyTmpfs);
  if (readOnly === null || readOnlyTmpfs === null) return undefined;
  const whole = (v: string | undefined): number | undefined | null =>
    v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : null;
  const pidsLimit = whole(flags.pidsLimit);
  const stopTimeout = whole(flags.stopTimeout);
  if (pidsLimit === null || stopTimeout === null) return undefined;

  const environment: Record<string, string> = {};
  for (const e of flags.env ?? []) {
    const eq = e.indexOf('=');
    if (eq < 0) {
      const value = callerEnv[e];
      if (value !== undefined) environment[e] = value;
    } else {
      environment[e.slice(0, eq)] = e.slice(eq + 1);
    }
  }
  const labels: Record<string, string> = {};
  for (const l of flags.label ?? []) {
    const eq = l.indexOf('=');
    if (eq <= 0) return undefined;
    labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  const volumes: Record<string, unknown>[] = [];
  for (const v of flags.volume ?? []) {
    const [source, target, opts, ...extra] = v.split(':');
    if (source === undefined || target === undefined || extra.length > 0) return undefined;
    volumes.push({ source, target, ...(opts !== undefined ? { options: opts.split(',') } : {}) });
  }
  for (const t of flags.tmpfs ?? []) {
    const colon = t.indexOf(':');
    volumes.push(
      colon < 0
        ? { type: 'tmpfs', target: t }
        : { type: 'tmpfs', target: t.slice(0, colon), options: [t.slice(colon + 1)] },
    );
  }
  const ulimits: Record<string, string> = {};
  for (const u of flags.ulimit ?? []) {
    const eq = u.indexOf('=');
    if (eq <= 0) return undefined;
    ulimits[u.slice(0, eq)] = u.slice(eq + 1);
  }
  let healthcheck: Record<string, unknown> | undefined;
  if (flags.healthcheck === false) {
    if (flags.healthCmd !== undefined) return undefined;
    healthcheck = { disable: true };
  } else {
    let test: string[] | undefined;
    if (flags.healthCmd !== undefined) {
      if (flags.healthCmd.trimStart().startsWith('[')) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(flags.healthCmd);
        } catch {
          return undefined;
        }
        if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === 'string')) return undefined;
        test = ['CMD', ...parsed];
      } else {
        test = ['CMD-SHELL', flags.healthCmd];
      }
    }
    const h = {
      ...(test !== undefined ? { test } : {}),
      ...(flags.healthInterval !== undefined ? { interval: flags.healthInterval } : {}),
      ...(flags.healthTimeout !== undefined ? { timeout: flags.healthTimeout } : {}),
      ...(flags.healthRetries !== undefined ? { retries: flags.healthRetries } : {}),
      ...(flags.healthStartPeriod !== undefined ? { startPeriod: flags.healthStartPeriod } : {}),
      ...(flags.healthOnFailure !== undefined ? { onFailure: flags.healthOnFailure } : {}),
    };
    if (Object.keys(h).length > 0) healthcheck = h;
  }
  let entrypoint: string[] | undefined;
  if (flags.entrypoint !== undefined) {
    if (flags.entrypoint === '') entrypoint = [];
    else if (flags.entrypoint.trimStart().startsWith('[')) return undefined;
    else entrypoint = [flags.entrypoint];
  }
  return {
    image,
    command: [...command],
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.hostname !== undefined ? { hostname: flags.hostname } : {}),
    ...(flags.env !== undefined ? { environment } : {}),
    ...(flags.label !== undefined ? { labels } : {}),
    ...(flags.addHost !== undefined ? { extraHosts: flags.addHost } : {}),
    ...(volumes.length > 0 ? { volumes } : {}),
    ...(flags.network !== undefined ? { networks: flags.network } : {}),
    ...(flags.user !== undefined ? { user: flags.user } : {}),
    ...(flags.workdir !== undefined ? { workdir: flags.workdir } : {}),
    ...(entrypoint !== undefined ? { entrypoint } : {}),
    ...(readOnly !== undefined ? { readOnly } : {}),
    ...(readOnlyTmpfs !== undefined ? { readOnlyTmpfs } : {}),
    ...(flags.capAdd !== undefined ? { capAdd: flags.capAdd } : {}),
    ...(flags.capDrop !== undefined ? { capDrop: flags.capDrop } : {}),
    ...(flags.egressAllow !== undefined ? { egressAllow: flags.egressAllow } : {}),
    ...(flags.memory !== undefined ? { memory: flags.memory } : {}),
    ...(flags.cpus !== undefined ? { cpus: flags.cpus } : {}),
    ...(pidsLimit !== undefined ? { pidsLimit } : {}),
    ...(flags.ulimit !== undefined ? { ulimits } : {}),
    ...(stopTimeout !== undefined ? { stopTimeout } : {}),
    ...(flags.restart !== undefined ? { restart: flags.restart } : {}),
    ...(healthcheck !== undefined ? { healthcheck } : {}),
    ...(flags.verifyMode !== undefined ? { verifyMode: flags.verifyMode } : {}),
    ...(flags.rm === true ? { remove: true } : {}),
  };
}

/** `details.run` of a daemon error: what `run`/`start` printed before it, and its exit code. */
export function runDetails(err: unknown): {
  stderr: string;
  error?: string;
  json?: unknown;
  exitCode?: number;
} {
  if (!(err instanceof VcError) || err.details === undefined) return { stderr: '' };
  const run = (err.details['run'] ?? {}) as { stderr?: string; error?: string; json?: unknown };
  const exitCode = err.details['exitCode'];
  return {
    stderr: run.stderr ?? '',
    ...(run.error !== undefined ? { error: run.error } : {}),
    ...(run.json !== undefined ? { json: run.json } : {}),
    ...(typeof exitCode === 'number' ? { exitCode } : {}),
  };
}
