// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';

/** `vordr/networks/<name>.json` (05 §13). */
export interface NetworkRecord {
  /** 64 lowercase hex. */
  readonly id: string;
  readonly name: string;
  /** The Linux bridge: `vordr0` for the default network of the default store, else `vc-<10 hex>`. */
  readonly bridge: string;
  /** Canonical IPv4 CIDR (`10.89.1.0/24`). */
  readonly subnet: string;
  readonly gateway: string;
  readonly internal: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly createdAt: string;
  /** Leased address → container id. */
  leases: Record<string, string>;
}

/** Parses a network file; anything else → STATE_CORRUPT naming `path`. Pure. */
export function parseNetworkRecord(text: string, path: string): NetworkRecord {
  let v: Partial<NetworkRecord>;
  try {
    v = JSON.parse(text) as Partial<NetworkRecord>;
  } catch (cause) {
    throw new VcError('STATE_CORRUPT', `${path} is not valid JSON`, { cause });
  }
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.id !== 'string' ||
    typeof v.name !== 'string' ||
    typeof v.bridge !== 'string' ||
    typeof v.subnet !== 'string' ||
    typeof v.gateway !== 'string' ||
    typeof v.internal !== 'boolean'
  ) {
    throw new VcError('STATE_CORRUPT', `${path} is not a valid network record`);
  }
  const strings = (o: unknown): Record<string, string> => {
    const out: Record<string, string> = {};
    if (typeof o === 'object' && o !== null) {
      for (const [k, val] of Object.entries(o)) if (typeof val === 'string') out[k] = val;
    }
    return out;
  };
  return {
    id: v.id,
    name: v.name,
    bridge: v.bridge,
    subnet: v.subnet,
    gateway: v.gateway,
    internal: v.internal,
    labels: strings(v.labels),
    createdAt: typeof v.createdAt === 'string' ? v.createdAt : '',
    leases: strings(v.leases),
  };
}
