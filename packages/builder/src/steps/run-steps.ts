// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import type { ManifestStep } from '@verified-container/shared/manifest';
import { runChmod } from './chmod-step.js';
import { runChown } from './chown-step.js';
import { runComposerRequire } from './composer-require-step.js';
import { ContextDir } from './context-dir.js';
import { runCopy } from './copy-step.js';
import { runExtract } from './extract-step.js';
import { runFetch, type FetchExpectation } from './fetch-step.js';
import { runGroup } from './group-step.js';
import { runMkdir } from './mkdir-step.js';
import type { StepContext, StepEnv } from './step-context.js';
import { runSymlink } from './symlink-step.js';
import { runUser } from './user-step.js';
import { runVerifyHash } from './verify-hash-step.js';
import { runWriteFile } from './write-file-step.js';

/**
 * Runs the build steps in order on `ctx.rootfs` (01 §3). The first failure stops the run; it is
 * rethrown as a VcError with the same code and hint, its message prefixed with the manifest file
 * (when known) and `build.steps[i] (action): `, and `details.step`/`details.action` set.
 */
export async function runSteps(steps: readonly ManifestStep[], ctx: StepContext): Promise<void> {
  if (ctx.rootfs.mtime !== ctx.sourceDateEpoch) {
    throw new VcError('INTERNAL', 'the rootfs mtime must be the build SOURCE_DATE_EPOCH');
  }
  const context = new ContextDir(ctx.contextDir);
  for (const [index, step] of steps.entries()) {
    const log = ctx.logger.child({ step: index, action: step.action });
    const env: StepEnv = { ...ctx, index, context, log };
    log.debug({ step: index, action: step.action }, 'build step');
    try {
      await runStep(step, env, steps[index + 1]);
    } catch (err) {
      throw stepError(err, steps, index, ctx.manifestFile);
    }
  }
}

async function runStep(step: ManifestStep, env: StepEnv, next: ManifestStep | undefined) {
  switch (step.action) {
    case 'mkdir':
      return runMkdir(step, env);
    case 'fetch':
      return runFetch(step, env, fetchExpectation(step, env.index, next));
    case 'verify-hash':
      return runVerifyHash(step, env);
    case 'extract':
      return runExtract(step, env);
    case 'copy':
      return runCopy(step, env);
    case 'write-file':
      return runWriteFile(step, env);
    case 'symlink':
      return runSymlink(step, env);
    case 'chown':
      return runChown(step, env);
    case 'chmod':
      return runChmod(step, env);
    case 'user':
      return runUser(step, env);
    case 'group':
      return runGroup(step, env);
    case 'composer-require':
      return runComposerRequire(step, env);
  }
}

/**
 * The hash a fetch is checked against before anything is written: its own, else that of the
 * following `verify-hash` of the same file (validation guarantees one of them; without either the
 * fetch is refused).
 */
function fetchExpectation(
  step: Extract<ManifestStep, { action: 'fetch' }>,
  index: number,
  next: ManifestStep | undefined,
): FetchExpectation {
  if (step.hash !== undefined) return { hash: step.hash };
  if (next?.action === 'verify-hash' && next.file === step.dest) {
    return { hash: next.hash, verifyStep: index + 1 };
  }
  throw new VcError('MANIFEST_FETCH_UNVERIFIED', `fetch of ${step.url} has no hash`, {
    hint: 'add hash = "sha256:…" or a verify-hash step of the same file right after it',
  });
}

function stepError(
  err: unknown,
  steps: readonly ManifestStep[],
  index: number,
  file: string | undefined,
): VcError {
  const cause: VcError | undefined = err instanceof VcError ? err : undefined;
  const atStep = cause?.details?.['atStep'];
  const at = typeof atStep === 'number' ? atStep : index;
  const action = steps[at]?.action ?? steps[index]?.action ?? '?';
  const where = `${file === undefined ? '' : `${file}: `}build.steps[${at}] (${action})`;
  const message = err instanceof Error ? err.message : String(err);
  const details: Record<string, unknown> = { ...cause?.details };
  delete details['atStep'];
  return new VcError(cause?.code ?? 'INTERNAL', `${where}: ${message}`, {
    cause: err,
    ...(cause?.hint === undefined ? {} : { hint: cause.hint }),
    details: { ...details, step: at, action },
  });
}
