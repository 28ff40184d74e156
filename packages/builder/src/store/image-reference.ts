// SPDX-License-Identifier: Apache-2.0
// Moved to @verified-container/shared/oci (the runtime parses the same references).
export type { ImageReference } from '@verified-container/shared/oci';
export {
  DEFAULT_TAG,
  parseImageReference,
  refName,
  parseTaggedName,
} from '@verified-container/shared/oci';
