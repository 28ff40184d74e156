// SPDX-License-Identifier: Apache-2.0
// The packages and steps layers (01 §6.2) with the layer cache (01 §6.4).
import { createHash } from 'node:crypto';
import type { Logger } from '@verified-container/shared';
import type { FileEntry, InstalledPackage } from '@verified-container/shared/image';
import type { ManifestStep } from '@verified-container/shared/manifest';
import type { JsonValue } from '@verified-container/shared/json';
import type { ContentStore } from '../content/content-store.js';
import { ensureDirectory } from '../io/files.js';
import type { MirrorKind } from '../debian/apt-sources.js';
import { downloadDebs, type FetchLike } from '../debian/download.js';
import type { Exec } from '../debian/exec.js';
import type { Lockfile } from '../debian/lockfile.js';
import { applyLayer, diffLayers, type FileTable, type LayerDiff } from '../oci/layer-diff.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { GeneratedImageFile } from '../selinux/index.js';
import type { OciLayoutStore } from '../store/oci-layout-store.js';
import type { StreamExec } from '../steps/exec.js';
import { RootFs } from '../steps/rootfs.js';
import { parentPath } from '../steps/rootfs-path.js';
import { stepsReachNetwork } from '../steps/context-inputs.js';
import { runSteps } from '../steps/run-steps.js';
import type { ComposerRunner, Fetcher } from '../steps/step-context.js';
import {
  StepInputs,
  type ComposerInput,
  type ContextInput,
  type FetchedInput,
} from '../steps/step-inputs.js';
import type { BuildCache, LayerTableRecord } from './build-cache.js';
import { layerCacheKey, type LayerKind } from './cache-keys.js';
import { configurePackages } from './configure-packages.js';
import { extractPackages } from './packages-layer.js';
import type { BuildProgress } from './progress.js';
import { formatBytes } from './progress.js';
import type { WorkDir } from './work-dir.js';

/** What a layer stage produced. */
export interface LayerStageResult {
  /** The root filesystem above the layer. */
  readonly table: Map<string, FileEntry>;
  /** The packed layer; undefined when the layer is empty (not emitted). */
  readonly layer?: { readonly digest: string; readonly diffId: string; readonly size: number };
  readonly cached: boolean;
  /** True when the blob was packed by this build and waits in the work directory. */
  readonly packed: boolean;
}

export interface LayerStageEnv {
  readonly cache: BuildCache;
  readonly store: OciLayoutStore;
  readonly content: ContentStore;
  readonly work: WorkDir;
  readonly noCache: boolean;
  readonly sourceDateEpoch: number;
  readonly builderVersion: string;
  readonly progress: BuildProgress;
  readonly logger: Logger;
}

/** A layer's cache lookup: a hit needs the record, its table, the blob in the store and every file's content. */
async function cachedLayer(
  env: LayerStageEnv,
  key: string,
  lower: FileTable,
): Promise<{ result: LayerStageResult; table: LayerTableRecord } | undefined> {
  if (env.noCache) return undefined;
  const hit = await env.cache.readLayer(key);
  if (hit === undefined) return undefined;
  for (const e of hit.table.entries) {
    if (e.type === 'f' && !(await env.content.has(e.digest))) return undefined;
  }
  // The blob is in the store, or kept in the cache by a build that failed later (then it waits
  // in the work directory for the commit, like a freshly packed one).
  let packed = false;
  if (!(await env.store.hasBlob(hit.record.digest))) {
    await ensureDirectory(env.work.blobsDir);
    if (!(await env.cache.restoreBlob(hit.record.digest, env.work.blobPath(hit.record.digest)))) {
      return undefined;
    }
    packed = true;
  }
  const table = applyLayer(lower, hit.table.entries, hit.table.whiteouts, hit.table.opaqueDirs);
  return { result: { table, layer: hit.record, cached: true, packed }, table: hit.table };
}

/** Packs the diff between two tables (when there is one) and records it in the layer cache. */
async function packDiff(
  env: LayerStageEnv,
  kind: LayerKind,
  key: string,
  lower: FileTable,
  upper: Map<string, FileEntry>,
  extra: Omit<LayerTableRecord, keyof LayerDiff>,
): Promise<LayerStageResult> {
  const diff = diffLayers(lower, upper);
  if (diff.entries.length === 0 && diff.whiteouts.length === 0 && diff.opaqueDirs.length === 0) {
    return { table: upper, cached: false, packed: false };
  }
  const task = `pack ${kind} layer`;
  env.progress.begin(task, `${diff.entries.length} entries`);
  const packed = await env.work.packLayer(
    { entries: diff.entries, whiteouts: diff.whiteouts, opaqueDirs: diff.opaqueDirs, tree: upper },
    { content: env.content, sourceDateEpoch: env.sourceDateEpoch },
  );
  env.progress.end(task, `${formatBytes(packed.size)} ${packed.digest}`);
  const layer = { digest: packed.digest, diffId: packed.diffId, size: packed.size };
  await env.content.flush();
  await env.cache.keepBlob(env.work.blobPath(packed.digest), packed.digest);
  await env.cache.writeLayer(key, layer, { ...diff, ...extra });
  return { table: upper, layer, cached: false, packed: true };
}

export interface PackagesStageInput {
  readonly lock: Lockfile;
  readonly install: 'configure' | 'extract';
  readonly pathExclude: readonly string[];
  readonly pathInclude: readonly string[];
  readonly lower: FileTable;
  readonly lowerDiffIds: readonly string[];
  readonly mirrors: Readonly<Record<MirrorKind, string>>;
  /** `$VC_ROOT/cache` (the .deb cache is `debs/sha256/`). */
  readonly cacheDir: string;
  readonly exec: Exec;
  readonly fetch: FetchLike;
  /** The build sandbox of `install = "configure"`. */
  readonly sandbox: Sandbox;
  /** Effective uid of the builder (configure needs root). */
  readonly uid: number;
}

/** The packages layer: from the layer cache, or downloaded, unpacked and packed. */
export async function packagesStage(
  env: LayerStageEnv,
  input: PackagesStageInput,
): Promise<LayerStageResult & { readonly packages: readonly InstalledPackage[] }> {
  const inputs: JsonValue = {
    packages: input.lock.packages.map((p) => ({
      name: p.name,
      version: p.version,
      architecture: p.architecture,
      sha256: p.sha256,
    })),
    install: input.install,
    pathExclude: [...input.pathExclude],
    pathInclude: [...input.pathInclude],
  };
  const key = layerCacheKey({
    kind: 'packages',
    lower: input.lowerDiffIds,
    inputs,
    sourceDateEpoch: env.sourceDateEpoch,
    builderVersion: env.builderVersion,
  });
  const hit = await cachedLayer(env, key, input.lower);
  if (hit !== undefined) {
    env.progress.note(`  packages layer: cached (${input.lock.packages.length} packages)`);
    return { ...hit.result, packages: hit.table.packages ?? [] };
  }

  const total = input.lock.packages.reduce((n, p) => n + p.size, 0);
  const task = `download ${input.lock.packages.length} .deb files`;
  env.progress.begin(task, formatBytes(total));
  const done = new Map<string, number>();
  const downloaded = await downloadDebs(input.fetch, input.lock.packages, {
    cacheDir: input.cacheDir,
    mirrors: input.mirrors,
    logger: env.logger,
    onProgress: (p) => {
      done.set(p.name, p.bytes);
      env.progress.advance(
        task,
        [...done.values()].reduce((a, b) => a + b, 0),
        total,
      );
    },
  });
  const reused = downloaded.filter((d) => d.cached).length;
  env.progress.end(task, `${reused} from the cache`);

  const rootfs = new RootFs({
    content: env.content,
    mtime: env.sourceDateEpoch,
    entries: input.lower.values(),
  });
  const unpack = `install ${downloaded.length} packages (install = "${input.install}")`;
  env.progress.begin(unpack);
  const packageOptions = {
    debs: downloaded.map((d) => ({ package: d.package, path: d.path })),
    pathExclude: input.pathExclude,
    pathInclude: input.pathInclude,
    architecture: input.lock.architecture,
    mirrors: input.mirrors,
    sourceDateEpoch: env.sourceDateEpoch,
  };
  let upper: Map<string, FileEntry>;
  let packages: InstalledPackage[];
  switch (input.install) {
    case 'extract':
      packages = await extractPackages(input.exec, rootfs, packageOptions);
      upper = tableOf(rootfs);
      break;
    case 'configure': {
      const configured = await configurePackages(
        { exec: input.exec, sandbox: input.sandbox, logger: env.logger, uid: input.uid },
        rootfs,
        { ...packageOptions, workDir: env.work.path },
      );
      packages = configured.packages;
      upper = new Map(configured.entries.map((e) => [e.path, e]));
      break;
    }
  }
  env.progress.end(unpack, `${upper.size} entries`);
  const result = await packDiff(env, 'packages', key, input.lower, upper, { packages });
  return { ...result, packages };
}

export interface StepsStageInput {
  readonly steps: readonly ManifestStep[];
  readonly lower: FileTable;
  readonly lowerDiffIds: readonly string[];
  readonly contextDir: string;
  readonly manifestFile: string;
  readonly fetcher: Fetcher;
  readonly composer: ComposerRunner;
  readonly streamExec: StreamExec;
  /** Files the builder adds after the steps (the SELinux module, 01 §2.3, §6.2). */
  readonly generated: readonly GeneratedImageFile[];
  /** `contextInputsDigest` of what the steps read from the context (null: nothing). */
  readonly contextDigest: string | null;
}

/** The steps layer: from the layer cache when nothing it reads can change, else run and packed. */
export async function stepsStage(
  env: LayerStageEnv,
  input: StepsStageInput,
): Promise<
  LayerStageResult & {
    readonly fetches: readonly FetchedInput[];
    readonly contextFiles: readonly ContextInput[];
    /** What `composer-require` steps wrote (never cached: those steps always run). */
    readonly composer: readonly ComposerInput[];
  }
> {
  const key = layerCacheKey({
    kind: 'steps',
    lower: input.lowerDiffIds,
    inputs: {
      steps: JSON.parse(JSON.stringify(input.steps)) as JsonValue,
      context: input.contextDigest,
      generated: input.generated.map((f) => ({
        path: f.path,
        mode: f.mode,
        sha256: createHash('sha256').update(f.bytes).digest('hex'),
      })),
    },
    sourceDateEpoch: env.sourceDateEpoch,
    builderVersion: env.builderVersion,
  });
  if (!stepsReachNetwork(input.steps)) {
    const hit = await cachedLayer(env, key, input.lower);
    if (hit !== undefined) {
      env.progress.note(`  steps layer: cached (${input.steps.length} steps)`);
      return {
        ...hit.result,
        fetches: hit.table.fetches ?? [],
        contextFiles: hit.table.contextFiles ?? [],
        composer: hit.table.composer ?? [],
      };
    }
  }
  const rootfs = new RootFs({
    content: env.content,
    mtime: env.sourceDateEpoch,
    entries: input.lower.values(),
  });
  const inputs = new StepInputs();
  const task = `run ${input.steps.length} build step${input.steps.length === 1 ? '' : 's'}`;
  env.progress.begin(task);
  await runSteps(input.steps, {
    rootfs,
    contextDir: input.contextDir,
    sourceDateEpoch: env.sourceDateEpoch,
    fetcher: input.fetcher,
    composer: input.composer,
    exec: input.streamExec,
    logger: env.logger,
    inputs,
    manifestFile: input.manifestFile,
  });
  for (const file of input.generated) {
    rootfs.mkdirp(parentPath(file.path));
    rootfs.writeFile(file.path, await env.content.put(file.bytes), { mode: file.mode });
  }
  env.progress.end(task);
  const upper = tableOf(rootfs);
  const extra = {
    fetches: inputs.fetches,
    contextFiles: inputs.contextFiles,
    composer: inputs.composer,
  };
  const result = await packDiff(env, 'steps', key, input.lower, upper, extra);
  return { ...result, ...extra };
}

function tableOf(rootfs: RootFs): Map<string, FileEntry> {
  return new Map(rootfs.entries().map((e) => [e.path, e]));
}
