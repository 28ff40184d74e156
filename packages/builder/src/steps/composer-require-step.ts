// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { VcError } from '@verified-container/shared';
import { canonicalBytes } from '@verified-container/shared/json';
import { contextMode, importContextFile } from './content-io.js';
import { splitPath } from './rootfs-path.js';
import type {
  ComposerRepositoryInput,
  ComposerResult,
  ContextTreeEntry,
  StepEnv,
  StepOf,
} from './step-context.js';

/** Where composer is looked for in the image (a usual PATH). */
export const COMPOSER_PATHS = [
  '/usr/local/sbin/composer',
  '/usr/local/bin/composer',
  '/usr/sbin/composer',
  '/usr/bin/composer',
  '/sbin/composer',
  '/bin/composer',
] as const;

/**
 * `composer-require`: runs `composer require` in the build sandbox through the composer runner
 * and applies the file changes it reports. Composer must be in the image (BUILD_STEP_FAILED);
 * path repositories are read from the context (rule 2) and handed over as files; the sandbox has
 * a network only for packagist or `composer` repositories. Failures → BUILD_COMPOSER_FAILED.
 */
export async function runComposerRequire(
  step: StepOf<'composer-require'>,
  env: StepEnv,
): Promise<void> {
  const { rootfs } = env;
  if (!COMPOSER_PATHS.some((path) => rootfs.lookup(path)?.type === 'f')) {
    throw new VcError('BUILD_STEP_FAILED', 'composer is not installed in the image', {
      hint: 'add composer to [dependencies].packages',
    });
  }
  const dir = rootfs.mkdirp(step.dir ?? '/');
  const repositories: ComposerRepositoryInput[] = [];
  for (const repo of step.repositories) {
    repositories.push(
      repo.type === 'path'
        ? { type: 'path', url: repo.url, files: await readPathRepository(env, repo.url) }
        : { type: 'composer', url: repo.url },
    );
  }
  const result = await runComposer(env, {
    step: env.index,
    package: step.package,
    dir,
    argv: composerArgv(step.package, dir),
    repositories,
    packagist: step.packagist,
    network: step.packagist || repositories.some((r) => r.type === 'composer'),
    autoloaderSuffix: autoloaderSuffix(step),
    rootfs,
  });
  applyChanges(env, result);
  env.inputs.recordComposer({
    step: env.index,
    composerJson: result.composerJson,
    composerLock: result.composerLock,
  });
}

/** The command line of 01 §3. */
export function composerArgv(pkg: string, dir: string): string[] {
  return [
    'composer',
    'require',
    pkg,
    '--no-interaction',
    '--no-progress',
    '--no-plugins',
    '--no-scripts',
    '--update-no-dev',
    '--prefer-dist',
    `--working-dir=${dir}`,
  ];
}

/** First 32 hex of sha256 of the step's JCS (the normalised step, defaults applied). */
export function autoloaderSuffix(step: StepOf<'composer-require'>): string {
  const digest = createHash('sha256').update(canonicalBytes(step)).digest('hex');
  return digest.slice(0, 32);
}

async function runComposer(
  env: StepEnv,
  request: Parameters<StepEnv['composer']['require']>[0],
): Promise<ComposerResult> {
  try {
    return await env.composer.require(request);
  } catch (err) {
    if (err instanceof VcError) throw err;
    throw new VcError('BUILD_COMPOSER_FAILED', `composer require ${request.package} failed`, {
      cause: err,
    });
  }
}

async function readPathRepository(env: StepEnv, url: string): Promise<ContextTreeEntry[]> {
  const prefix = splitPath(url).join('/');
  const files: ContextTreeEntry[] = [];
  for (const item of await env.context.walk(url)) {
    const path = item.path === prefix ? '' : item.path.slice(prefix.length + 1);
    if (item.type === 'd') {
      files.push({ path, type: 'd', mode: 0o755, digest: '', size: 0 });
    } else {
      const stored = await importContextFile(env, item);
      files.push({ path, type: 'f', mode: contextMode(item), ...stored });
    }
  }
  return files;
}

/** Applies the sandbox's changes; every path must be canonical and inside the rootfs. */
function applyChanges(env: StepEnv, result: ComposerResult): void {
  const { rootfs } = env;
  for (const change of result.changes) {
    const path = change.kind === 'put' ? change.entry.path : change.path;
    if (path === '/' || path !== rootfs.resolve(path, { followFinal: false })) {
      throw new VcError('BUILD_COMPOSER_FAILED', `composer sandbox reported a bad path ${path}`);
    }
    if (change.kind === 'remove') {
      rootfs.remove(path);
      continue;
    }
    const e = change.entry;
    const owner = { uid: e.uid, gid: e.gid };
    if (rootfs.get(path)?.type === 'd' && e.type !== 'd') rootfs.remove(path);
    switch (e.type) {
      case 'd':
        if (rootfs.get(path)?.type === 'd') rootfs.update(path, { mode: e.mode, ...owner });
        else rootfs.put(path, { type: 'd', mode: e.mode, ...owner });
        break;
      case 'f':
        rootfs.put(path, {
          type: 'f',
          mode: e.mode,
          content: { digest: e.digest, size: e.size },
          ...owner,
        });
        break;
      case 'l':
        rootfs.put(path, { type: 'l', target: e.linkTarget ?? '', ...owner });
        break;
      case 'c':
      case 'b':
      case 'p':
        throw new VcError('BUILD_COMPOSER_FAILED', `composer created the special file ${path}`);
    }
  }
}
