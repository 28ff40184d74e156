// SPDX-License-Identifier: Apache-2.0
// `cerro-torre lock` (01 §8): the build's base and lock stages on their own.
import { resolve } from 'node:path';
import { VcError, type Clock, type Logger } from '@verified-container/shared';
import type { Manifest } from '@verified-container/shared/manifest';
import { DirectoryContentStore } from '../content/content-store.js';
import type { Exec } from '../debian/exec.js';
import { OciLayoutStore } from '../store/oci-layout-store.js';
import { BUILDER_VERSION } from '../version.js';
import { SHIPPED_BASES_DIR } from './base-image.js';
import { baseStage } from './base-stage.js';
import { buildShippedBase } from './build-image.js';
import { lockStage, type LockStage } from './lock-stage.js';
import { buildArchitecture } from './platform.js';
import type { BuildProgress } from './progress.js';

/** `write`: resolve when out of date; `update`: resolve anyway; `check`: decide only. */
export type LockMode = 'write' | 'update' | 'check';

export interface LockManifestInput {
  readonly manifest: Manifest;
  readonly manifestPath: string;
  readonly lockPath: string;
  readonly lockDisplay: string;
  readonly mode: LockMode;
  readonly mirror?: string;
  readonly securityMirror?: string;
}

export interface LockManifestDeps {
  /** `$VC_ROOT`: bases are resolved (and shipped bases built) into its store. */
  readonly root: string;
  readonly exec: Exec;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly progress: BuildProgress;
}

/**
 * The build's base and lock stages (01 §4, §5.2) on their own: the base is resolved as the build
 * resolves it (a shipped `cerro-torre/debian` base missing from the store is built), then
 * `lockStage` decides and resolves. The caller writes the lock. `check` decides as `--frozen`
 * does, so a missing or out-of-date lock (other inputs, another base digest) is
 * BUILD_LOCK_MISSING or BUILD_LOCK_MISMATCH (exit 1) naming what changed, and no package is
 * resolved.
 */
export async function lockManifest(
  input: LockManifestInput,
  deps: LockManifestDeps,
): Promise<LockStage> {
  const architecture = buildArchitecture(input.manifest.package.architecture, process.arch);
  const cacheDir = resolve(deps.root, 'cache');
  const lockPath = input.lockPath;
  const { base, suite, baseStatus } = await baseStage(input.manifest, {
    root: deps.root,
    store: new OciLayoutStore({ root: deps.root, tool: 'cerro-torre' }),
    content: new DirectoryContentStore(resolve(cacheDir, 'build', 'content')),
    cacheDir,
    manifestPath: input.manifestPath,
    lockPath,
    shippedBasesDir: SHIPPED_BASES_DIR,
    buildShippedBase: (file) =>
      buildShippedBase(
        file,
        { ...input, root: deps.root },
        {
          env: deps.env,
          clock: deps.clock,
          logger: deps.logger,
          progress: deps.progress,
          exec: deps.exec,
        },
      ),
    progress: deps.progress,
    logger: deps.logger,
  });
  const stageInput = {
    manifest: input.manifest,
    lockPath,
    lockDisplay: input.lockDisplay,
    architecture,
    suite: suite ?? 'none',
    frozen: input.mode === 'check',
    update: input.mode === 'update',
    base,
    baseStatus,
    ...(input.mirror !== undefined ? { mirror: input.mirror } : {}),
    ...(input.securityMirror !== undefined ? { securityMirror: input.securityMirror } : {}),
    generator: `cerro-torre ${BUILDER_VERSION}`,
  };
  const stageDeps = {
    exec: deps.exec,
    env: deps.env,
    cacheDir,
    logger: deps.logger,
    clock: deps.clock,
    progress: deps.progress,
  };
  try {
    return await lockStage(stageInput, stageDeps);
  } catch (err) {
    if (input.mode === 'check') throw asCheckError(err, input.lockDisplay);
    throw err;
  }
}

/** The --frozen errors of the lock stage, worded for `lock --check`. */
function asCheckError(err: unknown, lockDisplay: string): unknown {
  if (!(err instanceof VcError)) return err;
  const manifest = lockDisplay.replace(/\.lock\.json$/, '.ctp');
  const hint = `run cerro-torre lock ${manifest} and commit the lock`;
  switch (err.code) {
    case 'BUILD_LOCK_MISSING':
      return new VcError(err.code, `there is no lock ${lockDisplay}`, { hint, cause: err });
    case 'BUILD_LOCK_MISMATCH':
      return new VcError(
        err.code,
        err.message
          .replace(/^--frozen: /, '')
          .replace(' does not match the manifest: ', ' is out of date: '),
        { hint, cause: err, ...(err.details !== undefined ? { details: err.details } : {}) },
      );
    default:
      return err;
  }
}
