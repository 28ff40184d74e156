// SPDX-License-Identifier: Apache-2.0
export type { LayerMember } from './layer-member.js';
export {
  classifyLayerMember,
  WHITEOUT_PREFIX,
  OPAQUE_WHITEOUT,
  OVERLAY_OPAQUE_XATTR,
} from './layer-member.js';
export type { SpecialFiles } from './special-files.js';
export { HostSpecialFiles } from './special-files.js';
export type { UnpackLayerOptions } from './unpack-layer.js';
export { unpackLayer } from './unpack-layer.js';
export type { OverlayLayout } from './overlay-mount.js';
export {
  overlayOptions,
  tryMountOverlay,
  isMountPoint,
  parseMountPoints,
  unmount,
  MAX_MOUNT_OPTIONS,
} from './overlay-mount.js';
export { copyLayers } from './copy-layers.js';
export type { RootfsMode, PrepareRootfsOptions, PreparedRootfs } from './container-rootfs.js';
export {
  prepareContainerRootfs,
  releaseContainerRootfs,
  probeRootfsMode,
} from './container-rootfs.js';
export { resolveInRootfsSync } from './resolve-path.js';
