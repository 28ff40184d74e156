// SPDX-License-Identifier: Apache-2.0
// Moved to @verified-container/host (vordr's pulls write blobs the same way).
export type { BlobSource, ContentAddressedTarget, ExpectedContent } from '@verified-container/host';
export { syncPath, writeContentAddressed } from '@verified-container/host';
