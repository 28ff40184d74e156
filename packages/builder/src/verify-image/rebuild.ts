// SPDX-License-Identifier: Apache-2.0
// `verify --rebuild` (04 §7): the package's manifest, lock and context built again with the
// provenance's epoch and --frozen into a temporary store, then compared by config digest and the
// ordered layer diff_ids.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { VcError, isVcError, type Clock, type Logger } from '@verified-container/shared';
import { parseManifest } from '@verified-container/shared/manifest';
import type { RebuildOutcome } from '@verified-container/shared/verify';
import { buildImage } from '../build/build-image.js';
import { shortDigest } from '../build/summary.js';
import type { ImageBundle } from '../image-arg/image-bundle.js';
import { OciLayoutStore } from '../store/oci-layout-store.js';
import { checkImageBlobs } from './layout-check.js';

/** The image as verified: what the rebuild must reproduce. */
export interface RebuildExpectation {
  readonly imageDigest: string;
  readonly configDigest: string;
  readonly diffIds: readonly string[];
}

export interface RebuildInput {
  /** The package or store bundle files: `source/<n>.ctp`, `source/<n>.lock.json`, `source/context/**`. */
  readonly files: ImageBundle;
  /** `source/<n>.ctp` among `files`. */
  readonly manifestPath: string;
  /** `--context DIR` instead of `source/context/`. */
  readonly contextDir?: string;
  /** The provenance's `sourceDateEpoch`. */
  readonly sourceDateEpoch: number;
  readonly expected: RebuildExpectation;
  /** The real `$VC_ROOT`: its verified .deb cache is linked read-only into the temporary store. */
  readonly root: string;
  /** Where the temporary store is made (default: the OS temporary directory). */
  readonly tmpDir?: string;
}

export interface RebuildDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly uid: number;
  readonly homeDir: string;
}

/** The comparison, plus the rebuilt image's digest when the build finished. */
export interface RebuildReport {
  readonly outcome: RebuildOutcome;
  readonly rebuiltDigest?: string;
}

/**
 * Rebuilds and compares. A build that fails (missing context file, stale lock, invalid manifest)
 * is a `differs` outcome carrying the build error; downloads that cannot be made throw
 * `BUILD_FETCH_FAILED` (exit 3, no decision). The temporary store is removed afterwards.
 */
export async function rebuildAndCompare(
  input: RebuildInput,
  deps: RebuildDeps,
): Promise<RebuildReport> {
  const tmp = await fs.mkdtemp(join(input.tmpDir ?? tmpdir(), 'ct-rebuild-'));
  try {
    const srcDir = join(tmp, 'src');
    const root = join(tmp, 'store');
    const manifestFile = join(srcDir, basename(input.manifestPath));
    const manifestBytes = await input.files.read(input.manifestPath);
    const parsed = parseManifest(manifestBytes, { source: input.manifestPath });
    if (parsed.manifest === undefined) {
      return differs(`the rebuild failed: ${input.manifestPath} is not a valid manifest`);
    }
    const { name, version } = parsed.manifest.package;
    await fs.mkdir(srcDir, { recursive: true });
    await fs.writeFile(manifestFile, manifestBytes);
    const lockPath = input.manifestPath.replace(/\.ctp$/, '.lock.json');
    if (input.files.paths.includes(lockPath)) {
      await fs.writeFile(join(srcDir, basename(lockPath)), await input.files.read(lockPath));
    }
    const contextDir = resolve(srcDir, parsed.manifest.build.context);
    await fs.mkdir(contextDir, { recursive: true });
    if (input.contextDir !== undefined) {
      await fs.cp(input.contextDir, contextDir, { recursive: true, verbatimSymlinks: true });
    } else {
      await copyPackagedContext(input.files, contextDir);
    }
    await linkDebCache(input.root, root);

    let digest: string;
    try {
      const result = await buildImage(
        {
          manifest: manifestFile,
          cwd: srcDir,
          root,
          noOut: true,
          frozen: true,
          sourceDateEpoch: String(input.sourceDateEpoch),
          noSign: true,
          noPublish: true,
        },
        {
          env: { ...deps.env, SOURCE_DATE_EPOCH: undefined, VC_ROOT: root },
          clock: deps.clock,
          logger: deps.logger,
          uid: deps.uid,
          homeDir: deps.homeDir,
        },
      );
      digest = result.image.digest;
    } catch (err) {
      if (isVcError(err) && err.code === 'BUILD_FETCH_FAILED') throw err;
      const e = isVcError(err) ? err : new VcError('INTERNAL', String(err));
      return differs(`the rebuild failed: [${e.code}] ${e.message}`);
    }
    const store = new OciLayoutStore({ root });
    const rebuilt = await checkImageBlobs(
      store,
      await store.resolve(`${name}:${version}`),
      'the rebuilt image',
    );
    return compare(input.expected, {
      imageDigest: digest,
      configDigest: rebuilt.configDigest ?? '',
      diffIds: rebuilt.diffIds ?? [],
    });
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** Config digest and ordered diff_ids equal → reproduced; else what differs first. Pure. */
export function compare(expected: RebuildExpectation, rebuilt: RebuildExpectation): RebuildReport {
  const sameLayers =
    expected.diffIds.length === rebuilt.diffIds.length &&
    expected.diffIds.every((id, i) => rebuilt.diffIds[i] === id);
  if (sameLayers && expected.configDigest === rebuilt.configDigest) {
    return {
      outcome: { kind: 'reproduced', imageDigest: rebuilt.imageDigest },
      rebuiltDigest: rebuilt.imageDigest,
    };
  }
  const images = `the rebuilt image ${rebuilt.imageDigest} is not ${expected.imageDigest}`;
  let what: string;
  if (sameLayers) {
    what = `config ${shortDigest(rebuilt.configDigest)} differs from ${shortDigest(expected.configDigest)}`;
  } else {
    const i = firstDifference(expected.diffIds, rebuilt.diffIds);
    what = `layer ${i} differs: diff_id ${rebuilt.diffIds[i] ?? '(none)'}, expected ${expected.diffIds[i] ?? '(none)'}`;
  }
  return {
    outcome: { kind: 'differs', message: `${images}: ${what}` },
    rebuiltDigest: rebuilt.imageDigest,
  };
}

function firstDifference(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function differs(message: string): RebuildReport {
  return { outcome: { kind: 'differs', message } };
}

/** `source/context/<p>` of the bundle → `<dir>/<p>`. */
async function copyPackagedContext(files: ImageBundle, dir: string): Promise<void> {
  const prefix = 'source/context/';
  for (const path of files.paths) {
    if (!path.startsWith(prefix)) continue;
    const rel = path.slice(prefix.length);
    // The bundle's paths come from a checked package or the store; still, never leave `dir`.
    if (rel.split('/').some((p) => p === '..' || p === '')) continue;
    const to = join(dir, ...rel.split('/'));
    await fs.mkdir(join(to, '..'), { recursive: true });
    await fs.writeFile(to, await files.read(path));
  }
}

/**
 * Hard-links every verified `.deb` of the real store's cache into the temporary store's cache (a
 * copy across filesystems), so an unchanged lock rebuilds without downloads. Not symlinks: the
 * install sandbox bind-mounts the cache, where a link pointing outside it would dangle. A rebuild
 * that downloads writes a new file beside them, never through them.
 */
async function linkDebCache(realRoot: string, tmpRoot: string): Promise<void> {
  const from = join(realRoot, 'cache', 'debs', 'sha256');
  const to = join(tmpRoot, 'cache', 'debs', 'sha256');
  const names = await fs.readdir(from).catch(() => [] as string[]);
  await fs.mkdir(to, { recursive: true });
  for (const name of names) {
    if (!/^[0-9a-f]{64}\.deb$/.test(name)) continue;
    await fs.link(join(from, name), join(to, name)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EXDEV') throw e;
      return fs.copyFile(join(from, name), join(to, name));
    });
  }
}
