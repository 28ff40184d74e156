// SPDX-License-Identifier: Apache-2.0
// How bin.ts starts vordr from the single-file build (`pnpm build` writes dist/vordr.cjs from
// main.ts and everything it imports, see scripts/bundle-vordr.js) with V8's code cache.
//   Most of a `vordr run` start used to be node resolving, reading, compiling and linking ~350
//   ES modules; one file removes the resolving and linking, and the code cache the compiling: the
//   first run of a command stores the code V8 compiled for it (vm.Script#createCachedData) under
//   dist/compile-cache/, later runs of that command hand it back (`cachedData`). V8 checks that a
//   cache fits its version and flags and rejects it otherwise; the file name also carries the
//   bundle's size and mtime, node's version, arch and flags, so a rebuilt bundle never meets an old
//   cache (the build empties the directory too). The cache lives beside the code, with the
//   code's owner and permissions: writing it needs the same rights as changing vordr itself.
//   An unwritable dist/ just means no cache. VORDR_COMPILE_CACHE=0 turns it off.
//   A bundle older than tsc's output (someone ran `tsc -b` without the bundling step after an
//   edit) is not used: bin.ts then imports main.js and the modules one by one, as before; so
//   under `node --enable-source-maps`, whose stack traces then lead to the TypeScript.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

/** The single-file build of main.ts, in dist/. */
export const BUNDLE_FILE = 'vordr.cjs';
/** Where the code caches live, in dist/. */
export const COMPILE_CACHE_DIR = 'compile-cache';

/**
 * tsc's build info of every workspace package the bundle is made of, relative to dist/ (the
 * workspace layout; files that do not exist, as in an installed package, are left out).
 */
const TSC_BUILD_INFO = [
  '.tsbuildinfo',
  '../../shared/dist/.tsbuildinfo',
  '../../host/dist/.tsbuildinfo',
];

/**
 * Commands with a cache of their own: each caches the code it ran, and a cache made by one
 * command (say `ps`) lacks what another (`run`) needs. Every other word shares `other`.
 */
const CACHED_COMMANDS: ReadonlySet<string> = new Set([
  'run',
  'start',
  'restart',
  'stop',
  'rm',
  'exec',
  'ps',
  'logs',
  'inspect',
  'verify',
  'check',
  'internal',
]);

/** Global flags that take a value (cli.ts), so the word after them is not the command. */
const VALUE_FLAGS: ReadonlySet<string> = new Set([
  '--root',
  '--runtime',
  '--socket',
  '--log-level',
]);

/** The cache a command line uses: its command word when that has a cache of its own, else `other`. */
export function cacheCommand(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) return CACHED_COMMANDS.has(arg) ? arg : 'other';
    if (VALUE_FLAGS.has(arg)) i++;
  }
  return 'other';
}

/** What a cache must match besides the source: the node binary and its flags. */
export interface NodeIdentity {
  readonly version: string;
  readonly arch: string;
  /** process.execArgv and NODE_OPTIONS, which may change V8's flags. */
  readonly flags: string;
}

/**
 * The cache file of `command` for a bundle of `size` bytes last written at `mtimeMs`, compiled
 * by `node`: every input that makes a cache unusable is in the name.
 */
export function cacheFileName(
  command: string,
  bundle: { readonly size: number; readonly mtimeMs: number },
  node: NodeIdentity,
): string {
  const flags = node.flags === '' ? '' : `-${fnv1a(node.flags)}`;
  return `${command}-${node.version}-${node.arch}${flags}-${bundle.size}-${Math.trunc(bundle.mtimeMs)}.v8`;
}

/** Whether the bundle is at least as new as every tsc build info (undefined: no such file). */
export function bundleIsCurrent(
  bundleMtimeMs: number,
  buildInfoMtimesMs: readonly (number | undefined)[],
): boolean {
  return buildInfoMtimesMs.every((m) => m === undefined || m <= bundleMtimeMs);
}

/**
 * The source as a function of the CommonJS module scope and the bundle's URL (from which the
 * build derives each module's `import.meta.url`).
 */
export function wrapBundle(source: string): string {
  // A shebang is only valid at the very start of a script: keep the line, as a comment.
  const body = source.startsWith('#!') ? `//${source}` : source;
  return `(function (exports, require, module, __filename, __dirname, __vordrImportMetaUrl) {${body}\n})`;
}

/** What {@link launchBundle} did: not started (why), or started and how the code cache went. */
export type LaunchOutcome =
  | { readonly started: false; readonly reason: 'no-bundle' | 'stale-bundle' | 'source-maps' }
  | { readonly started: true; readonly cache: 'used' | 'written-at-exit' | 'rejected' | 'off' };

/**
 * Runs dist/vordr.cjs (in `dist`) with the command's code cache. Not started when there is no
 * bundle, when it is older than tsc's output, or under `node --enable-source-maps` (node maps
 * stack traces of modules, not of vm scripts): the caller imports main.js instead.
 */
export function launchBundle(
  dist: string,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): LaunchOutcome {
  if (process.sourceMapsEnabled) return { started: false, reason: 'source-maps' };
  const bundle = join(dist, BUNDLE_FILE);
  const stat = statSync(bundle, { throwIfNoEntry: false });
  if (stat === undefined) return { started: false, reason: 'no-bundle' };
  const buildInfo = TSC_BUILD_INFO.map(
    (path) => statSync(join(dist, path), { throwIfNoEntry: false })?.mtimeMs,
  );
  if (!bundleIsCurrent(stat.mtimeMs, buildInfo)) return { started: false, reason: 'stale-bundle' };

  const cacheFile =
    env['VORDR_COMPILE_CACHE'] === '0'
      ? undefined
      : join(
          dist,
          COMPILE_CACHE_DIR,
          cacheFileName(cacheCommand(argv), stat, {
            version: process.version,
            arch: process.arch,
            flags: [...process.execArgv, env['NODE_OPTIONS'] ?? ''].join(' ').trim(),
          }),
        );
  const cachedData = cacheFile === undefined ? undefined : readIfExists(cacheFile);
  const script = new Script(wrapBundle(readFileSync(bundle, 'utf8')), {
    filename: bundle,
    ...(cachedData !== undefined ? { cachedData } : {}),
  });
  let cache: 'used' | 'written-at-exit' | 'rejected' | 'off' = 'off';
  if (cacheFile !== undefined) {
    cache =
      cachedData === undefined
        ? 'written-at-exit'
        : script.cachedDataRejected === true
          ? 'rejected'
          : 'used';
    // At the end, so the cache holds every function this command compiled, not just the top level.
    if (cache !== 'used') process.once('exit', () => writeCache(cacheFile, script));
  }
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(bundle), module, bundle, dist, pathToFileURL(bundle).href);
  return { started: true, cache };
}

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Written aside and renamed in (concurrent first runs each write a whole file); failures ignored. */
function writeCache(path: string, script: Script): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    writeFileSync(tmp, script.createCachedData(), { mode: 0o644 });
    renameSync(tmp, path);
  } catch {
    // dist/ not writable (an installed package, a read-only file system): no cache, same vordr.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing to remove
    }
  }
}

/** FNV-1a (32 bit) of a string, as 8 hex digits: a short tag for the node flags in a file name. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
