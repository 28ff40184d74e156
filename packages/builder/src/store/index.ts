// SPDX-License-Identifier: Apache-2.0
export type { BlobSource, ContentAddressedTarget, ExpectedContent } from './content-addressed.js';
export { writeContentAddressed } from './content-addressed.js';
export type { LockOwner, LockOptions, HeldLock } from './locks.js';
export { acquireLock, withLock, DEFAULT_LOCK_TIMEOUT_MS } from './locks.js';
export type { ProcessProbe } from './process-start-time.js';
export { probeProcess, parseStartTime } from './process-start-time.js';
export type { ImageReference } from './image-reference.js';
export { parseImageReference, refName, DEFAULT_TAG } from './image-reference.js';
export type { OciLayoutStoreOptions, TaggedImage, BlobReader } from './oci-layout-store.js';
export { OciLayoutStore } from './oci-layout-store.js';
export type { LayoutImage } from './oci-layout-writer.js';
export { writeOciLayout } from './oci-layout-writer.js';
export { OCI_LAYOUT_JSON } from './oci-index.js';
