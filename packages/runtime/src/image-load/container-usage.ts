// SPDX-License-Identifier: Apache-2.0
// What `image rm` and `volume rm` need to know about containers: which ones use an image or a
// volume. Container records belong to the lifecycle; this reads only the fields named below.
import { ContainerRecords } from '../store/container-records.js';
import type { ContainerHandle } from '../store/container-reference.js';

/** The fields of a container record that say what it uses (any may be absent). */
export interface UsageRecord extends ContainerHandle {
  /** The image manifest digest the container runs. */
  readonly imageDigest?: string;
  readonly image?: string | { readonly digest?: string };
  /** Mounts; a named volume is `{type: "volume", source|name: <volume name>}`. */
  readonly mounts?: readonly {
    readonly type?: string;
    readonly source?: string;
    readonly name?: string;
  }[];
  /** Volume names the container mounts. */
  readonly volumes?: readonly (string | { readonly name?: string })[];
}

/** The image digest a record names, if any. Pure. */
export function imageDigestOf(record: UsageRecord): string | undefined {
  if (typeof record.imageDigest === 'string') return record.imageDigest;
  if (typeof record.image === 'object' && typeof record.image.digest === 'string') {
    return record.image.digest;
  }
  return undefined;
}

/** The volume names a record mounts. Pure. */
export function volumeNamesOf(record: UsageRecord): string[] {
  const names = new Set<string>();
  for (const v of record.volumes ?? []) {
    if (typeof v === 'string') names.add(v);
    else if (typeof v?.name === 'string') names.add(v.name);
  }
  for (const m of record.mounts ?? []) {
    if (m?.type !== 'volume') continue;
    const name = m.name ?? m.source;
    if (typeof name === 'string') names.add(name);
  }
  return [...names];
}

/** Every container record of the store (as far as usage goes). */
export async function readUsageRecords(root: string): Promise<UsageRecord[]> {
  return new ContainerRecords<UsageRecord>(root).list();
}
