// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import type { ImageSummary } from '../image/list-images.js';

export interface ImageTableOptions {
  /** `--digests`: the full `sha256:<hex>` instead of its first 12 hex digits. */
  readonly digests?: boolean;
  readonly now: Date;
}

/** The `image ls` table (05 §10.1): `REPOSITORY  TAG  DIGEST  CREATED  SIZE  SIGNED`. Pure. */
export function formatImageTable(rows: readonly ImageSummary[], opts: ImageTableOptions): string {
  const header = ['REPOSITORY', 'TAG', 'DIGEST', 'CREATED', 'SIZE', 'SIGNED'];
  const body = rows.map((r) => [
    r.name,
    r.tag,
    opts.digests === true ? r.digest : shortDigest(r.digest),
    r.created !== undefined ? ago(r.created, opts.now) : '–',
    humanSize(r.size),
    r.signed ? 'yes' : 'no',
  ]);
  return alignColumns([header, ...body]);
}

/** `image ls -q`: one short digest per image, each once, in table order. Pure. */
export function formatImageIds(rows: readonly ImageSummary[], digests = false): string {
  const ids = [...new Set(rows.map((r) => (digests ? r.digest : shortDigest(r.digest))))];
  return ids.map((id) => `${id}\n`).join('');
}

/**
 * `--format`: `table`, `json` (one array) or a template where `{{.Repository}}`, `{{.Tag}}`,
 * `{{.Digest}}`, `{{.Created}}`, `{{.Size}}`, `{{.Signed}}` are replaced (one line per row);
 * an unknown field → USAGE. Pure.
 */
export function formatImages(
  rows: readonly ImageSummary[],
  format: string,
  opts: ImageTableOptions,
): string {
  if (format === 'table') return formatImageTable(rows, opts);
  if (format === 'json') return `${JSON.stringify(rows)}\n`;
  return rows
    .map((r) => {
      const fields: Record<string, string> = {
        Repository: r.name,
        Tag: r.tag,
        Digest: r.digest,
        Created: r.created ?? '',
        Size: String(r.size),
        Signed: String(r.signed),
      };
      return `${format.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_m, field: string) => {
        const value = fields[field];
        if (value === undefined) {
          throw new VcError('USAGE', `unknown --format field .${field}`, {
            hint: `fields: ${Object.keys(fields).join(', ')}`,
          });
        }
        return value;
      })}\n`;
    })
    .join('');
}

/** The first 12 hex digits of a `sha256:` digest. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** Sizes as docker prints them: SI units, three significant digits (`12.3MB`). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const text = unit === 0 ? String(value) : value.toPrecision(3).replace(/\.?0+$/, '');
  return `${text}${units[unit]}`;
}

/** `3 days ago`, `About an hour ago`, `Less than a second ago`; an unparsable time as given. */
export function ago(time: string, now: Date): string {
  const then = Date.parse(time);
  if (Number.isNaN(then)) return time;
  const seconds = Math.floor((now.getTime() - then) / 1000);
  if (seconds < 1) return 'Less than a second ago';
  const steps: [number, string][] = [
    [365 * 86400, 'year'],
    [30 * 86400, 'month'],
    [7 * 86400, 'week'],
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, word] of steps) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return `${n} ${word}${n === 1 ? '' : 's'} ago`;
  }
  return 'Less than a second ago';
}

/** Left-aligned columns separated by three spaces, no trailing spaces. Pure. */
export function alignColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  }
  return rows
    .map(
      (row) =>
        `${row
          .map((cell, i) =>
            i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! + 3 - [...cell].length),
          )
          .join('')
          .trimEnd()}\n`,
    )
    .join('');
}
