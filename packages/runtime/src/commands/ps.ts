// SPDX-License-Identifier: Apache-2.0
import { Option, type Command } from 'commander';
import { VcError } from '@verified-container/shared';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import type { ContainerRecord } from '../container/index.js';
import { humanDuration, statusText } from '../container/index.js';
import { networksJson } from '../network/index.js';
import { shortId } from '../store/index.js';
import { daemonFor, listViaDaemon } from '../client/cli-daemon.js';
import { listContainers } from '../service/containers.js';
import { portsCell } from './ports-text.js';
import { contextFor } from './support.js';

interface PsFlags {
  all?: boolean;
  quiet?: boolean;
  format?: 'table' | 'json';
  noTrunc?: boolean;
  filter?: string[];
}

/** The widest COMMAND cell before `--no-trunc` is needed. */
const COMMAND_WIDTH = 20;

export function makePsCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('ps', 'list containers', ['quiet'])
    .option('-a, --all', 'also the ones that are not running')
    .option('-q, --quiet', 'only the ids')
    .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']))
    .option(
      '--filter <k=v>',
      'id=, name=, status=, label=K[=V], health=, network= (repeatable, all must match)',
      (v: string, p: string[] = []) => [...p, v],
    )
    .option('--no-trunc', 'full ids and commands')
    .action(
      action<[], PsFlags>(box, async (_args, flags) => {
        const daemon = await daemonFor(deps, flags);
        const records =
          daemon !== undefined
            ? await listViaDaemon(daemon, flags.all === true, flags.filter ?? [])
            : await listContainers(contextFor(deps, flags), {
                all: flags.all === true,
                filters: flags.filter ?? [],
              });
        const nowMs = deps.clock.now().getTime();
        // commander stores `--no-trunc` as `trunc: false`.
        const full = flags.noTrunc === true || (flags as { trunc?: boolean }).trunc === false;
        if (flags.quiet === true) {
          return {
            exitCode: 0,
            stdout: records.map((r) => `${full ? r.id : shortId(r.id)}\n`).join(''),
          };
        }
        if (flags.format === 'json' || flags.json === true) {
          return { exitCode: 0, stdout: jsonLine(records.map((r) => psJson(r, nowMs))) };
        }
        return { exitCode: 0, stdout: psTable(records, nowMs, full) };
      }),
    );
}

/** The keys of `ps --filter` (05 §7, and docker's `id=`). */
export const PS_FILTER_KEYS = ['id', 'name', 'status', 'label', 'network', 'health'] as const;

/** `USAGE` for a filter `ps` does not know, as docker's `invalid filter`. */
export function assertPsFilters(filters: readonly string[]): void {
  for (const f of filters) {
    const eq = f.indexOf('=');
    const key = eq < 0 ? f : f.slice(0, eq);
    if (eq < 0 || !(PS_FILTER_KEYS as readonly string[]).includes(key)) {
      throw new VcError('USAGE', `invalid filter "${f}"`, {
        hint: `use KEY=VALUE with KEY one of ${PS_FILTER_KEYS.join(', ')}`,
      });
    }
  }
}

/** `--filter id=|name=|status=|label=K[=V]|network=|health=`: all must match. */
export function matchesFilters(record: ContainerRecord, filters: readonly string[]): boolean {
  return filters.every((f) => {
    const eq = f.indexOf('=');
    const key = eq < 0 ? f : f.slice(0, eq);
    const value = eq < 0 ? '' : f.slice(eq + 1);
    switch (key) {
      case 'id':
        return record.id.startsWith(value);
      case 'name':
        return record.name.includes(value);
      case 'status':
        return record.state === value;
      case 'network':
        return (record.networkAttachments ?? []).some((n) => n.network === value);
      case 'label': {
        const leq = value.indexOf('=');
        const k = leq < 0 ? value : value.slice(0, leq);
        if (!(k in record.labels)) return false;
        return leq < 0 || record.labels[k] === value.slice(leq + 1);
      }
      case 'health':
        // starting, healthy, unhealthy; `none` for a container without a healthcheck.
        return record.healthcheck === undefined
          ? value === 'none'
          : (record.health?.status ?? 'starting') === value;
      default:
        return false;
    }
  });
}

/** One container of `ps --format json`. */
export function psJson(r: ContainerRecord, nowMs: number) {
  return {
    id: r.id,
    name: r.name,
    image: r.image,
    imageDigest: r.imageDigest,
    command: r.command,
    createdAt: r.createdAt,
    state: r.state,
    status: statusText(r, nowMs),
    ...(r.startedAt !== undefined ? { startedAt: r.startedAt } : {}),
    ...(r.finishedAt !== undefined ? { finishedAt: r.finishedAt } : {}),
    ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
    decision: r.decision,
    deviations: r.deviations,
    labels: r.labels,
    backend: r.backend ?? 'runc',
    ...(r.healthcheck !== undefined
      ? {
          health: {
            status: r.health?.status ?? 'starting',
            failingStreak: r.health?.failingStreak ?? 0,
          },
        }
      : {}),
    restartCount: r.restartCount ?? 0,
    networks: networksJson(r.networkAttachments),
    ports: r.ports ?? [],
  };
}

/** The `ps` table: CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES. */
export function psTable(records: readonly ContainerRecord[], nowMs: number, full: boolean): string {
  const quote = (args: readonly string[]): string => {
    const text = args.join(' ');
    return full || text.length <= COMMAND_WIDTH
      ? `"${text}"`
      : `"${text.slice(0, COMMAND_WIDTH - 1)}…"`;
  };
  const rows = [
    ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES', 'VERIFIED'],
    ...records.map((r) => [
      full ? r.id : shortId(r.id),
      r.image,
      quote(r.command),
      `${statusAgo(r.createdAt, nowMs)}`,
      statusText(r, nowMs),
      // docker's PORTS: only a running container's published ports.
      r.state === 'running' ? portsCell(r.ports ?? []) : '',
      r.name,
      // The decision the image was admitted with (05 §7): ALLOW, WARN or LOG.
      r.decision,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join(''),
    )
    .map((line) => `${line}\n`)
    .join('');
}

function statusAgo(iso: string, nowMs: number): string {
  return `${humanDuration(nowMs - Date.parse(iso))} ago`;
}
