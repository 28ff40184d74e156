// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { putContent } from './content-io.js';
import { isADirectory, parseMode } from './rootfs.js';
import type { StepEnv, StepOf } from './step-context.js';

/** `write-file`: exactly the given bytes (no newline added); replaces a file, refuses a directory. */
export async function runWriteFile(step: StepOf<'write-file'>, env: StepEnv): Promise<void> {
  const { rootfs } = env;
  const bytes = contentOf(step);
  const canonical = rootfs.resolve(step.path);
  if (rootfs.get(canonical)?.type === 'd') throw isADirectory(step.path);
  const stored = await putContent(rootfs.content, bytes);
  rootfs.writeFile(canonical, stored, { mode: parseMode(step.mode) });
}

function contentOf(step: StepOf<'write-file'>): Uint8Array {
  if (step.content !== undefined) return new Uint8Array(Buffer.from(step.content, 'utf8'));
  if (step.contentBase64 !== undefined) {
    return new Uint8Array(Buffer.from(step.contentBase64, 'base64'));
  }
  throw new VcError('MANIFEST_MISSING_FIELD', 'write-file needs content or content-base64');
}
