// SPDX-License-Identifier: Apache-2.0
// Moved to @verified-container/shared/oci (the runtime parses the same documents).
export type {
  Platform,
  ImageManifest,
  IndexEntry,
  ImageIndex,
  ImageDocument,
} from '@verified-container/shared/oci';
export {
  MAX_MANIFEST_BYTES,
  parseImageDocument,
  selectPlatform,
  formatPlatform,
} from '@verified-container/shared/oci';
