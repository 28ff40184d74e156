// SPDX-License-Identifier: Apache-2.0
// Named volumes (05 §10.2, §13): `vordr/volumes/<name>/{volume.json,_data}`.
export type { VolumeRecord } from './volume-record.js';
export { parseVolumeRecord, parseLabels } from './volume-record.js';
export type { VolumePaths, CreateVolumeOptions } from './volume-store.js';
export {
  volumePaths,
  createVolume,
  readVolume,
  getVolume,
  listVolumes,
  volumeUsers,
  removeVolumes,
  writeVolumeRecord,
} from './volume-store.js';
export type { PrepareVolumeMountOptions, PreparedVolumeMount } from './prepare-mount.js';
export { prepareVolumeMount } from './prepare-mount.js';
export { resolveInRootfs } from './rootfs-path.js';
export { importVolume, exportVolume } from './volume-archive.js';
export { formatVolumes } from './format-volumes.js';
export { writeStreamAtomic } from './write-stream-atomic.js';
