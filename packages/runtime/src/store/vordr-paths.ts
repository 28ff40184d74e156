// SPDX-License-Identifier: Apache-2.0
import { join } from 'node:path';

/** vordr's part of the store (00 §4, 05 §13); every path is absolute when `root` is. */
export interface VordrPaths {
  readonly root: string;
  readonly images: string;
  readonly bundles: string;
  readonly locks: string;
  /** `cache/layers/`: one directory per unpacked layer, named by its diff id's hex. */
  readonly layers: string;
  readonly vordr: string;
  readonly containers: string;
  readonly volumes: string;
  readonly networks: string;
  /** `vordr/run/`: boot-id, runc state, exit files, pid files. */
  readonly run: string;
  readonly events: string;
}

/** The paths of a container's directory (05 §13). */
export interface ContainerPaths {
  readonly dir: string;
  readonly record: string;
  readonly bundle: string;
  readonly config: string;
  readonly rootfs: string;
  readonly overlay: string;
  readonly upper: string;
  readonly work: string;
  readonly log: string;
}

export function vordrPaths(root: string): VordrPaths {
  const vordr = join(root, 'vordr');
  return {
    root,
    images: join(root, 'images'),
    bundles: join(root, 'bundles'),
    locks: join(root, 'locks'),
    layers: join(root, 'cache', 'layers'),
    vordr,
    containers: join(vordr, 'containers'),
    volumes: join(vordr, 'volumes'),
    networks: join(vordr, 'networks'),
    run: join(vordr, 'run'),
    events: join(vordr, 'events.jsonl'),
  };
}

export function containerPaths(root: string, id: string): ContainerPaths {
  const dir = join(vordrPaths(root).containers, id);
  const overlay = join(dir, 'overlay');
  return {
    dir,
    record: join(dir, 'container.json'),
    bundle: join(dir, 'bundle'),
    config: join(dir, 'bundle', 'config.json'),
    rootfs: join(dir, 'rootfs'),
    overlay,
    upper: join(overlay, 'upper'),
    work: join(overlay, 'work'),
    log: join(dir, 'ctr.log'),
  };
}

/** The directory of an unpacked layer: `cache/layers/<diffid-hex>`. */
export function layerPath(root: string, diffId: string): string {
  return join(vordrPaths(root).layers, diffIdHex(diffId));
}

/** The hex of a `sha256:` diff id; anything else could name a path outside the cache. */
export function diffIdHex(diffId: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(diffId);
  if (match === null) throw new Error(`not a sha256 diff id: ${JSON.stringify(diffId)}`);
  return match[1]!;
}
