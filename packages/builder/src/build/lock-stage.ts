// SPDX-License-Identifier: Apache-2.0
// The lock step of the pipeline (01 §5.2, §6.1): use the lock when it fits, else resolve.
import { posix } from 'node:path';
import { VcError, type Clock, type Logger } from '@verified-container/shared';
import type { Manifest } from '@verified-container/shared/manifest';
import { lockSourcesOf } from '../debian/apt-sources.js';
import type { Exec } from '../debian/exec.js';
import {
  computeInputsDigest,
  decideLock,
  lockInputsFromManifest,
  readLockfile,
  type LockExternal,
  type LockDecision,
  type LockFetch,
  type Lockfile,
} from '../debian/lockfile.js';
import { resolveDebianPackages } from '../debian/resolve.js';
import type { ComposerInput, FetchedInput } from '../steps/step-inputs.js';
import type { ResolvedBase } from './base-image.js';
import type { BuildProgress } from './progress.js';

export interface LockStageInput {
  readonly manifest: Manifest;
  readonly lockPath: string;
  /** The lock path as people see it (messages). */
  readonly lockDisplay: string;
  readonly architecture: string;
  /** The suite of the build; `none` when there is neither a suite nor a package. */
  readonly suite: string;
  readonly frozen: boolean;
  /** Resolve even when the lock fits (`lock --update`). */
  readonly update?: boolean;
  readonly base: ResolvedBase;
  /** The base's `/var/lib/dpkg/status` ('' without one): its packages satisfy dependencies. */
  readonly baseStatus: string;
  readonly mirror?: string;
  readonly securityMirror?: string;
  readonly generator: string;
}

export interface LockStageDeps {
  readonly exec: Exec;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `$VC_ROOT/cache`. */
  readonly cacheDir: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly progress: BuildProgress;
}

export interface LockStage {
  /** The lock the build follows; a new one has `sourceDateEpoch` 0 until the build sets it. */
  readonly lock: Lockfile;
  /** The lock file as read, when it exists (its epoch is a fallback of 01 §6.3). */
  readonly existing?: Lockfile;
  /** True when the build must write the lock (resolved anew). */
  readonly write: boolean;
}

/**
 * Reads the lock next to the manifest and decides (see `decideLock`): with a fitting lock nothing
 * is resolved; otherwise the Debian closure is resolved in the private apt root (01 §5.1) and a
 * new lock is prepared, to be completed with the build's fetches and written by the caller.
 */
export async function lockStage(input: LockStageInput, deps: LockStageDeps): Promise<LockStage> {
  const existing = await readLockfile(input.lockPath);
  const inputs = lockInputsFromManifest(input.manifest, {
    architecture: input.architecture,
    suite: input.suite,
  });
  const decision: LockDecision =
    input.update === true
      ? {
          kind: 'resolve',
          reason: existing === undefined ? 'missing' : 'changed',
          changes: ['--update'],
        }
      : withBaseDigest(
          decideLock(existing, inputs, { frozen: input.frozen, lockPath: input.lockDisplay }),
          input,
        );
  if (decision.kind === 'use')
    return { lock: decision.lock, existing: decision.lock, write: false };

  deps.progress.note(
    input.update === true && existing !== undefined
      ? `--update: resolving ${input.lockDisplay} again`
      : decision.reason === 'missing'
        ? `no lock ${input.lockDisplay}: resolving`
        : `lock ${input.lockDisplay} is out of date (${decision.changes.join('; ')}): resolving`,
  );
  const deb = input.manifest.dependencies;
  let packages: Lockfile['packages'] = [];
  if (deb.packages.length > 0) {
    const task = `resolve ${deb.packages.length} Debian package${deb.packages.length === 1 ? '' : 's'} (${input.suite})`;
    deps.progress.begin(task);
    const resolved = await resolveDebianPackages(
      {
        exec: deps.exec,
        env: deps.env,
        cacheDir: deps.cacheDir,
        logger: deps.logger,
        clock: deps.clock,
      },
      {
        suite: input.suite,
        architecture: input.architecture,
        components: deb.components,
        ...(input.mirror !== undefined ? { mirror: input.mirror } : {}),
        ...(input.securityMirror !== undefined ? { securityMirror: input.securityMirror } : {}),
        requested: deb.packages,
        baseStatus: input.baseStatus,
      },
    );
    packages = resolved.packages;
    deps.progress.end(task, `${packages.length} packages`);
  }
  return {
    ...(existing !== undefined ? { existing } : {}),
    write: true,
    lock: {
      lockVersion: 1,
      generator: input.generator,
      inputsDigest: computeInputsDigest(inputs),
      sourceDateEpoch: 0,
      architecture: input.architecture,
      suite: input.suite,
      base: {
        ref: input.base.ref,
        digest: input.base.digest,
        ...(input.base.lock !== undefined ? { lock: input.base.lock } : {}),
      },
      sources:
        deb.packages.length > 0
          ? lockSourcesOf({ suite: input.suite, components: deb.components })
          : [],
      packages,
      external: [],
      fetches: [],
      composer: [],
    },
  };
}

/**
 * A lock whose inputs fit but whose base digest is not the resolved base's (the base was rebuilt or
 * the tag moved) is out of date too; with --frozen that is BUILD_LOCK_MISMATCH.
 */
function withBaseDigest(decision: LockDecision, input: LockStageInput): LockDecision {
  if (decision.kind !== 'use' || decision.lock.base.digest === input.base.digest) return decision;
  const change = `base ${input.base.ref} digest ${decision.lock.base.digest ?? 'none'} → ${input.base.digest ?? 'none'}`;
  if (input.frozen) {
    throw new VcError(
      'BUILD_LOCK_MISMATCH',
      `--frozen: ${input.lockDisplay} does not match the manifest: ${change}`,
      {
        hint: 'run `cerro-torre lock --update` and commit the lock',
        details: { changes: [change] },
      },
    );
  }
  return { kind: 'resolve', reason: 'changed', changes: [change] };
}

/**
 * The lock with what the steps recorded (01 §5.2): the composer results of `composer-require`
 * steps, and the downloads of the build's `fetch` steps: those matching an external
 * dependency's source go to `external`, the others to `fetches`. The inputs digest does not cover
 * fetch steps, so a lock in use may need this update too. Pure.
 */
export function withStepInputs(
  lock: Lockfile,
  manifest: Manifest,
  fetched: readonly FetchedInput[],
  composer: readonly ComposerInput[] = [],
): Lockfile {
  const externalBySource = new Map(
    Object.entries(manifest.dependencies.external).map(([name, e]) => [e.source, { name, ...e }]),
  );
  const external = new Map<string, LockExternal>();
  const fetches = new Map<string, LockFetch>();
  for (const f of fetched) {
    const ext = externalBySource.get(f.url);
    if (ext !== undefined) {
      external.set(ext.name, {
        name: ext.name,
        version: ext.version,
        url: f.url,
        sha256: f.sha256,
        size: f.size,
      });
    } else {
      fetches.set(f.url, { url: f.url, sha256: f.sha256, size: f.size });
    }
  }
  return {
    ...lock,
    external: [...external.values()],
    fetches: [...fetches.values()],
    composer: [...composer]
      .sort((a, b) => a.step - b.step)
      .map((c) => ({ step: c.step, composerJson: c.composerJson, composerLock: c.composerLock })),
  };
}

/** A name for a download in the SBOM and provenance: the last segment of the URL's path. */
export function fetchName(url: string): string {
  try {
    return posix.basename(new URL(url).pathname) || new URL(url).hostname;
  } catch {
    return url;
  }
}
