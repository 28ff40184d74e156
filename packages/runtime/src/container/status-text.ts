// SPDX-License-Identifier: Apache-2.0
import type { ContainerRecord } from './record.js';

/** A duration as docker prints it: "Less than a second", "5 seconds", "About a minute", "3 hours". */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  const days = Math.floor(hours / 24);
  if (days < 14) return `${days} days`;
  if (days < 60) return `${Math.floor(days / 7)} weeks`;
  if (days < 730) return `${Math.floor(days / 30)} months`;
  return `${Math.floor(days / 365)} years`;
}

/**
 * `ps`'s STATUS column: "Up 5 minutes", "Up 5 minutes (healthy)", "Up 3 seconds (health:
 * starting)", "Restarting (1) 5 seconds ago", "Exited (0) 2 minutes ago", "Created", "Dead".
 */
export function statusText(
  record: Pick<ContainerRecord, 'state' | 'startedAt' | 'finishedAt' | 'exitCode'> &
    Partial<Pick<ContainerRecord, 'health' | 'healthcheck'>>,
  nowMs: number,
): string {
  const since = (iso: string | undefined) =>
    iso === undefined ? undefined : humanDuration(nowMs - Date.parse(iso));
  switch (record.state) {
    case 'creating':
    case 'created':
      return 'Created';
    case 'running':
      return `Up ${since(record.startedAt) ?? 'Less than a second'}${healthSuffix(record)}`;
    case 'restarting': {
      const code =
        record.exitCode === null || record.exitCode === undefined ? '?' : record.exitCode;
      const ago = since(record.finishedAt);
      return ago === undefined ? `Restarting (${code})` : `Restarting (${code}) ${ago} ago`;
    }
    case 'exited': {
      const code =
        record.exitCode === null || record.exitCode === undefined ? '?' : record.exitCode;
      const ago = since(record.finishedAt);
      return ago === undefined ? `Exited (${code})` : `Exited (${code}) ${ago} ago`;
    }
    case 'dead':
      return 'Dead';
    case 'removing':
      return 'Removal In Progress';
  }
}

/** " (healthy)", " (unhealthy)", " (health: starting)"; empty without a healthcheck. */
function healthSuffix(record: Partial<Pick<ContainerRecord, 'health' | 'healthcheck'>>): string {
  if (record.healthcheck === undefined) return '';
  const status = record.health?.status ?? 'starting';
  return status === 'starting' ? ' (health: starting)' : ` (${status})`;
}
