// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';

/** `vordr/volumes/<name>/volume.json` (05 §13). */
export interface VolumeRecord {
  readonly name: string;
  readonly driver: 'local';
  /** `vordr/volumes/<name>/_data`. */
  readonly mountpoint: string;
  /** RFC 3339 UTC. */
  readonly createdAt: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Created for a container's `[runtime.volumes]` entry rather than by name. */
  readonly anonymous: boolean;
  /**
   * Whether the volume has been mounted (and copied up, 05 §10.2) once; only a volume that has
   * not can receive the image's content.
   */
  readonly initialized: boolean;
}

/** Parses volume.json text; anything else → STATE_CORRUPT naming `path`. Pure. */
export function parseVolumeRecord(text: string, path: string): VolumeRecord {
  let v: Partial<VolumeRecord>;
  try {
    v = JSON.parse(text) as Partial<VolumeRecord>;
  } catch (cause) {
    throw new VcError('STATE_CORRUPT', `${path} is not valid JSON`, { cause });
  }
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.name !== 'string' ||
    typeof v.mountpoint !== 'string' ||
    typeof v.createdAt !== 'string'
  ) {
    throw new VcError('STATE_CORRUPT', `${path} is not a valid volume record`);
  }
  const labels: Record<string, string> = {};
  if (typeof v.labels === 'object' && v.labels !== null) {
    for (const [k, value] of Object.entries(v.labels)) {
      if (typeof value === 'string') labels[k] = value;
    }
  }
  return {
    name: v.name,
    driver: 'local',
    mountpoint: v.mountpoint,
    createdAt: v.createdAt,
    labels,
    anonymous: v.anonymous === true,
    initialized: v.initialized === true,
  };
}

/** `--label K=V` flags as a map; a flag without `=` is `K` with the empty value. Pure. */
export function parseLabels(flags: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const key = eq < 0 ? flag : flag.slice(0, eq);
    if (key === '') throw new VcError('USAGE', `invalid label ${JSON.stringify(flag)}`);
    labels[key] = eq < 0 ? '' : flag.slice(eq + 1);
  }
  return labels;
}
