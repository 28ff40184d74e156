// SPDX-License-Identifier: Apache-2.0
// `<dir>/<stem>.lock.json` (01 §5.2): format, digest of the inputs, strict reading, --frozen.
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VcError } from '@verified-container/shared';
import type { LockedPackage } from '@verified-container/shared/image';
import type { Manifest } from '@verified-container/shared/manifest';
import { canonicalize, JsonError, parseJson } from '@verified-container/shared/json';
import type { JsonValue } from '@verified-container/shared/json';
import { sha256Hex } from '@verified-container/shared/crypto';
import type { LockSource, MirrorKind } from './apt-sources.js';
import { writeFileAtomic } from '../io/files.js';

export const LOCK_VERSION = 1;

export interface LockBase {
  /** The base as written in the manifest (`scratch`, `cerro-torre/debian:bookworm-slim`, …). */
  readonly ref: string;
  /** `sha256:<hex>` of the base's manifest; null for `scratch`. */
  readonly digest: string | null;
  /** The base's own lock, embedded when the base is a `cerro-torre/debian` image. */
  readonly lock?: Lockfile;
}

export interface LockExternal {
  readonly name: string;
  readonly version: string;
  readonly url: string;
  /** Lowercase hex. */
  readonly sha256: string;
  readonly size: number;
}

export interface LockFetch {
  readonly url: string;
  readonly sha256: string;
  readonly size: number;
}

export interface LockComposer {
  /** Index of the `composer-require` step in `build.steps`. */
  readonly step: number;
  readonly composerJson: string;
  readonly composerLock: string;
}

export interface Lockfile {
  readonly lockVersion: 1;
  readonly generator: string;
  /** `sha256:<hex>` of the JCS of {@link LockInputs}. */
  readonly inputsDigest: string;
  readonly sourceDateEpoch: number;
  readonly architecture: string;
  readonly suite: string;
  readonly base: LockBase;
  readonly sources: readonly LockSource[];
  readonly packages: readonly LockedPackage[];
  readonly external: readonly LockExternal[];
  readonly fetches: readonly LockFetch[];
  readonly composer: readonly LockComposer[];
}

/** The inputs whose digest decides whether a lock still fits its manifest (01 §5.2). */
export interface LockInputs {
  readonly architecture: string;
  readonly suite: string;
  readonly components: readonly string[];
  /** `[dependencies].packages` as written, in order. */
  readonly packages: readonly string[];
  /** `[base].image` as written. */
  readonly base: string;
  /** Sorted by name. */
  readonly external: readonly { name: string; version: string; source: string; hash: string }[];
  readonly composer: readonly {
    step: number;
    package: string;
    repositories: readonly { type: string; url: string }[];
    packagist: boolean;
  }[];
}

/** `php-aegis-wordpress.ctp` → `php-aegis-wordpress.lock.json` next to it. */
export function lockfilePath(manifestPath: string): string {
  const name = basename(manifestPath).replace(/\.ctp$/, '');
  return join(dirname(manifestPath), `${name}.lock.json`);
}

/**
 * The lock inputs of a manifest; `architecture` and `suite` are the normalised values the build
 * uses (the manifest may leave them to the host and the base).
 */
export function lockInputsFromManifest(
  manifest: Manifest,
  resolved: { architecture: string; suite: string },
): LockInputs {
  const deps = manifest.dependencies;
  return {
    architecture: resolved.architecture,
    suite: resolved.suite,
    components: [...deps.components],
    packages: [...deps.packages],
    base: manifest.base.image,
    external: Object.entries(deps.external)
      .map(([name, e]) => ({ name, version: e.version, source: e.source, hash: e.hash }))
      .sort((a, b) => cmp(a.name, b.name)),
    composer: manifest.build.steps.flatMap((step, index) =>
      step.action === 'composer-require'
        ? [
            {
              step: index,
              package: step.package,
              repositories: step.repositories.map((r) => ({ type: r.type, url: r.url })),
              packagist: step.packagist,
            },
          ]
        : [],
    ),
  };
}

/** `sha256:` + hex of the JCS of the inputs (external sorted by name first). */
export function computeInputsDigest(inputs: LockInputs): string {
  const value = {
    architecture: inputs.architecture,
    suite: inputs.suite,
    components: [...inputs.components],
    packages: [...inputs.packages],
    base: inputs.base,
    external: [...inputs.external]
      .sort((a, b) => cmp(a.name, b.name))
      .map((e) => ({ name: e.name, version: e.version, source: e.source, hash: e.hash })),
    composer: inputs.composer.map((c) => ({
      step: c.step,
      package: c.package,
      repositories: c.repositories.map((r) => ({ type: r.type, url: r.url })),
      packagist: c.packagist,
    })),
  };
  return `sha256:${sha256Hex(canonicalize(value))}`;
}

/**
 * The lock as 01 §5.2 writes it: keys in the table's order, `packages` sorted by name then
 * architecture, `external` by name, `fetches` by url, `composer` by step; 2-space JSON and a
 * final LF.
 */
export function serializeLockfile(lock: Lockfile): string {
  return `${JSON.stringify(orderedLock(lock), null, 2)}\n`;
}

function orderedLock(lock: Lockfile): Record<string, unknown> {
  return {
    lockVersion: lock.lockVersion,
    generator: lock.generator,
    inputsDigest: lock.inputsDigest,
    sourceDateEpoch: lock.sourceDateEpoch,
    architecture: lock.architecture,
    suite: lock.suite,
    base: {
      ref: lock.base.ref,
      digest: lock.base.digest,
      ...(lock.base.lock !== undefined ? { lock: orderedLock(lock.base.lock) } : {}),
    },
    sources: lock.sources.map((s) => ({
      pocket: s.pocket,
      suite: s.suite,
      components: [...s.components],
      mirror: s.mirror,
    })),
    packages: [...lock.packages]
      .sort((a, b) => cmp(a.name, b.name) || cmp(a.architecture, b.architecture))
      .map((p) => ({
        name: p.name,
        version: p.version,
        architecture: p.architecture,
        sha256: p.sha256,
        size: p.size,
        source: p.source,
        sourceVersion: p.sourceVersion,
        pocket: p.pocket,
        filename: p.filename,
        requested: p.requested,
      })),
    external: [...lock.external]
      .sort((a, b) => cmp(a.name, b.name))
      .map((e) => ({
        name: e.name,
        version: e.version,
        url: e.url,
        sha256: e.sha256,
        size: e.size,
      })),
    fetches: [...lock.fetches]
      .sort((a, b) => cmp(a.url, b.url))
      .map((f) => ({ url: f.url, sha256: f.sha256, size: f.size })),
    composer: [...lock.composer]
      .sort((a, b) => a.step - b.step)
      .map((c) => ({ step: c.step, composerJson: c.composerJson, composerLock: c.composerLock })),
  };
}

/** Writes the lock atomically (temp file, fsync, rename). */
export async function writeLockfile(path: string, lock: Lockfile): Promise<void> {
  await writeFileAtomic(path, serializeLockfile(lock));
}

/** Reads a lock; undefined when the file does not exist. Unreadable → READ_FAILED; bad → BUILD_LOCK_INVALID. */
export async function readLockfile(path: string): Promise<Lockfile | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new VcError('READ_FAILED', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  return parseLockfile(bytes, { source: path });
}

/**
 * Strict reading (02 §1 strict JSON: no duplicate keys, integers only): every field of 01 §5.2
 * with its type, no unknown keys, `lockVersion` 1, hex digests. Any deviation → BUILD_LOCK_INVALID
 * naming the JSON path.
 */
export function parseLockfile(input: Uint8Array | string, opts: { source: string }): Lockfile {
  let value: JsonValue;
  try {
    value = parseJson(input, { mode: 'strict', integersOnly: true });
  } catch (cause) {
    const where = cause instanceof JsonError ? cause.message : String(cause);
    throw new VcError('BUILD_LOCK_INVALID', `${opts.source}: not valid JSON: ${where}`, {
      cause,
      hint: 'delete the lock to resolve again, or restore it from version control',
    });
  }
  return new LockReader(opts.source).lock(value, '$');
}

class LockReader {
  constructor(private readonly source: string) {}

  fail(path: string, message: string): never {
    throw new VcError('BUILD_LOCK_INVALID', `${this.source}: ${path}: ${message}`, {
      details: { path },
      hint: 'delete the lock to resolve again, or restore it from version control',
    });
  }

  object(
    v: JsonValue | undefined,
    path: string,
    keys: readonly string[],
    optional: readonly string[] = [],
  ) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v === undefined) {
      return this.fail(path, 'must be an object');
    }
    for (const k of Object.keys(v)) {
      if (!keys.includes(k) && !optional.includes(k)) this.fail(`${path}.${k}`, 'unknown field');
    }
    for (const k of keys) if (!Object.hasOwn(v, k)) this.fail(`${path}.${k}`, 'missing');
    return v;
  }

  string(v: JsonValue | undefined, path: string, re?: RegExp): string {
    if (typeof v !== 'string') return this.fail(path, 'must be a string');
    if (re !== undefined && !re.test(v))
      return this.fail(path, `invalid value ${JSON.stringify(v)}`);
    return v;
  }

  integer(v: JsonValue | undefined, path: string, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) {
      return this.fail(path, `must be an integer from 0 to ${max}`);
    }
    return v;
  }

  boolean(v: JsonValue | undefined, path: string): boolean {
    if (typeof v !== 'boolean') return this.fail(path, 'must be true or false');
    return v;
  }

  array(v: JsonValue | undefined, path: string): JsonValue[] {
    if (!Array.isArray(v)) return this.fail(path, 'must be an array');
    return v;
  }

  lock(v: JsonValue, path: string): Lockfile {
    const o = this.object(v, path, [
      'lockVersion',
      'generator',
      'inputsDigest',
      'sourceDateEpoch',
      'architecture',
      'suite',
      'base',
      'sources',
      'packages',
      'external',
      'fetches',
      'composer',
    ]);
    if (o['lockVersion'] !== LOCK_VERSION) {
      this.fail(
        `${path}.lockVersion`,
        `unsupported lock version ${JSON.stringify(o['lockVersion'])} (this builder writes 1)`,
      );
    }
    const base = this.object(o['base'], `${path}.base`, ['ref', 'digest'], ['lock']);
    const digest = base['digest'];
    return {
      lockVersion: LOCK_VERSION,
      generator: this.string(o['generator'], `${path}.generator`),
      inputsDigest: this.string(o['inputsDigest'], `${path}.inputsDigest`, SHA256_DIGEST),
      sourceDateEpoch: this.integer(o['sourceDateEpoch'], `${path}.sourceDateEpoch`, 253402300799),
      architecture: this.string(o['architecture'], `${path}.architecture`, WORD),
      suite: this.string(o['suite'], `${path}.suite`, WORD),
      base: {
        ref: this.string(base['ref'], `${path}.base.ref`),
        digest: digest === null ? null : this.string(digest, `${path}.base.digest`, SHA256_DIGEST),
        ...(base['lock'] !== undefined
          ? { lock: this.lock(base['lock'], `${path}.base.lock`) }
          : {}),
      },
      sources: this.array(o['sources'], `${path}.sources`).map((s, i) => {
        const p = `${path}.sources[${i}]`;
        const so = this.object(s, p, ['pocket', 'suite', 'components', 'mirror']);
        return {
          pocket: this.string(so['pocket'], `${p}.pocket`, WORD),
          suite: this.string(so['suite'], `${p}.suite`, WORD),
          components: this.array(so['components'], `${p}.components`).map((c, j) =>
            this.string(c, `${p}.components[${j}]`, WORD),
          ),
          mirror: this.string(
            so['mirror'],
            `${p}.mirror`,
            /^(?:debian|debian-security)$/,
          ) as MirrorKind,
        };
      }),
      packages: this.array(o['packages'], `${path}.packages`).map((v2, i) =>
        this.lockedPackage(v2, `${path}.packages[${i}]`),
      ),
      external: this.array(o['external'], `${path}.external`).map((e, i) => {
        const p = `${path}.external[${i}]`;
        const eo = this.object(e, p, ['name', 'version', 'url', 'sha256', 'size']);
        return {
          name: this.string(eo['name'], `${p}.name`),
          version: this.string(eo['version'], `${p}.version`),
          url: this.string(eo['url'], `${p}.url`),
          sha256: this.string(eo['sha256'], `${p}.sha256`, HEX64),
          size: this.integer(eo['size'], `${p}.size`),
        };
      }),
      fetches: this.array(o['fetches'], `${path}.fetches`).map((f, i) => {
        const p = `${path}.fetches[${i}]`;
        const fo = this.object(f, p, ['url', 'sha256', 'size']);
        return {
          url: this.string(fo['url'], `${p}.url`),
          sha256: this.string(fo['sha256'], `${p}.sha256`, HEX64),
          size: this.integer(fo['size'], `${p}.size`),
        };
      }),
      composer: this.array(o['composer'], `${path}.composer`).map((c, i) => {
        const p = `${path}.composer[${i}]`;
        const co = this.object(c, p, ['step', 'composerJson', 'composerLock']);
        return {
          step: this.integer(co['step'], `${p}.step`),
          composerJson: this.string(co['composerJson'], `${p}.composerJson`),
          composerLock: this.string(co['composerLock'], `${p}.composerLock`),
        };
      }),
    };
  }

  lockedPackage(v: JsonValue, p: string): LockedPackage {
    const o = this.object(v, p, [
      'name',
      'version',
      'architecture',
      'sha256',
      'size',
      'source',
      'sourceVersion',
      'pocket',
      'filename',
      'requested',
    ]);
    return {
      name: this.string(o['name'], `${p}.name`, PACKAGE_NAME),
      version: this.string(o['version'], `${p}.version`, VERSION),
      architecture: this.string(o['architecture'], `${p}.architecture`, WORD),
      sha256: this.string(o['sha256'], `${p}.sha256`, HEX64),
      size: this.integer(o['size'], `${p}.size`),
      source: this.string(o['source'], `${p}.source`, PACKAGE_NAME),
      sourceVersion: this.string(o['sourceVersion'], `${p}.sourceVersion`, VERSION),
      pocket: this.string(o['pocket'], `${p}.pocket`, WORD),
      filename: this.string(o['filename'], `${p}.filename`, POOL_PATH),
      requested: this.boolean(o['requested'], `${p}.requested`),
    };
  }
}

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const WORD = /^[a-z0-9][a-z0-9.+-]*$/;
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]*$/;
const VERSION = /^[0-9A-Za-z.+~:-]+$/;
/** A relative pool path without `..`: it is appended to a mirror URL. */
const POOL_PATH = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9._+~%:/-]+$/;

/** What `--frozen` and the reuse decision need to know (01 §5.2 Rules). */
export type LockDecision =
  | { readonly kind: 'use'; readonly lock: Lockfile }
  | {
      readonly kind: 'resolve';
      readonly reason: 'missing' | 'changed';
      readonly changes: readonly string[];
    };

/**
 * Decides whether the build uses the lock as it is: yes when its `inputsDigest` equals the
 * manifest's; otherwise it resolves again (and rewrites the lock). With `frozen`, a missing lock →
 * BUILD_LOCK_MISSING and a different digest → BUILD_LOCK_MISMATCH naming what changed; the lock
 * is never written.
 */
export function decideLock(
  lock: Lockfile | undefined,
  inputs: LockInputs,
  opts: { frozen: boolean; lockPath: string },
): LockDecision {
  const digest = computeInputsDigest(inputs);
  if (lock === undefined) {
    if (opts.frozen) {
      throw new VcError('BUILD_LOCK_MISSING', `--frozen: there is no lock ${opts.lockPath}`, {
        hint: 'run `cerro-torre lock` (or a build without --frozen) and commit the lock',
      });
    }
    return { kind: 'resolve', reason: 'missing', changes: [] };
  }
  if (lock.inputsDigest === digest) return { kind: 'use', lock };
  const changes = describeLockChanges(lock, inputs);
  if (opts.frozen) {
    throw new VcError(
      'BUILD_LOCK_MISMATCH',
      `--frozen: ${opts.lockPath} does not match the manifest: ${changes.join('; ')}`,
      {
        hint: 'run `cerro-torre lock --update` and commit the lock',
        details: { changes, lockDigest: lock.inputsDigest, manifestDigest: digest },
      },
    );
  }
  return { kind: 'resolve', reason: 'changed', changes };
}

/**
 * What differs between a lock and the manifest's inputs, for people: architecture, suite,
 * components, base, requested packages and pins, external dependencies and composer steps. When
 * none of those shows a difference the digest itself is named.
 */
export function describeLockChanges(lock: Lockfile, inputs: LockInputs): string[] {
  const changes: string[] = [];
  if (lock.architecture !== inputs.architecture) {
    changes.push(`architecture ${lock.architecture} → ${inputs.architecture}`);
  }
  if (lock.suite !== inputs.suite) changes.push(`suite ${lock.suite} → ${inputs.suite}`);
  const lockComponents = lock.sources[0]?.components ?? [];
  if (lockComponents.join(' ') !== inputs.components.join(' ')) {
    changes.push(`components [${lockComponents.join(', ')}] → [${inputs.components.join(', ')}]`);
  }
  if (lock.base.ref !== inputs.base) changes.push(`base ${lock.base.ref} → ${inputs.base}`);

  const requested = new Map(
    inputs.packages.map((p) => {
      const [name = p, version] = p.split('=');
      return [name, version] as const;
    }),
  );
  const locked = new Map(lock.packages.map((p) => [p.name, p]));
  const lockedRequested = lock.packages.filter((p) => p.requested).map((p) => p.name);
  const added = [...requested.keys()].filter((n) => locked.get(n)?.requested !== true);
  const removed = lockedRequested.filter((n) => !requested.has(n));
  if (added.length > 0) changes.push(`packages added: ${added.join(', ')}`);
  if (removed.length > 0) changes.push(`packages removed: ${removed.join(', ')}`);
  for (const [name, version] of requested) {
    const p = locked.get(name);
    if (version !== undefined && p !== undefined && p.version !== version) {
      changes.push(`package ${name} pinned to ${version} (locked ${p.version})`);
    }
  }

  const lockExternal = new Map(lock.external.map((e) => [e.name, e]));
  const inputExternal = new Map(inputs.external.map((e) => [e.name, e]));
  for (const [name, e] of inputExternal) {
    const l = lockExternal.get(name);
    if (l === undefined) changes.push(`external ${name} added`);
    else {
      const what: string[] = [];
      if (l.version !== e.version) what.push(`version ${l.version} → ${e.version}`);
      if (l.url !== e.source) what.push(`source ${l.url} → ${e.source}`);
      if (`sha256:${l.sha256}` !== e.hash.toLowerCase()) what.push('hash');
      if (what.length > 0) changes.push(`external ${name}: ${what.join(', ')}`);
    }
  }
  for (const name of lockExternal.keys()) {
    if (!inputExternal.has(name)) changes.push(`external ${name} removed`);
  }
  const lockSteps = lock.composer.map((c) => c.step).join(',');
  const inputSteps = inputs.composer.map((c) => c.step).join(',');
  if (lockSteps !== inputSteps) changes.push('composer-require steps changed');
  if (changes.length === 0) {
    changes.push(
      'the inputs digest differs (composer-require packages or repositories, or the order of packages)',
    );
  }
  return changes;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
