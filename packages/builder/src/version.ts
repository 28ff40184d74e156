// SPDX-License-Identifier: Apache-2.0

/** The builder's version; a test keeps it equal to package.json. */
export const BUILDER_VERSION = '0.1.0';
/** The attestation bundle format version we write (02 §11). */
export const BUNDLE_VERSION = '0.1.0';
