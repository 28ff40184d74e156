// SPDX-License-Identifier: Apache-2.0
// Resolution of the Debian package closure (01 §5.1): apt decides, the indexes describe.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import type { Clock, Logger } from '@verified-container/shared';
import type { LockedPackage } from '@verified-container/shared/image';
import { pocketsOf, resolveAptSources } from './apt-sources.js';
import type { AptSourcesInput } from './apt-sources.js';
import { stdoutText } from './exec.js';
import type { Exec } from './exec.js';
import { nearNames } from './near-names.js';
import { PackageUniverse } from './package-universe.js';
import type { IndexText, PocketEntry } from './package-universe.js';
import { PrivateApt } from './private-apt.js';

/** One `Inst` line of `apt-get -s`. */
export interface SimulatedInstall {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  /** The version being replaced (an upgrade of a base package), if any. */
  readonly replaces?: string;
  /** apt's release labels (`Debian-Security:12/oldstable-security`), informative only. */
  readonly releases: readonly string[];
}

export interface AptSimulation {
  readonly installs: readonly SimulatedInstall[];
  /** Base packages apt would remove (`Remv`). */
  readonly removals: readonly string[];
}

const INST = /^Inst (\S+)(?: \[([^\]]*)\])? \((\S+)(?: (.*?))? \[([^\]]+)\]\)/;
const REMV = /^Remv (\S+)/;

/** Parses `apt-get -s install` output (LC_ALL=C): the `Inst` and `Remv` lines. */
export function parseAptSimulation(stdout: string): AptSimulation {
  const installs: SimulatedInstall[] = [];
  const removals: string[] = [];
  for (const line of stdout.split('\n')) {
    const inst = INST.exec(line);
    if (inst !== null) {
      const [, rawName = '', replaces, version = '', releases = '', arch = ''] = inst;
      installs.push({
        name: rawName.split(':', 1)[0] ?? rawName,
        version,
        architecture: arch,
        ...(replaces !== undefined ? { replaces } : {}),
        releases: releases
          .split(',')
          .map((r) => r.trim())
          .filter((r) => r !== ''),
      });
      continue;
    }
    const remv = REMV.exec(line);
    if (remv !== null) removals.push((remv[1] ?? '').split(':', 1)[0] ?? '');
  }
  return { installs, removals };
}

/** A requested package: `name` or `name=version`. */
export interface PackageRequest {
  readonly name: string;
  readonly version?: string;
}

const REQUEST = /^([a-z0-9][a-z0-9+.-]+)(?:=([0-9][A-Za-z0-9.+~:-]*))?$/;

export function parsePackageRequest(text: string): PackageRequest {
  const m = REQUEST.exec(text);
  if (m === null) {
    throw new VcError(
      'MANIFEST_VALUE',
      `${JSON.stringify(text)} is not a Debian package "name" or "name=version"`,
    );
  }
  return m[2] === undefined ? { name: m[1] ?? text } : { name: m[1] ?? text, version: m[2] };
}

/**
 * Checks every request against the indexes before apt sees it. apt treats an unknown name that
 * contains `.`, `+` or `?` as a regular expression (`php8.2-cl` would install every match), so an
 * unknown name must never reach it. Unknown → BUILD_PACKAGE_NOT_FOUND with up to 3 near names;
 * unknown version → BUILD_PACKAGE_NOT_FOUND listing the versions there are; a virtual name with
 * several providers → BUILD_PACKAGE_VIRTUAL listing them. Returns the virtual names with exactly
 * one provider, mapped to it.
 */
export function checkRequests(
  requests: readonly PackageRequest[],
  universe: PackageUniverse,
): Map<string, string> {
  const names = universe.names();
  const entries = universe.entries(new Set(requests.map((r) => r.name)));
  const virtuals = new Map<string, string>();
  const missing: { name: string; near: string[] }[] = [];
  for (const r of requests) {
    if (names.has(r.name)) {
      if (r.version === undefined) continue;
      const versions = [...new Set((entries.get(r.name) ?? []).map((e) => e.entry.version))];
      if (!versions.includes(r.version)) {
        throw new VcError(
          'BUILD_PACKAGE_NOT_FOUND',
          `version ${r.version} of ${r.name} is not in the archive (available: ${versions.join(', ')})`,
          {
            hint: 'old versions leave the mirror after a point release; pin a listed version or drop the pin',
            details: { package: r.name, version: r.version, available: versions },
          },
        );
      }
      continue;
    }
    const providers = universe.providersOf(r.name);
    if (providers.length === 0) {
      missing.push({ name: r.name, near: nearNames(r.name, names) });
    } else if (providers.length > 1) {
      throw new VcError(
        'BUILD_PACKAGE_VIRTUAL',
        `${r.name} is a virtual package provided by ${providers.join(', ')}`,
        {
          hint: 'name one of the providers in [dependencies].packages',
          details: { package: r.name, providers },
        },
      );
    } else if (r.version !== undefined) {
      throw new VcError(
        'BUILD_PACKAGE_NOT_FOUND',
        `${r.name} is a virtual package (provided by ${providers[0] ?? ''}); it has no version ${r.version}`,
        { details: { package: r.name, providers } },
      );
    } else {
      virtuals.set(r.name, providers[0] ?? r.name);
    }
  }
  if (missing.length > 0) throw notFound(missing);
  return virtuals;
}

function notFound(missing: readonly { name: string; near: string[] }[]): VcError {
  const parts = missing.map((m) =>
    m.near.length > 0 ? `${m.name} (did you mean ${m.near.join(', ')}?)` : m.name,
  );
  return new VcError(
    'BUILD_PACKAGE_NOT_FOUND',
    `unknown Debian package${missing.length > 1 ? 's' : ''}: ${parts.join('; ')}`,
    {
      details: { packages: missing.map((m) => ({ name: m.name, near: m.near })) },
      hint: 'check the name with `apt-cache search` on a Debian system of the same suite',
    },
  );
}

/**
 * Turns a failed `apt-get -s` into an error. Unsatisfiable requests become BUILD_PACKAGE_CONFLICT
 * carrying apt's reason lines (`details.reasons`); the other shapes are caught before apt runs
 * ({@link checkRequests}) but are mapped here too.
 */
export function aptFailure(output: string, universe?: PackageUniverse): VcError {
  const lines = output.split('\n').map((l) => l.replace(/\s+$/, ''));
  const errors = lines.filter((l) => l.startsWith('E: ')).map((l) => l.slice(3));
  const unknown = errors
    .map((e) => /^Unable to locate package (\S+)/.exec(e)?.[1])
    .filter((n): n is string => n !== undefined);
  if (unknown.length > 0) {
    const names = universe?.names() ?? new Set<string>();
    return notFound(unknown.map((name) => ({ name, near: nearNames(name, names) })));
  }
  const version = errors.map((e) => /^Version '([^']+)' for '([^']+)' was not found/.exec(e));
  const v = version.find((m) => m !== null && m !== undefined);
  if (v !== undefined && v !== null) {
    return new VcError(
      'BUILD_PACKAGE_NOT_FOUND',
      `version ${v[1] ?? ''} of ${v[2] ?? ''} is not in the archive`,
      { details: { package: v[2], version: v[1] } },
    );
  }
  const providers: string[] = [];
  const virtualAt = lines.findIndex((l) => /is a virtual package provided by:$/.test(l));
  if (virtualAt !== -1) {
    for (const l of lines.slice(virtualAt + 1)) {
      const m = /^ {2}(\S+) \S+/.exec(l);
      if (m === null) break;
      providers.push(m[1] ?? '');
    }
    const name = /^Package (\S+) is a virtual package/.exec(lines[virtualAt] ?? '')?.[1] ?? '';
    return new VcError(
      'BUILD_PACKAGE_VIRTUAL',
      `${name} is a virtual package provided by ${[...providers].sort().join(', ')}`,
      {
        hint: 'name one of the providers in [dependencies].packages',
        details: { package: name, providers: [...providers].sort() },
      },
    );
  }
  const start = lines.findIndex((l) => /have unmet dependencies:$/.test(l));
  const reasons =
    start === -1
      ? []
      : lines.slice(start + 1).filter((l) => /^\s+\S/.test(l) && !l.startsWith('E: '));
  const all = [...reasons.map((r) => r.trim()), ...errors];
  return new VcError(
    'BUILD_PACKAGE_CONFLICT',
    `the Debian packages cannot be installed together${all.length > 0 ? `: ${all.join('; ')}` : ''}`,
    {
      details: { reasons: reasons.map((r) => r.trim()), apt: errors },
      hint: 'remove or change the conflicting packages, or pin versions that fit together',
    },
  );
}

export interface ResolveOptions {
  /** `[dependencies].packages` as written: `name` or `name=version`. */
  readonly requested: readonly string[];
  /** dpkg status text of the base ('' for scratch). */
  readonly baseStatus: string;
}

/**
 * The closure apt would install (01 §5.1): `apt-get -s install --no-install-recommends` with the
 * base's status as `Dir::State::status` and `pkgCacheGen::Essential=none` in the private root,
 * then every `Inst` looked up in the root's verified `Packages` indexes for Filename, Size,
 * SHA256, Source and the pocket. Returns LockedPackage rows sorted by name and architecture;
 * base packages appear only when apt upgrades them. `requested` marks packages named in the
 * manifest (a virtual name marks its single provider).
 */
export async function resolvePackages(
  apt: PrivateApt,
  opts: ResolveOptions,
): Promise<LockedPackage[]> {
  const requests = opts.requested.map(parsePackageRequest);
  if (requests.length === 0) return [];
  const pocketOrder = pocketsOf(apt.sources.suite).map((p) => p.pocket);
  return apt.withLock(async () => {
    const universe = new PackageUniverse(await readIndexes(apt), pocketOrder);
    const virtuals = checkRequests(requests, universe);
    const tmp = await apt.tempDir();
    try {
      const status = join(tmp.path, 'status');
      await fs.writeFile(status, opts.baseStatus);
      const result = await apt.run('apt-get', [
        '-s',
        'install',
        '--no-install-recommends',
        '-o',
        `Dir::State::status=${status}`,
        '-o',
        'pkgCacheGen::Essential=none',
        '-o',
        'APT::Install-Recommends=false',
        ...opts.requested,
      ]);
      const stdout = stdoutText(result);
      if (result.code !== 0) throw aptFailure(`${stdout}\n${result.stderr}`, universe);
      const simulation = parseAptSimulation(stdout);
      if (simulation.removals.length > 0) {
        throw new VcError(
          'BUILD_PACKAGE_CONFLICT',
          `installing the packages would remove base packages: ${simulation.removals.join(', ')}`,
          { details: { removals: simulation.removals } },
        );
      }
      const requestedNames = new Set(requests.map((r) => virtuals.get(r.name) ?? r.name));
      return lockedPackagesOf(simulation.installs, universe, pocketOrder, requestedNames);
    } finally {
      await tmp.dispose();
    }
  });
}

/**
 * Joins apt's choices with the index entries: the pocket is the first (in `pocketOrder`) whose
 * index holds that name, version and architecture — when a version is in both the suite and its
 * security pocket the suite's copy is recorded.
 */
export function lockedPackagesOf(
  installs: readonly SimulatedInstall[],
  universe: PackageUniverse,
  pocketOrder: readonly string[],
  requested: ReadonlySet<string>,
): LockedPackage[] {
  const entries = universe.entries(new Set(installs.map((i) => i.name)));
  const rank = (pocket: string) => {
    const i = pocketOrder.indexOf(pocket);
    return i === -1 ? pocketOrder.length : i;
  };
  const out: LockedPackage[] = installs.map((inst) => {
    const candidates: PocketEntry[] = (entries.get(inst.name) ?? [])
      .filter((e) => e.entry.version === inst.version && e.entry.architecture === inst.architecture)
      .sort((a, b) => rank(a.pocket) - rank(b.pocket));
    const chosen = candidates[0];
    if (chosen === undefined) {
      throw new VcError(
        'INTERNAL',
        `apt chose ${inst.name} ${inst.version} [${inst.architecture}], which no index of the apt root holds`,
      );
    }
    const e = chosen.entry;
    return {
      name: e.name,
      version: e.version,
      architecture: e.architecture,
      sha256: e.sha256,
      size: e.size,
      source: e.source,
      sourceVersion: e.sourceVersion,
      pocket: chosen.pocket,
      filename: e.filename,
      requested: requested.has(e.name),
    };
  });
  return out.sort(comparePackages);
}

/** Order of the lock's `packages`: by name, then architecture (code units). */
export function comparePackages(
  a: Pick<LockedPackage, 'name' | 'architecture'>,
  b: Pick<LockedPackage, 'name' | 'architecture'>,
): number {
  return cmp(a.name, b.name) || cmp(a.architecture, b.architecture);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function readIndexes(apt: PrivateApt): Promise<IndexText[]> {
  const files = await apt.indexes();
  return Promise.all(
    files.map(async (f) => ({ pocket: f.pocket, text: await fs.readFile(f.path, 'utf8') })),
  );
}

export interface ResolveDebianDeps {
  readonly exec: Exec;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `$VC_ROOT/cache`. */
  readonly cacheDir: string;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export interface ResolveDebianOptions extends AptSourcesInput, ResolveOptions {
  /** Reuse lists younger than this (default 1 h). */
  readonly maxListsAgeMs?: number;
}

export interface ResolveDebianResult {
  readonly packages: LockedPackage[];
  readonly apt: PrivateApt;
  readonly listsUpdated: boolean;
}

/**
 * Opens the private apt root for the sources, updates its lists when they are older than
 * `maxListsAgeMs`, and resolves. Only for a build that has no usable lock: with a lock (or
 * `--frozen`) nothing here runs.
 */
export async function resolveDebianPackages(
  deps: ResolveDebianDeps,
  opts: ResolveDebianOptions,
): Promise<ResolveDebianResult> {
  const sources = resolveAptSources(opts, deps.env);
  const apt = await PrivateApt.open({ ...deps, sources });
  if (opts.requested.length === 0) return { packages: [], apt, listsUpdated: false };
  const update = await apt.update({ maxAgeMs: opts.maxListsAgeMs });
  const packages = await resolvePackages(apt, opts);
  return { packages, apt, listsUpdated: update.updated };
}
