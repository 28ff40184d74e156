// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { alignColumns } from '../image-load/format-images.js';
import type { VolumeRecord } from './volume-record.js';

/**
 * `volume ls` (05 §3): `table` (`DRIVER  VOLUME NAME`, as docker and podman print it), `json`
 * (one array of records) or a template with `{{.Name}}`, `{{.Driver}}`, `{{.Mountpoint}}`,
 * `{{.CreatedAt}}`, `{{.Labels}}` (one line per volume). `quiet`: names only. Pure.
 */
export function formatVolumes(
  volumes: readonly VolumeRecord[],
  opts: { readonly format?: string; readonly quiet?: boolean } = {},
): string {
  if (opts.quiet === true) return volumes.map((v) => `${v.name}\n`).join('');
  const format = opts.format ?? 'table';
  if (format === 'table') {
    return alignColumns([['DRIVER', 'VOLUME NAME'], ...volumes.map((v) => [v.driver, v.name])]);
  }
  if (format === 'json') return `${JSON.stringify(volumes)}\n`;
  return volumes
    .map((v) => {
      const fields: Record<string, string> = {
        Name: v.name,
        Driver: v.driver,
        Mountpoint: v.mountpoint,
        CreatedAt: v.createdAt,
        Labels: Object.entries(v.labels)
          .map(([k, val]) => `${k}=${val}`)
          .join(','),
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
