// SPDX-License-Identifier: Apache-2.0
// `[runtime.volumes]` the run did not mount (05 §4.5): anonymous volumes or tmpfs.
import type { RuntimeProfile } from '@verified-container/shared/generate';
import { parseSize } from '../profile/size.js';
import {
  DEFAULT_TMPFS_SIZE,
  normalizeContainerPath,
  type TmpfsSpec,
} from '../profile/tmpfs-flag.js';

export interface AnonymousVolume {
  /** `<id12>-<key>`. */
  readonly name: string;
  readonly key: string;
  readonly destination: string;
  readonly readonly: boolean;
  /** `persistent`: kept until `rm -v`; otherwise removed with the container. */
  readonly persistent: boolean;
}

export interface RuntimeVolumePlan {
  readonly anonymous: AnonymousVolume[];
  readonly tmpfs: TmpfsSpec[];
}

/**
 * What the signed `[runtime.volumes]` need beyond the run's own mounts (`mounted` = their
 * destinations): a volume the run already mounts at that path is left alone.
 */
export function planRuntimeVolumes(
  runtime: Pick<RuntimeProfile, 'volumes'>,
  mounted: readonly string[],
  containerId: string,
): RuntimeVolumePlan {
  const taken = new Set(mounted.map((m) => normalizeContainerPath(m, 'mount')));
  const anonymous: AnonymousVolume[] = [];
  const tmpfs: TmpfsSpec[] = [];
  for (const [key, volume] of Object.entries(runtime.volumes).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    const destination = normalizeContainerPath(volume.mount, `[runtime.volumes] ${key}`);
    if (taken.has(destination)) continue;
    if (volume.type === 'tmpfs') {
      tmpfs.push({
        destination,
        size:
          volume.size !== undefined ? parseSize(volume.size, `volume ${key}`) : DEFAULT_TMPFS_SIZE,
        flags: [volume.readonly ? 'ro' : 'rw', 'nosuid', 'nodev', 'noexec'],
      });
      continue;
    }
    anonymous.push({
      name: `${containerId.slice(0, 12)}-${key}`,
      key,
      destination,
      readonly: volume.readonly,
      persistent: volume.type === 'persistent',
    });
  }
  return { anonymous, tmpfs };
}
