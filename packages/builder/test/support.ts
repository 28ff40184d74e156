// SPDX-License-Identifier: Apache-2.0
// Helpers of the builder's tests under test/ and of the command tests: CLI deps, temporary
// directories, and the tool, network and runc checks of the integration and slow suites.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noopLogger } from '@verified-container/shared';
import { TEST_CLOCK } from '../src/build/test-support.js';
import type { CliDeps, CommandResult } from '../src/cli/deps.js';
import { runCli } from '../src/cli.js';
import type { BuildCommandDeps } from '../src/commands/build.js';
import { DEFAULT_APT_MIRROR } from '../src/debian/apt-sources.js';

export const FIXTURES = new URL('../../shared/test/fixtures/', import.meta.url);
export const REFERENCE_MANIFEST = new URL('manifests/php-aegis-wordpress.ctp', FIXTURES).pathname;
export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;

export function makeDeps(cwd: string, env: Record<string, string> = {}): CliDeps {
  return {
    env: { VC_ROOT: join(cwd, 'store'), ...env },
    cwd,
    uid: 1000,
    homeDir: cwd,
    clock: TEST_CLOCK,
    logger: noopLogger,
    interactive: false,
  };
}

/** A fresh temporary directory; `dispose` removes it (use with `await using` or in finally). */
export function tempDir(prefix = 'ct-test-'): { path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

export function text(out: string | Uint8Array | undefined): string {
  if (out === undefined) return '';
  return typeof out === 'string' ? out : Buffer.from(out).toString('utf8');
}

/** True when `tool arg` (`--version` unless given) runs and exits 0. */
export function has(tool: string, arg = '--version'): boolean {
  return spawnSync(tool, [arg], { stdio: 'ignore' }).status === 0;
}

/** True when the tests run as root (runc and the build sandbox need it). */
export const IS_ROOT = process.getuid?.() === 0;

/** True when a HEAD request to `url` answers 2xx within 5 s. */
export async function reachable(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5000) })).ok;
  } catch {
    return false;
  }
}

/** The Debian mirror of the network tests: `CT_APT_MIRROR`, else the builder's default. */
export const DEBIAN_MIRROR = process.env['CT_APT_MIRROR'] ?? DEFAULT_APT_MIRROR;

/**
 * True when the Debian tests can run: every one of `tools` answers `--version`, and then the
 * mirror's bookworm InRelease answers a HEAD request.
 */
export async function debianMirrorReady(...tools: string[]): Promise<boolean> {
  return (
    tools.every((tool) => has(tool)) &&
    (await reachable(`${DEBIAN_MIRROR}/dists/bookworm/InRelease`))
  );
}

/**
 * Enough of Debian's essential set for dpkg and the maintainer scripts to run (sorted); tests add
 * what they build on top.
 */
export const DPKG_ESSENTIAL_PACKAGES: readonly string[] = [
  'base-files',
  'base-passwd',
  'bash',
  'bsdutils',
  'coreutils',
  'dash',
  'debconf',
  'debianutils',
  'diffutils',
  'dpkg',
  'findutils',
  'grep',
  'gzip',
  'init-system-helpers',
  'libc-bin',
  'mawk',
  'perl-base',
  'sed',
  'tar',
  'util-linux',
];

/** The host environment without SOURCE_DATE_EPOCH, so builds take the epoch of their lock. */
export function hostEnv(): Record<string, string | undefined> {
  return { ...process.env, SOURCE_DATE_EPOCH: undefined };
}

/**
 * `cerro-torre build` deps of the slow tests: the {@link hostEnv} with VC_ROOT `<dir>/store`, cwd
 * and home `dir`, uid 0, the fixed test clock, no log and no progress output.
 */
export function hostBuildDeps(dir: string): BuildCommandDeps {
  return {
    env: { ...hostEnv(), VC_ROOT: join(dir, 'store') },
    cwd: dir,
    uid: 0,
    homeDir: dir,
    clock: TEST_CLOCK,
    logger: noopLogger,
    interactive: false,
    progress: () => undefined,
  };
}

/** Wall-clock milliseconds per label, for the slow suites to print how long their steps took. */
export class Timings {
  readonly ms: Record<string, number> = {};

  /** Runs `fn` and records its duration under `label`, also when it fails. */
  async time<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.ms[label] = Math.round(performance.now() - started);
    }
  }

  /** Prints `<what> timings (ms): {…}`. */
  print(what: string): void {
    console.log(`${what} timings (ms): ${JSON.stringify(this.ms)}`);
  }
}

/** A `cerro-torre build --json` run: the command result and its parsed --json document. */
export type CliBuild<Doc> = CommandResult & { readonly doc: Doc | undefined };

/**
 * Runs `cerro-torre build <manifest> --json <args>` with `deps`, timed under `label`; `doc` is
 * the parsed stdout (undefined when there is none).
 */
export async function timedBuild<Doc>(
  timings: Timings,
  label: string,
  deps: BuildCommandDeps,
  manifest: string,
  ...args: string[]
): Promise<CliBuild<Doc>> {
  const result = await timings.time(label, () =>
    runCli(['build', manifest, '--json', ...args], deps),
  );
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  return { ...result, doc: stdout === '' ? undefined : (JSON.parse(stdout) as Doc) };
}

/** Unpacks `<layout>:<ref>` with umoci into the runtime bundle `bundle`. */
export function umociUnpack(
  layout: string,
  ref: string,
  bundle: string,
  opts: { rootless?: boolean } = {},
): void {
  const rootless = opts.rootless === true ? ['--rootless'] : [];
  execFileSync('umoci', ['unpack', ...rootless, '--image', `${layout}:${ref}`, bundle], {
    stdio: 'ignore',
  });
}

/**
 * Runs a umoci bundle's own process under runc as container `id`, without a terminal; returns
 * its stdout (throws on a non-zero exit or after 30 s).
 */
export function runcRun(bundle: string, id: string): string {
  const configPath = join(bundle, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as {
    process: { terminal: boolean };
  };
  config.process.terminal = false;
  writeFileSync(configPath, JSON.stringify(config));
  return execFileSync('runc', ['run', id], { cwd: bundle, encoding: 'utf8', timeout: 30_000 });
}

/** The Debian rows (`name version sha256`) of an SPDX document, sorted. */
export function sbomDebianRows(sbom: { packages: unknown[] }): string[] {
  return (
    sbom.packages as {
      name: string;
      versionInfo?: string;
      checksums?: { checksumValue: string }[];
      externalRefs?: { referenceLocator: string }[];
    }[]
  )
    .filter((p) => p.externalRefs?.some((r) => r.referenceLocator.startsWith('pkg:deb/')))
    .map((p) => `${p.name} ${p.versionInfo} ${p.checksums?.[0]?.checksumValue}`)
    .sort();
}
