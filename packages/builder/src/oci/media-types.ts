// SPDX-License-Identifier: Apache-2.0
// Moved to @verified-container/shared/oci (the runtime reads the same layouts).
export type { Descriptor } from '@verified-container/shared/oci';
export {
  MANIFEST_MEDIA_TYPE,
  INDEX_MEDIA_TYPE,
  CONFIG_MEDIA_TYPE,
  LAYER_MEDIA_TYPE,
  REF_NAME_ANNOTATION,
  toOciMediaType,
  EMPTY_MEDIA_TYPE,
  EMPTY_BLOB,
  EMPTY_DESCRIPTOR,
} from '@verified-container/shared/oci';
