// SPDX-License-Identifier: Apache-2.0
// `composer-require` in the build sandbox (01 §3, §5.4): the rootfs written to a directory,
// composer's scratch space (path repositories, COMPOSER_HOME, cache, temp) bind-mounted at a
// fixed path, composer run under runc, and the working directory read back as file-table changes.
import { constants, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VcError, noopLogger, type Logger } from '@verified-container/shared';
import { compareByPathBytes, type FileEntry } from '@verified-container/shared/image';
import { readRootfsSubtree, writeRootfsDir } from '../build/rootfs-dir.js';
import type { ContentStore } from '../content/content-store.js';
import { childPath, isWithin, parentPath, splitPath } from '../steps/rootfs-path.js';
import type {
  ComposerRequest,
  ComposerResult,
  ComposerRunner,
  RootFsChange,
} from '../steps/step-context.js';
import { lastLines } from './output-tail.js';
import type { SandboxBindMount } from './runc-config.js';
import { RuncSandbox } from './runc-sandbox.js';
import type { Sandbox, SandboxResult } from './sandbox.js';

/**
 * Where composer's scratch space is mounted in the sandbox. Fixed, because path repositories are
 * recorded by URL in `vendor/composer/installed.json` and `composer.lock`: a constant path keeps
 * those files identical from build to build. Nothing below it reaches the image.
 */
export const COMPOSER_STAGING_DIR = '/tmp/vc-composer';
/** COMPOSER_HOME (and HOME) inside the sandbox; holds the generated `config.json`. */
export const COMPOSER_HOME_DIR = `${COMPOSER_STAGING_DIR}/home`;
export const COMPOSER_CACHE_DIR = `${COMPOSER_STAGING_DIR}/cache`;
export const COMPOSER_TMP_DIR = `${COMPOSER_STAGING_DIR}/tmp`;
/** PATH of composer in the sandbox (a usual root PATH; `composer` is looked up on it). */
export const COMPOSER_SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Wall-clock limit of one `composer require`. */
export const DEFAULT_COMPOSER_TIMEOUT_MS = 30 * 60_000;
/** Lines of composer's output a BUILD_COMPOSER_FAILED message shows. */
export const COMPOSER_OUTPUT_LINES = 20;
/** The host's resolver configuration, bound read-only when composer gets the network. */
export const DEFAULT_RESOLV_CONF = '/etc/resolv.conf';

export interface RuncComposerRunnerOptions {
  /** Runs composer (default: a {@link RuncSandbox} with `logger`). */
  readonly sandbox?: Sandbox;
  /** Parent of the per-run temporary directory: the build's work directory (default: OS temp). */
  readonly workDir?: string;
  /** Limit of one composer run in milliseconds (default {@link DEFAULT_COMPOSER_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  /** Effective uid of the builder (default: the process's); the sandbox needs root. */
  readonly uid?: number;
  /** Host file bound at `/etc/resolv.conf` when the step has network (default the host's). */
  readonly resolvConf?: string;
}

/**
 * The composer port on the runc build sandbox. Per request: the whole rootfs table is written to a
 * temporary directory under `workDir` (composer needs PHP, its libraries and configuration, so
 * there is no smaller useful subset); path repositories, COMPOSER_HOME, cache and temp live in a
 * host directory bind-mounted at {@link COMPOSER_STAGING_DIR}; repositories, `packagist.org: false`
 * and `autoloader-suffix` go into COMPOSER_HOME's `config.json` (composer's global config), so the
 * image's composer.json only gains the `require` composer itself adds. `request.argv` runs as uid
 * 0 with only `lo` (or the host network when `request.network`). Afterwards only the working
 * directory is compared with the table; the temporary directory is removed, also on failure.
 */
export class RuncComposerRunner implements ComposerRunner {
  readonly #options: Required<Omit<RuncComposerRunnerOptions, 'sandbox'>> & {
    readonly sandbox: Sandbox;
  };

  constructor(options: RuncComposerRunnerOptions = {}) {
    const logger = options.logger ?? noopLogger;
    this.#options = {
      sandbox: options.sandbox ?? new RuncSandbox({ logger }),
      workDir: options.workDir ?? tmpdir(),
      timeoutMs: options.timeoutMs ?? DEFAULT_COMPOSER_TIMEOUT_MS,
      logger,
      uid: options.uid ?? process.geteuid?.() ?? -1,
      resolvConf: options.resolvConf ?? DEFAULT_RESOLV_CONF,
    };
  }

  async require(request: ComposerRequest): Promise<ComposerResult> {
    const { sandbox, workDir, timeoutMs, uid } = this.#options;
    const log = this.#options.logger.child({ step: request.step });
    if (uid !== 0) {
      throw new VcError(
        'BUILD_TOOL_MISSING',
        'composer-require runs composer in a runc sandbox as root; this builder is not root',
        { hint: 'run the build as root' },
      );
    }
    assertWorkingDir(request.dir);
    const tmp = await fs.mkdtemp(join(workDir, 'composer-'));
    try {
      const rootDir = join(tmp, 'rootfs');
      const staging = join(tmp, 'staging');
      await fs.mkdir(rootDir, { mode: 0o755 });
      await writeRootfsDir(rootDir, request.rootfs.entries(), request.rootfs.content);
      await stageComposer(staging, request, request.rootfs.content);
      const bindMounts: SandboxBindMount[] = [
        { source: staging, destination: COMPOSER_STAGING_DIR, readOnly: false },
      ];
      const resolv = request.network ? await realFile(this.#options.resolvConf) : undefined;
      if (resolv !== undefined && canBindResolvConf(request)) {
        bindMounts.push({ source: resolv, destination: '/etc/resolv.conf', readOnly: true });
      }
      log.debug({ argv: request.argv, network: request.network }, 'composer');
      const result = await sandbox.run({
        rootfs: rootDir,
        argv: request.argv,
        env: composerEnv(request),
        cwd: request.dir,
        network: request.network ? 'host' : 'none',
        bindMounts,
        timeoutMs,
      });
      log.debug(
        { exitCode: result.exitCode, output: lastLines(result.output, COMPOSER_OUTPUT_LINES) },
        'composer done',
      );
      if (result.exitCode !== 0 || result.timedOut) {
        throw composerFailed(request, result, timeoutMs);
      }
      await assertStillDirectory(rootDir, request.dir);
      const after = await readRootfsSubtree(rootDir, request.dir, request.rootfs.content);
      const before = request.rootfs.walk(request.dir).filter((e) => e.path !== request.dir);
      return {
        changes: subtreeChanges(before, after, request.rootfs.mtime),
        composerJson: await composerFile(request, after, 'composer.json'),
        composerLock: await composerFile(request, after, 'composer.lock'),
      };
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  }
}

/** A repository entry of composer's configuration. */
export type ComposerRepositoryConfig =
  | { readonly type: 'path'; readonly url: string; readonly options: { readonly symlink: false } }
  | { readonly type: 'composer'; readonly url: string }
  | { readonly 'packagist.org': false };

/** Where path repository `index` of step `step` is staged inside the sandbox. */
export function stagedRepositoryPath(step: number, index: number): string {
  return `${COMPOSER_STAGING_DIR}/${stagedRepositoryName(step, index)}`;
}

function stagedRepositoryName(step: number, index: number): string {
  return `step-${step}/repo-${index}`;
}

/**
 * COMPOSER_HOME's `config.json` for a request: its repositories in order (path repositories at
 * their staged path, copied rather than linked), `{"packagist.org": false}` when packagist is
 * off, and `config.autoloader-suffix`. Composer merges it under the project's composer.json.
 */
export function composerGlobalConfig(request: ComposerRequest): {
  config: { 'autoloader-suffix': string };
  repositories: ComposerRepositoryConfig[];
} {
  const repositories: ComposerRepositoryConfig[] = request.repositories.map((repo, i) =>
    repo.type === 'path'
      ? { type: 'path', url: stagedRepositoryPath(request.step, i), options: { symlink: false } }
      : { type: 'composer', url: repo.url },
  );
  if (!request.packagist) repositories.push({ 'packagist.org': false });
  return { config: { 'autoloader-suffix': request.autoloaderSuffix }, repositories };
}

/** The whole environment of composer in the sandbox (01 §5.4). */
export function composerEnv(request: ComposerRequest): Record<string, string> {
  return {
    PATH: COMPOSER_SANDBOX_PATH,
    HOME: COMPOSER_HOME_DIR,
    COMPOSER_HOME: COMPOSER_HOME_DIR,
    COMPOSER_CACHE_DIR: COMPOSER_CACHE_DIR,
    COMPOSER_ALLOW_SUPERUSER: '1',
    COMPOSER_NO_INTERACTION: '1',
    // Offline: composer fails at once instead of waiting on DNS.
    ...(request.network ? {} : { COMPOSER_DISABLE_NETWORK: '1' }),
    TMPDIR: COMPOSER_TMP_DIR,
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
    SOURCE_DATE_EPOCH: String(request.rootfs.mtime),
  };
}

/**
 * The changes that turn `before` into `after` (two listings of one subtree, canonical paths):
 * `remove` for the topmost vanished paths, then `put` for new or changed entries in path-byte
 * order (parents first). Changed means another type, mode, content or link target; host
 * ownership and mtimes are ignored. A `put` keeps the table's owner of an entry of the same type,
 * else 0:0, and gets `mtime`.
 */
export function subtreeChanges(
  before: readonly FileEntry[],
  after: readonly FileEntry[],
  mtime: number,
): RootFsChange[] {
  const old = new Map(before.map((e) => [e.path, e]));
  const now = new Set(after.map((e) => e.path));
  const changes: RootFsChange[] = [];
  const gone = new Set<string>();
  for (const e of [...before].sort((a, b) => compareByPathBytes(a.path, b.path))) {
    if (now.has(e.path)) continue;
    if (!hasAncestorIn(gone, e.path)) changes.push({ kind: 'remove', path: e.path });
    gone.add(e.path);
  }
  for (const e of [...after].sort((a, b) => compareByPathBytes(a.path, b.path))) {
    const prev = old.get(e.path);
    if (prev !== undefined && sameEntry(prev, e)) continue;
    const owner = prev?.type === e.type ? { uid: prev.uid, gid: prev.gid } : { uid: 0, gid: 0 };
    changes.push({
      kind: 'put',
      entry: {
        path: e.path,
        type: e.type,
        mode: e.type === 'l' ? 0o777 : e.mode & 0o7777,
        ...owner,
        size: e.size,
        digest: e.digest,
        mtime,
        ...(e.linkTarget !== undefined ? { linkTarget: e.linkTarget } : {}),
        ...(e.devMajor !== undefined ? { devMajor: e.devMajor, devMinor: e.devMinor ?? 0 } : {}),
      },
    });
  }
  return changes;
}

function sameEntry(a: FileEntry, b: FileEntry): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'l':
      return a.linkTarget === b.linkTarget;
    case 'f':
      return a.digest === b.digest && a.size === b.size && sameMode(a, b);
    case 'c':
    case 'b':
      return a.devMajor === b.devMajor && a.devMinor === b.devMinor && sameMode(a, b);
    case 'd':
    case 'p':
      return sameMode(a, b);
  }
}

function sameMode(a: FileEntry, b: FileEntry): boolean {
  return (a.mode & 0o7777) === (b.mode & 0o7777);
}

function hasAncestorIn(paths: ReadonlySet<string>, path: string): boolean {
  for (let p = parentPath(path); p !== '/'; p = parentPath(p)) {
    if (paths.has(p)) return true;
  }
  return false;
}

/** The working directory must not be hidden by the staging mount. */
function assertWorkingDir(dir: string): void {
  if (isWithin(dir, COMPOSER_STAGING_DIR)) {
    throw new VcError(
      'BUILD_COMPOSER_FAILED',
      `composer-require dir ${dir}: ${COMPOSER_STAGING_DIR} is reserved for the build sandbox`,
      { hint: 'choose another dir' },
    );
  }
}

/**
 * Fills the host directory mounted at {@link COMPOSER_STAGING_DIR}: each path repository's files
 * from the content store, `home/config.json`, and empty `cache` and `tmp`.
 */
async function stageComposer(
  staging: string,
  request: ComposerRequest,
  content: ContentStore,
): Promise<void> {
  const home = join(staging, 'home');
  for (const dir of [staging, home, join(staging, 'cache'), join(staging, 'tmp')]) {
    await fs.mkdir(dir, { mode: 0o755 });
  }
  const config = composerGlobalConfig(request);
  await fs.writeFile(join(home, 'config.json'), `${JSON.stringify(config, null, 4)}\n`, {
    mode: 0o644,
  });
  for (const [i, repo] of request.repositories.entries()) {
    if (repo.type !== 'path') continue;
    const base = join(staging, ...splitPath(stagedRepositoryName(request.step, i)));
    await fs.mkdir(base, { recursive: true, mode: 0o755 });
    const files = [...repo.files].sort((a, b) => compareByPathBytes(a.path, b.path));
    for (const f of files) {
      if (f.path !== '' && !isRelativePath(f.path)) {
        throw new VcError('INTERNAL', `path repository ${repo.url}: bad file path ${f.path}`);
      }
      const host = join(base, ...f.path.split('/').filter((p) => p !== ''));
      if (f.type === 'd') {
        if (f.path !== '') await fs.mkdir(host, { mode: 0o755 });
        await fs.chmod(host, f.mode & 0o7777);
      } else {
        await fs.copyFile(content.pathOf(f.digest), host, constants.COPYFILE_EXCL);
        await fs.chmod(host, f.mode & 0o7777);
      }
    }
  }
}

function isRelativePath(path: string): boolean {
  const parts = path.split('/');
  return parts.every((p) => p !== '' && p !== '.' && p !== '..');
}

async function realFile(path: string): Promise<string | undefined> {
  try {
    const real = await fs.realpath(path);
    return (await fs.stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The host's resolv.conf is bound only over nothing or a regular file: binding onto a symlink
 * would make runc create its target somewhere in the rootfs.
 */
function canBindResolvConf(request: ComposerRequest): boolean {
  const etc = request.rootfs.get('/etc');
  const conf = request.rootfs.get('/etc/resolv.conf');
  return (etc === undefined || etc.type === 'd') && (conf === undefined || conf.type === 'f');
}

/** Composer (root in the sandbox) must not have swapped a component of `dir` for a symlink. */
async function assertStillDirectory(rootDir: string, dir: string): Promise<void> {
  const expected = join(await fs.realpath(rootDir), dir);
  const actual = await fs.realpath(join(rootDir, dir)).catch(() => undefined);
  if (actual !== expected || !(await fs.lstat(expected)).isDirectory()) {
    throw new VcError('BUILD_COMPOSER_FAILED', `composer replaced the working directory ${dir}`);
  }
}

async function composerFile(
  request: ComposerRequest,
  after: readonly FileEntry[],
  name: 'composer.json' | 'composer.lock',
): Promise<string> {
  const path = childPath(request.dir, name);
  const entry = after.find((e) => e.path === path);
  if (entry?.type !== 'f') {
    throw new VcError(
      'BUILD_COMPOSER_FAILED',
      `composer require ${request.package} wrote no ${path}`,
      name === 'composer.lock'
        ? { hint: 'remove "lock": false from the composer.json config' }
        : {},
    );
  }
  return Buffer.from(await request.rootfs.content.read(entry.digest)).toString('utf8');
}

function composerFailed(
  request: ComposerRequest,
  result: SandboxResult,
  timeoutMs: number,
): VcError {
  const output = lastLines(result.output, COMPOSER_OUTPUT_LINES);
  const how = result.timedOut
    ? `did not finish within ${timeoutMs} ms`
    : `failed (exit status ${result.exitCode})`;
  return new VcError(
    'BUILD_COMPOSER_FAILED',
    `composer require ${request.package} ${how}:\n${output}`,
    {
      details: { containerId: result.containerId, exitCode: result.exitCode },
    },
  );
}
