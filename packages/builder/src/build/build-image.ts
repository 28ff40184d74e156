// SPDX-License-Identifier: Apache-2.0
// `buildImage` (01 §6.1): validate → base → lock → packages layer → steps layer → image config →
// statements → commit. Everything is written under `$VC_ROOT/cache/build/work/` until the commit.
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { VcError, formatRfc3339Utc } from '@verified-container/shared';
import type { InstalledPackage } from '@verified-container/shared/image';
import {
  MAX_MANIFEST_BYTES,
  parseManifest,
  type ManifestDiagnostic,
} from '@verified-container/shared/manifest';
import { DirectoryContentStore } from '../content/content-store.js';
import { resolveAptSources } from '../debian/apt-sources.js';
import { ChildProcessExec } from '../debian/exec.js';
import { lockfilePath, serializeLockfile, writeLockfile } from '../debian/lockfile.js';
import { readInputFile } from '../io/files.js';
import { buildImageConfig, type LayerOrigin } from '../oci/image-config.js';
import { buildImageManifest, toJsonBlob } from '../oci/image-manifest.js';
import { CONFIG_MEDIA_TYPE, LAYER_MEDIA_TYPE, MANIFEST_MEDIA_TYPE } from '../oci/media-types.js';
import { RuncComposerRunner } from '../sandbox/composer-runner.js';
import { RuncSandbox } from '../sandbox/runc-sandbox.js';
import { buildSelinuxModule } from '../selinux/index.js';
import { OciLayoutStore } from '../store/oci-layout-store.js';
import { ChildProcessStreamExec } from '../steps/exec.js';
import { HttpFetcher } from '../steps/http-fetcher.js';
import { contextInputsDigest, contextPathsOf, stepsReachNetwork } from '../steps/context-inputs.js';
import { RootFs } from '../steps/rootfs.js';
import type { ComposerInput, ContextInput, FetchedInput } from '../steps/step-inputs.js';
import { BUILDER_VERSION } from '../version.js';
import { buildAttestations } from './attestations.js';
import { signStage } from './sign-stage.js';
import { statementInputs } from './statement-inputs.js';
import { bundleFilesOf } from './bundle-files.js';
import { SHIPPED_BASES_DIR, pullRegistryBase } from './base-image.js';
import { UNSIGNED, buildResultOf, type ResultFields } from './build-result.js';
import { buildKey, lockEpoch, reuseCachedBuild } from './cached-build.js';
import { baseStage } from './base-stage.js';
import { BuildCache } from './build-cache.js';
import type { BuildDeps, BuildOptions, BuildResult, LayerReport } from './build-types.js';
import { commitBlobs, commitTagsAndBundle, ensureStoreFile, writeOutFiles } from './commit.js';
import { assertRuntimeUser, imageConfigInput } from './image-config-input.js';
import { packagesStage, stepsStage } from './layer-stages.js';
import { lockStage, withStepInputs } from './lock-stage.js';
import { outFiles } from './out-files.js';
import { basePackages, mergePackages, writeImagePackages } from './image-packages.js';
import { buildArchitecture } from './platform.js';
import { silentProgress } from './progress.js';
import { sourceDateEpochOf } from './source-date-epoch.js';
import { displayPath } from './summary.js';
import { WorkDir } from './work-dir.js';

/** Default `--out`, relative to the working directory. */
export const DEFAULT_OUT_DIR = 'dist';

/**
 * A manifest with errors: its code is the first error's, `details.diagnostics` holds every
 * problem (01 §1.3) so the CLI prints them as `validate` does.
 */
export class ManifestInvalidError extends VcError {
  readonly diagnostics: readonly ManifestDiagnostic[];
  constructor(file: string, diagnostics: readonly ManifestDiagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(
      errors[0]?.code ?? 'MANIFEST_VALUE',
      `${file}: invalid manifest (${errors.length} error${errors.length === 1 ? '' : 's'})`,
      {
        hint: `run cerro-torre validate ${file}`,
        details: { diagnostics },
      },
    );
    this.diagnostics = diagnostics;
  }
}

/**
 * Builds the image of a manifest into the store (01 §6, §9) and writes the --out files. Returns
 * what the closing summary and `--json` report. A failure before the commit leaves the store and
 * --out unchanged. Signing and log submission are not done here yet: the bundle is unsigned.
 */
export async function buildImage(opts: BuildOptions, deps: BuildDeps): Promise<BuildResult> {
  const started = performance.now();
  const startedOn = formatRfc3339Utc(deps.clock.now());
  const progress = deps.progress ?? silentProgress;
  const exec = deps.exec ?? new ChildProcessExec();
  const logger = deps.logger.child({ build: opts.manifest });

  // 1. The manifest.
  const manifestPath = resolve(opts.cwd, opts.manifest);
  const manifestBytes = await readInputFile(manifestPath, {
    maxBytes: MAX_MANIFEST_BYTES,
    what: 'manifest',
  });
  const parsed = parseManifest(manifestBytes, { source: opts.manifest });
  if (!parsed.ok || parsed.manifest === undefined) {
    throw new ManifestInvalidError(opts.manifest, parsed.diagnostics);
  }
  const manifest = parsed.manifest;
  const { name, version } = manifest.package;
  const architecture = buildArchitecture(manifest.package.architecture, process.arch);
  const root = opts.root;
  const cacheDir = resolve(root, 'cache');

  // 1b. The SELinux module compiles (secilc) before anything is downloaded (01 §2.3).
  await fs.mkdir(resolve(cacheDir, 'build'), { recursive: true });
  const selinux = await buildSelinuxModule(manifest, {
    exec,
    tmpDir: resolve(cacheDir, 'build'),
    env: deps.env,
    source: opts.manifest,
    logger,
  });

  // 2. The whole-build cache, then the base (a lock in use pins a registry base's digest).
  const lockPath = lockfilePath(manifestPath);
  const lockDisplay = displayPath(lockPath, opts.cwd);
  const store = new OciLayoutStore({ root, tool: 'cerro-torre' });
  const content = new DirectoryContentStore(resolve(cacheDir, 'build', 'content'));
  const cache = new BuildCache(resolve(cacheDir, 'build'), logger);
  const out = outFiles(resolve(opts.cwd, opts.outDir ?? DEFAULT_OUT_DIR), name, version);
  const refs = [...new Set([version, ...manifest.export.oci.tags])].map((t) => `${name}:${t}`);
  const tags = refs.map((r) => r.slice(name.length + 1));
  const contextDir = resolve(dirname(manifestPath), manifest.build.context);
  const contextDigest = await contextInputsDigest(contextDir, contextPathsOf(manifest.build.steps));
  const wholeBuildCacheable = !stepsReachNetwork(manifest.build.steps);
  const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

  const result = (fields: ResultFields): BuildResult =>
    buildResultOf(manifest, { ...fields, out, lockPath, root, tags, started });

  await using work = await WorkDir.create(resolve(cacheDir, 'build'));

  // The whole-build cache: the same manifest and lock bytes as a finished build mean the same
  // image (the lock pins the base), so it is checked before the base is read.
  const lockBytes = await fs.readFile(lockPath).catch(() => undefined);
  if (lockBytes !== undefined && wholeBuildCacheable && opts.noCache !== true) {
    const hit = await reuseCachedBuild({
      key: buildKey(
        sha256(manifestBytes),
        sha256(lockBytes),
        contextDigest,
        sourceDateEpochOf(opts, deps.env, lockEpoch(lockBytes, lockPath)),
      ),
      sourceDateEpoch: sourceDateEpochOf(opts, deps.env, lockEpoch(lockBytes, lockPath)),
      root,
      store,
      cache,
      work,
      refs,
      out: opts.noOut === true ? undefined : out,
      progress,
    });
    if (hit !== undefined) {
      return result({
        imageDigest: hit.imageDigest,
        layers: hit.layers.map((l) => ({ ...l, cached: true })),
        sbomPackages: hit.sbomPackages,
        lockWritten: false,
        cached: true,
        signing: hit.signing ?? UNSIGNED,
      });
    }
  }

  // 2b. The base itself.
  const { base, suite, baseStatus } = await baseStage(manifest, {
    root,
    store,
    content,
    cacheDir,
    manifestPath,
    lockPath,
    shippedBasesDir: deps.shippedBasesDir ?? SHIPPED_BASES_DIR,
    buildShippedBase: (file) => buildShippedBase(file, opts, deps),
    pull:
      deps.pull ??
      ((form, pinned) =>
        pullRegistryBase(form, pinned, {
          store,
          architecture,
          env: deps.env,
          homeDir: deps.homeDir ?? homedir(),
          progress,
          logger,
        })),
    progress,
    logger,
  });

  // 3. The lock.
  const stage = await lockStage(
    {
      manifest,
      lockPath,
      lockDisplay,
      architecture,
      suite: suite ?? 'none',
      frozen: opts.frozen === true,
      base,
      baseStatus,
      ...(opts.mirror !== undefined ? { mirror: opts.mirror } : {}),
      ...(opts.securityMirror !== undefined ? { securityMirror: opts.securityMirror } : {}),
      generator: `cerro-torre ${BUILDER_VERSION}`,
    },
    { exec, env: deps.env, cacheDir, logger, clock: deps.clock, progress },
  );
  const epoch = sourceDateEpochOf(opts, deps.env, stage.existing?.sourceDateEpoch);
  const sources = resolveAptSources(
    {
      suite: suite ?? 'none',
      architecture,
      components: manifest.dependencies.components,
      ...(opts.mirror !== undefined ? { mirror: opts.mirror } : {}),
      ...(opts.securityMirror !== undefined ? { securityMirror: opts.securityMirror } : {}),
    },
    deps.env,
  );

  // 5. Layers.
  const fetchFn = deps.fetch ?? ((url, init) => fetch(url, init));
  const env = {
    cache,
    store,
    content,
    work,
    noCache: opts.noCache === true,
    sourceDateEpoch: epoch,
    builderVersion: BUILDER_VERSION,
    progress,
    logger,
  };
  const layers: (LayerReport & { origin: LayerOrigin })[] = base.layers.map((l) => ({
    kind: 'base',
    digest: l.descriptor.digest,
    diffId: l.diffId,
    size: l.descriptor.size,
    cached: true,
    origin: { kind: 'base', ref: base.ref },
  }));
  const packed: { digest: string; size: number }[] = [];
  let table = new Map(base.table);
  let installed: readonly InstalledPackage[] = [];
  if (stage.lock.packages.length > 0) {
    const p = await packagesStage(env, {
      lock: stage.lock,
      install: manifest.dependencies.install,
      pathExclude: manifest.dependencies.pathExclude,
      pathInclude: manifest.dependencies.pathInclude,
      lower: table,
      lowerDiffIds: layers.map((l) => l.diffId),
      mirrors: sources.mirrors,
      cacheDir,
      exec,
      fetch: fetchFn,
      sandbox: deps.sandbox ?? new RuncSandbox({ logger }),
      uid: deps.uid ?? process.geteuid?.() ?? -1,
    });
    table = p.table;
    installed = p.packages;
    if (p.layer !== undefined) {
      layers.push({
        kind: 'packages',
        ...p.layer,
        cached: p.cached,
        origin: { kind: 'packages', count: stage.lock.packages.length },
      });
      if (p.packed) packed.push(p.layer);
    }
  }
  installed = mergePackages(
    await basePackages(base, {
      cacheDir,
      exec,
      fetch: fetchFn,
      mirrors: sources.mirrors,
    }),
    installed,
  );
  let fetches: readonly FetchedInput[] = [];
  let contextFiles: readonly ContextInput[] = [];
  let composer: readonly ComposerInput[] = [];
  const generated = selinux?.files ?? [];
  if (manifest.build.steps.length > 0 || generated.length > 0) {
    const s = await stepsStage(env, {
      steps: manifest.build.steps,
      lower: table,
      lowerDiffIds: layers.map((l) => l.diffId),
      contextDir,
      contextDigest,
      manifestFile: opts.manifest,
      fetcher: deps.fetcher ?? new HttpFetcher({ logger }),
      composer:
        deps.composer ??
        new RuncComposerRunner({
          workDir: work.path,
          logger,
          uid: deps.uid ?? process.geteuid?.() ?? -1,
          ...(deps.sandbox !== undefined ? { sandbox: deps.sandbox } : {}),
        }),
      streamExec: deps.streamExec ?? new ChildProcessStreamExec(),
      generated,
    });
    table = s.table;
    fetches = s.fetches;
    contextFiles = s.contextFiles;
    composer = s.composer;
    if (s.layer !== undefined) {
      layers.push({
        kind: 'steps',
        ...s.layer,
        cached: s.cached,
        origin: { kind: 'steps', count: manifest.build.steps.length },
      });
      if (s.packed) packed.push(s.layer);
    }
  }

  // 6. Image config and manifest.
  const finalRootfs = new RootFs({ content, mtime: epoch, entries: table.values() });
  await assertRuntimeUser(finalRootfs, manifest.runtime);
  const config = toJsonBlob(
    buildImageConfig(
      imageConfigInput({
        manifest,
        architecture,
        sourceDateEpoch: epoch,
        base,
        layers: layers.map((l) => ({ diffId: l.diffId, origin: l.origin })),
        ...(selinux !== undefined
          ? {
              selinuxModule: {
                name: selinux.module.moduleName,
                policySha256: sha256(selinux.module.module),
              },
            }
          : {}),
      }),
    ),
    CONFIG_MEDIA_TYPE,
  );
  const imageManifest = toJsonBlob(
    buildImageManifest({
      config: config.descriptor,
      layers: layers.map((l) => ({ mediaType: LAYER_MEDIA_TYPE, digest: l.digest, size: l.size })),
      sourceDateEpoch: epoch,
      title: name,
      version,
      ...(base.digest !== null ? { base: { name: base.ref, digest: base.digest } } : {}),
    }),
    MANIFEST_MEDIA_TYPE,
  );
  const imageDigest = imageManifest.descriptor.digest;

  // 7. The lock: written when resolved anew, or when the fetch steps changed what it records
  //    (never with --frozen). Before the commit: the bundle carries its bytes.
  let lockText = stage.write ? '' : await fs.readFile(lockPath, 'utf8');
  const lock = withStepInputs(
    stage.write ? { ...stage.lock, sourceDateEpoch: epoch } : stage.lock,
    manifest,
    fetches,
    composer,
  );
  const lockWritten = opts.frozen !== true && serializeLockfile(lock) !== lockText;
  if (lockWritten) {
    await writeLockfile(lockPath, lock);
    lockText = serializeLockfile(lock);
    progress.note(`lock written: ${lockDisplay}`);
  }

  // 8. Statements and the unsigned bundle.
  const attestations = buildAttestations(
    statementInputs({
      manifest,
      manifestFile: opts.manifest,
      manifestSha256: sha256(manifestBytes),
      lockDisplay,
      lockSha256: sha256(lockText),
      imageDigest,
      rootfs: [...table.values()],
      osRelease: (await finalRootfs.readText('/etc/os-release')) ?? '',
      sourceDateEpoch: epoch,
      frozen: opts.frozen === true,
      mirrors: sources.mirrors,
      cached: layers.some((l) => l.kind !== 'base' && l.cached),
      installed,
      fetches,
      contextFiles,
      invocationId: (deps.randomUUID ?? randomUUID)(),
      startedOn,
      finishedOn: formatRfc3339Utc(deps.clock.now()),
    }),
  );
  // 8b. Signatures, then the logs when the threshold is met (02 §10, 03 §10).
  const signing = await signStage(
    {
      manifest,
      bundleText: attestations.bundleText,
      root,
      manifestDir: dirname(manifestPath),
      keyFiles: opts.keyFiles ?? [],
      noSign: opts.noSign === true,
      noPublish: opts.noPublish === true,
      ...(opts.trustStore !== undefined ? { trustStore: opts.trustStore } : {}),
    },
    {
      env: deps.env,
      cwd: opts.cwd,
      uid: deps.uid ?? process.geteuid?.() ?? 0,
      homeDir: deps.homeDir ?? homedir(),
      clock: deps.clock,
      logger,
      progress,
      ...(deps.passphrase !== undefined ? { passphrase: deps.passphrase } : {}),
    },
  );
  const bundleFiles = await bundleFilesOf({
    name,
    version,
    imageDigest,
    sourceDateEpoch: epoch,
    attestations: { ...attestations, bundleText: signing.bundleText },
    manifestBytes,
    lockText,
    contextFiles,
    content,
  });

  // 9. Commit: blobs, then tags and bundle under the images lock, then --out.
  await ensureStoreFile(root);
  await commitBlobs(store, work, packed, [config, imageManifest]);
  const bundleDir = await commitTagsAndBundle(
    root,
    store,
    work,
    imageManifest.descriptor,
    refs,
    bundleFiles,
  );
  if (opts.noOut !== true)
    await writeOutFiles({
      store,
      bundleDir,
      manifest: imageManifest.descriptor,
      blobs: [
        config.descriptor,
        ...layers.map((l) => ({ mediaType: LAYER_MEDIA_TYPE, digest: l.digest, size: l.size })),
      ],
      ref: refs[0] ?? `${name}:${version}`,
      out,
      sourceDateEpoch: epoch,
      cacheDir: resolve(cacheDir, 'build', 'ctp'),
    });
  await writeImagePackages(cacheDir, imageDigest, installed);
  const reports = layers.map(({ origin: _origin, ...l }) => l);
  if (wholeBuildCacheable) {
    const key = buildKey(sha256(manifestBytes), sha256(lockText), contextDigest, epoch);
    await cache.writeBuild(key, {
      imageDigest,
      manifest: imageManifest.descriptor,
      layers: reports.map(({ cached: _cached, ...l }) => l),
      sbomPackages: attestations.sbomPackages,
      signing,
    });
  }
  return result({
    imageDigest,
    layers: reports,
    sbomPackages: attestations.sbomPackages,
    lockWritten,
    cached: false,
    signing,
  });
}

/**
 * Builds a base manifest the builder ships (01 §4) into the same store: its own lock next to it,
 * its own epoch (never the outer build's), no --out files.
 */
export async function buildShippedBase(
  file: string,
  opts: Pick<BuildOptions, 'root' | 'mirror' | 'securityMirror'>,
  deps: BuildDeps,
): Promise<void> {
  await buildImage(
    {
      manifest: file,
      cwd: dirname(file),
      root: opts.root,
      noOut: true,
      ...(opts.mirror !== undefined ? { mirror: opts.mirror } : {}),
      ...(opts.securityMirror !== undefined ? { securityMirror: opts.securityMirror } : {}),
    },
    { ...deps, env: { ...deps.env, SOURCE_DATE_EPOCH: undefined } },
  );
}
