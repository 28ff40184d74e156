// SPDX-License-Identifier: Apache-2.0
export type { FileType, FileEntry, FileIntegrityRow } from './file-entry.js';
export { compareByPathBytes, formatMode, fileIntegrityRow } from './file-entry.js';
export type { LockedPackage, InstalledPackage } from './debian-package.js';
export { encodePurlComponent, debianPurl } from './debian-package.js';
export type { PackageLimits, PackageEntryType, PackageEntry, PackageStep } from './ctp-package.js';
export {
  PACKAGE_MANIFEST_PATH,
  BUNDLE_PATH,
  PACKAGE_LAYOUT_DIR,
  DEFAULT_PACKAGE_LIMITS,
  KNOWN_PACKAGE_FILES,
  PackageMemberTable,
  memberParts,
  resolvesInside,
  malformedPackage,
} from './ctp-package.js';
