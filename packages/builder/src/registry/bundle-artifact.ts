// SPDX-License-Identifier: Apache-2.0
// Where the attestation bundle artifact (image-arg/bundle-artifact.ts) goes in a registry without
// the referrers API (01 §8 `push`).

/** The fallback tag of a registry without referrers API: `sha256-<image hex>.att`. */
export function attachmentTag(imageDigest: string): string {
  return `${imageDigest.replace(':', '-')}.att`;
}
