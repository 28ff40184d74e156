// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { digestOf, hashMismatch, parseHash } from './content-io.js';
import type { StepEnv, StepOf } from './step-context.js';

/** `verify-hash`: sha256 or sha512 of the rootfs file; mismatch → BUILD_HASH_MISMATCH. */
export async function runVerifyHash(step: StepOf<'verify-hash'>, env: StepEnv): Promise<void> {
  const { rootfs } = env;
  const entry = rootfs.lookup(step.file);
  if (entry?.type !== 'f') {
    throw new VcError('BUILD_STEP_FAILED', `${step.file} is not a regular file in the rootfs`);
  }
  const expected = parseHash(step.hash);
  const actual = await digestOf(rootfs.content, entry.digest, expected.algorithm);
  if (actual !== expected.hex) throw hashMismatch(step.file, expected, actual);
}
