// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';

/** One volume the container mounts (a `-v name:/dest` or an anonymous `[runtime.volumes]` one). */
export interface VolumeRequest {
  readonly name: string;
  /** The container's mounted root filesystem: a new, empty volume receives its content there. */
  readonly rootfs: string;
  readonly destination: string;
  /** `nocopy`: never copy the image's content in. */
  readonly nocopy?: boolean;
  /** Made for `[runtime.volumes]`, owned by the container. */
  readonly anonymous?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
}

/** What the lifecycle needs of named volumes (05 §10.2); the volume module provides it. */
export interface VolumePort {
  /** The host directory (`_data`) to bind-mount: created when missing, filled from the image once. */
  ensure(request: VolumeRequest): Promise<string>;
  /** Removes a volume (missing: nothing to do). */
  remove(name: string): Promise<void>;
}

/** For tests of the lifecycle without volumes: named volumes are UNSUPPORTED. */
export const noVolumes: VolumePort = {
  ensure(request) {
    return Promise.reject(
      new VcError('UNSUPPORTED', `named volume ${JSON.stringify(request.name)}: no volume store`, {
        hint: 'mount a host directory with -v /absolute/path:/dest',
      }),
    );
  },
  remove() {
    return Promise.resolve();
  },
};
