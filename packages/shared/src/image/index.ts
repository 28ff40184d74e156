// SPDX-License-Identifier: Apache-2.0
export type { FileType, FileEntry, FileIntegrityRow } from './file-entry.js';
export { compareByPathBytes, formatMode, fileIntegrityRow } from './file-entry.js';
export type { LockedPackage, InstalledPackage } from './debian-package.js';
export { encodePurlComponent, debianPurl } from './debian-package.js';
