// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';

/** What the lifecycle needs of named volumes (05 §9); the volume module provides it. */
export interface VolumePort {
  /** The host directory (`_data`) of a named volume, created when missing. */
  ensure(name: string, labels?: Readonly<Record<string, string>>): Promise<string>;
  /** Removes a volume (missing: nothing to do). */
  remove(name: string): Promise<void>;
}

/** Stands in while the volume module is not wired: named volumes are UNSUPPORTED. */
export const noVolumes: VolumePort = {
  ensure(name) {
    return Promise.reject(
      new VcError(
        'UNSUPPORTED',
        `named volume ${JSON.stringify(name)}: named volumes are not available yet`,
        {
          hint: 'mount a host directory with -v /absolute/path:/dest',
        },
      ),
    );
  },
  remove() {
    return Promise.resolve();
  },
};
