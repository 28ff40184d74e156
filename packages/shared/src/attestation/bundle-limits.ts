// SPDX-License-Identifier: Apache-2.0
// Apart from bundle.ts so that a CLI can bound the file it reads without loading the parser.

/** Largest bundle file a reader accepts (04 §3 step 3): 64 MiB. */
export const BUNDLE_MAX_BYTES = 64 * 1024 * 1024;
