// SPDX-License-Identifier: Apache-2.0
// The base of a build (01 §4): its layers, config and merged file table.
import { createReadStream, promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VcError, type Logger } from '@verified-container/shared';
import type { FileEntry } from '@verified-container/shared/image';
import type { BaseImage } from '@verified-container/shared/manifest';
import type { ContentStore } from '../content/content-store.js';
import { parseLockfile, type Lockfile } from '../debian/lockfile.js';
import type { BaseConfig } from '../oci/image-config.js';
import type { Descriptor } from '../oci/media-types.js';
import { readIndex, refNameOf } from '../store/oci-index.js';
import type { OciLayoutStore } from '../store/oci-layout-store.js';
import { readStoredImage } from '../store/stored-image.js';
import { baseTable } from './base-table.js';
import { bundleDirOf } from './commit.js';
import { sourceMembers } from './out-files.js';
import type { BuildProgress } from './progress.js';

/** The base manifests the builder ships (01 §4), next to the packages in the repository. */
export const SHIPPED_BASES_DIR = fileURLToPath(
  new URL('../../../../manifests/base/', import.meta.url),
);

/** A base layer as it is reused: same blob, same digest (01 §6.2). */
export interface BaseLayer {
  readonly descriptor: Descriptor;
  readonly diffId: string;
}

export interface ResolvedBase {
  /** `[base] image` as written. */
  readonly ref: string;
  /** `sha256:` of the base's image manifest; null for `scratch`. */
  readonly digest: string | null;
  readonly layers: readonly BaseLayer[];
  readonly config?: BaseConfig;
  /** The merged root filesystem of the base's layers. */
  readonly table: ReadonlyMap<string, FileEntry>;
  /** Debian suite the base implies (`cerro-torre/debian:<suite>`, or its os-release). */
  readonly suite?: string;
  /** The base's own lock (a `cerro-torre/debian` base), embedded in the build's lock (01 §5.2). */
  readonly lock?: Lockfile;
}

/** The empty base. */
export const SCRATCH_BASE: ResolvedBase = {
  ref: 'scratch',
  digest: null,
  layers: [],
  table: new Map(),
};

/** Pulls a registry image into the store (blobs only) and returns its manifest descriptor. */
export type PullImage = (
  form: Extract<BaseImage, { kind: 'registry' }>,
  pinnedDigest: string | undefined,
) => Promise<Descriptor>;

export interface BaseDeps {
  /** `$VC_ROOT`. */
  readonly root: string;
  readonly store: OciLayoutStore;
  readonly content: ContentStore;
  /** `$VC_ROOT/cache/build/bases`. */
  readonly cacheDir: string;
  /** Directory of the manifest (an `oci:` dir is relative to it). */
  readonly manifestDir: string;
  /** Where `debian-<suite>[-slim].ctp` are found. */
  readonly shippedBasesDir: string;
  /** Builds a shipped base manifest into the store (a nested build). */
  readonly buildShippedBase: (manifestPath: string) => Promise<void>;
  readonly pull?: PullImage;
  readonly progress: BuildProgress;
  readonly logger: Logger;
}

/**
 * Resolves `[base] image` (01 §4): `scratch`; `cerro-torre/debian:<suite>[-slim]` from the store,
 * else built from the shipped manifest; `oci:<dir>[:<ref>]` copied into the store; a registry
 * image pulled into the store (at `pinnedDigest` when the lock has one). The layers are read into
 * a file table (cached by manifest digest).
 */
export async function resolveBase(
  ref: string,
  form: BaseImage,
  deps: BaseDeps,
  pinnedDigest?: string,
): Promise<ResolvedBase> {
  switch (form.kind) {
    case 'scratch':
      return SCRATCH_BASE;
    case 'debian': {
      const descriptor = await debianBase(ref, form, deps);
      const lock = await baseLock(deps.root, ref, descriptor.digest);
      return {
        ...(await fromStore(ref, descriptor.digest, deps)),
        suite: form.suite,
        ...(lock !== undefined ? { lock } : {}),
      };
    }
    case 'oci-layout': {
      const digest = await copyLayoutImage(resolve(deps.manifestDir, form.dir), form.ref, deps);
      return fromStore(ref, digest, deps);
    }
    case 'registry': {
      if (deps.pull === undefined) {
        throw new VcError('UNSUPPORTED', `base ${ref}: pulling from a registry is not available`, {
          hint: 'use a cerro-torre/debian base or an oci: layout',
        });
      }
      const descriptor = await deps.pull(form, form.digest ?? pinnedDigest);
      return fromStore(ref, descriptor.digest, deps);
    }
  }
}

/** `cerro-torre/debian:<suite>[-slim]`: the stored image, or build the shipped manifest first. */
async function debianBase(
  ref: string,
  form: Extract<BaseImage, { kind: 'debian' }>,
  deps: BaseDeps,
): Promise<Descriptor> {
  const stored = await deps.store.resolve(ref).catch((err: unknown) => {
    if (err instanceof VcError && err.code === 'IMAGE_NOT_FOUND') return undefined;
    throw err;
  });
  if (stored !== undefined) return stored;
  const file = join(deps.shippedBasesDir, `debian-${form.suite}${form.slim ? '-slim' : ''}.ctp`);
  try {
    await fs.access(file);
  } catch {
    throw new VcError('BUILD_BASE_NOT_FOUND', `base ${ref}: no such base image`, {
      hint: `the builder ships ${(await shippedBases(deps.shippedBasesDir)).join(', ') || 'no base manifests'}`,
      details: { base: ref, manifest: file },
    });
  }
  deps.progress.note(`base ${ref} is not in the store: building it from ${file}`);
  await deps.buildShippedBase(file);
  return deps.store.resolve(ref);
}

async function shippedBases(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names
    .map((n) => /^debian-(.+)\.ctp$/.exec(n)?.[1])
    .filter((s): s is string => s !== undefined)
    .map((s) => `cerro-torre/debian:${s}`)
    .sort();
}

/** The lock a stored `cerro-torre/debian` image was built with (from its bundle's sources). */
async function baseLock(root: string, ref: string, digest: string): Promise<Lockfile | undefined> {
  const name = ref.slice(0, ref.lastIndexOf(':'));
  const path = join(bundleDirOf(root, digest), sourceMembers(name).lock);
  try {
    return parseLockfile(await fs.readFile(path), { source: path });
  } catch {
    return undefined;
  }
}

/**
 * Copies the image of an OCI layout (`ref` matching `org.opencontainers.image.ref.name`; without
 * it the index must hold exactly one manifest) into the store; returns its manifest digest.
 */
async function copyLayoutImage(
  dir: string,
  ref: string | undefined,
  deps: BaseDeps,
): Promise<string> {
  const index = await readIndex(dir);
  const matches =
    ref === undefined
      ? index.manifests
      : index.manifests.filter((d) => refNameOf(d) === ref || refNameOf(d)?.endsWith(`:${ref}`));
  if (matches.length !== 1 || matches[0] === undefined) {
    const names = index.manifests.map((d) => refNameOf(d) ?? d.digest).join(', ');
    throw new VcError(
      'BUILD_BASE_NOT_FOUND',
      ref === undefined
        ? `oci:${dir} holds ${index.manifests.length} manifests; name one`
        : `oci:${dir} has no image ${ref}`,
      { hint: names === '' ? 'the layout is empty' : `the layout holds ${names}` },
    );
  }
  const manifest = matches[0];
  const copy = (d: { digest: string; size?: number }) => {
    if (!/^sha256:[0-9a-f]{64}$/.test(d.digest)) {
      throw new VcError(
        'STATE_CORRUPT',
        `oci:${dir}: ${JSON.stringify(d.digest)} is not a sha256 digest`,
      );
    }
    return deps.store.putBlob(createReadStream(join(dir, 'blobs', 'sha256', d.digest.slice(7))), d);
  };
  await copy(manifest);
  const parsed = JSON.parse(
    Buffer.from(await deps.store.readBlob(manifest.digest)).toString('utf8'),
  ) as {
    config?: Descriptor;
    layers?: Descriptor[];
  };
  for (const blob of [parsed.config, ...(parsed.layers ?? [])]) {
    if (blob !== undefined) await copy(blob);
  }
  return manifest.digest;
}

async function fromStore(ref: string, digest: string, deps: BaseDeps): Promise<ResolvedBase> {
  const image = await readStoredImage(deps.store, digest);
  const table = await baseTable(image, {
    store: deps.store,
    content: deps.content,
    cacheDir: deps.cacheDir,
    progress: deps.progress,
    logger: deps.logger,
  });
  return { ref, digest, layers: image.layers, config: image.config, table };
}

/** What a registry pull of a base needs. */
export interface RegistryPullDeps {
  readonly store: OciLayoutStore;
  /** Debian architecture of the build (`amd64`, `arm64`): the platform taken from an index. */
  readonly architecture: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** For `~/.docker/config.json`. */
  readonly homeDir: string;
  readonly progress: BuildProgress;
  readonly logger: Logger;
}

/** A registry base pulled into the store (01 §4): at the lock's digest when it pins one. */
export async function pullRegistryBase(
  form: Extract<BaseImage, { kind: 'registry' }>,
  pinned: string | undefined,
  deps: RegistryPullDeps,
): Promise<Descriptor> {
  // The registry client is loaded only for registry bases.
  const { pullImage } = await import('../registry/pull-image.js');
  const at = pinned !== undefined ? `@${pinned}` : `:${form.tag}`;
  const pulled = await pullImage(`${form.host}/${form.repository}${at}`, {
    store: deps.store,
    platform: { os: 'linux', architecture: deps.architecture },
    env: deps.env,
    homeDir: deps.homeDir,
    progress: deps.progress,
    logger: deps.logger,
  });
  return pulled.manifestDescriptor;
}
