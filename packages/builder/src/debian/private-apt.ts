// SPDX-License-Identifier: Apache-2.0
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError, noopLogger, systemClock } from '@verified-container/shared';
import type { Clock, Logger } from '@verified-container/shared';
import { aptRootKey, pocketsOf, renderSourcesList } from './apt-sources.js';
import type { AptSources } from './apt-sources.js';
import { parseControl } from './deb822.js';
import { stdoutText } from './exec.js';
import type { Exec, ExecResult } from './exec.js';

/** Lists younger than this are used without `apt-get update`. */
export const DEFAULT_LISTS_MAX_AGE_MS = 60 * 60 * 1000;
/** How long a second process waits for the root's lock before giving up. */
export const DEFAULT_APT_LOCK_TIMEOUT_MS = 10 * 60 * 1000;
/** A lock file older than this is left over from a killed process and is taken over. */
const STALE_LOCK_MS = 30 * 60 * 1000;

export interface PrivateAptOptions {
  /** `$VC_ROOT/cache`; the root is `<cacheDir>/build/apt/<aptRootKey>/`. */
  readonly cacheDir: string;
  readonly sources: AptSources;
  readonly exec: Exec;
  /** Environment of the apt children (proxies); locale and APT_CONFIG are set here. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly lockTimeoutMs?: number;
}

/** One downloaded, verified `Packages` index of the private root. */
export interface PackagesIndexFile {
  /** The dist of its `deb` line (`bookworm-security`). */
  readonly pocket: string;
  readonly component: string;
  readonly architecture: string;
  readonly path: string;
}

export interface UpdateResult {
  /** False when fresh lists were reused. */
  readonly updated: boolean;
  readonly durationMs: number;
}

/**
 * A private apt installation under the builder's cache: its own configuration, sources, lists,
 * caches and (empty) dpkg status. The host's `/etc/apt`, `/var/lib/apt`, `/var/cache/apt` and
 * `/var/lib/dpkg` are never read or written:
 *
 * - `APT_CONFIG` names our own file, which sets `Dir::Etc::Parts`/`Main` to `/dev/null` before apt
 *   reads them, so no host `apt.conf(.d)` applies (proxies only through the environment);
 * - every directory (`Dir::Etc`, `Dir::State`, lists, `Dir::Cache`, `Dir::Log`) is under the root,
 *   preferences and trusted keys are `/dev/null`, and `Dir::Bin::dpkg` is `/bin/false` so nothing
 *   can run the host's dpkg;
 * - each `deb` line carries `signed-by=<keyring>`: apt checks InRelease with gpgv against exactly
 *   that keyring, takes a `Packages` file only when its size and SHA256 match the signed
 *   InRelease, and {@link PrivateApt.indexes} refuses any index apt does not report `Trusted: yes`.
 */
export class PrivateApt {
  readonly root: string;
  readonly sources: AptSources;
  private readonly exec: Exec;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly lockTimeoutMs: number;

  private constructor(opts: PrivateAptOptions, root: string) {
    this.root = root;
    this.sources = opts.sources;
    this.exec = opts.exec;
    this.env = opts.env;
    this.logger = (opts.logger ?? noopLogger).child({ aptRoot: root });
    this.clock = opts.clock ?? systemClock;
    this.lockTimeoutMs = opts.lockTimeoutMs ?? DEFAULT_APT_LOCK_TIMEOUT_MS;
  }

  /** Creates (or reuses) the root's directories and (re)writes its apt.conf and sources.list. */
  static async open(opts: PrivateAptOptions): Promise<PrivateApt> {
    const root = join(opts.cacheDir, 'build', 'apt', aptRootKey(opts.sources));
    if (/["\n\\]/.test(root)) {
      throw new VcError(
        'CONFIG_INVALID',
        `the cache path ${JSON.stringify(root)} cannot be used by apt`,
      );
    }
    const apt = new PrivateApt(opts, root);
    try {
      for (const dir of [
        'etc/trusted.gpg.d',
        'state',
        'lists/partial',
        'cache/archives/partial',
        'log',
        'tmp',
      ]) {
        await fs.mkdir(join(root, dir), { recursive: true });
      }
      await writeIfChanged(apt.paths.sourcesList, renderSourcesList(opts.sources));
      await writeIfChanged(apt.paths.config, apt.renderConfig());
      await writeIfChanged(apt.paths.emptyStatus, '');
    } catch (cause) {
      throw new VcError('WRITE_FAILED', `cannot prepare the apt root ${root}: ${String(cause)}`, {
        cause,
      });
    }
    return apt;
  }

  get paths() {
    const r = this.root;
    return {
      config: join(r, 'etc', 'apt.conf'),
      sourcesList: join(r, 'etc', 'sources.list'),
      lists: join(r, 'lists'),
      emptyStatus: join(r, 'state', 'status'),
      stamp: join(r, 'updated'),
      lock: join(r, 'lock'),
      tmp: join(r, 'tmp'),
    } as const;
  }

  /** The apt.conf of the root: every path absolute, nothing from the host. */
  renderConfig(): string {
    const r = this.root;
    const q = (v: string) => `"${v}"`;
    const lines: [string, string][] = [
      ['Dir', q('/')],
      ['Dir::Etc', q(`${r}/etc/`)],
      ['Dir::Etc::Main', q('/dev/null')],
      ['Dir::Etc::Parts', q('/dev/null')],
      ['Dir::Etc::SourceList', q(this.paths.sourcesList)],
      ['Dir::Etc::SourceParts', q('/dev/null')],
      ['Dir::Etc::Preferences', q('/dev/null')],
      ['Dir::Etc::PreferencesParts', q('/dev/null')],
      ['Dir::Etc::Trusted', q('/dev/null')],
      ['Dir::Etc::TrustedParts', q(`${r}/etc/trusted.gpg.d/`)],
      ['Dir::State', q(`${r}/state/`)],
      ['Dir::State::Lists', q(`${r}/lists/`)],
      ['Dir::State::status', q(this.paths.emptyStatus)],
      ['Dir::Cache', q(`${r}/cache/`)],
      ['Dir::Cache::Archives', q(`${r}/cache/archives/`)],
      // The binary cache depends on the base's status, which changes per resolution.
      ['Dir::Cache::pkgcache', q('')],
      ['Dir::Log', q(`${r}/log/`)],
      ['Dir::Bin::dpkg', q('/bin/false')],
      ['APT::Architecture', q(this.sources.architecture)],
      ['APT::Architectures', `{ ${q(this.sources.architecture)}; }`],
      ['APT::Install-Recommends', q('false')],
      ['APT::Install-Suggests', q('false')],
      ['pkgCacheGen::Essential', q('none')],
      ['Acquire::Languages', q('none')],
      ['Acquire::GzipIndexes', q('false')],
      ['Acquire::PDiffs', q('false')],
      ['Acquire::Retries', q('3')],
      ['Acquire::http::Timeout', q('30')],
      // deb.debian.org mirrors here serve Release files past Valid-Until (environment §1).
      ['Acquire::Check-Valid-Until', q('false')],
      ['Acquire::AllowInsecureRepositories', q('false')],
      ['Acquire::AllowDowngradeToInsecureRepositories', q('false')],
      ['Acquire::AllowWeakRepositories', q('false')],
    ];
    return `// Generated by cerro-torre: a private apt root; see private-apt.ts.\n${lines
      .map(([k, v]) => `${k} ${v};`)
      .join('\n')}\n`;
  }

  /** Environment for apt children: the caller's (proxies) plus C locale and our APT_CONFIG. */
  aptEnv(): Record<string, string | undefined> {
    const env: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(this.env)) {
      if (k === 'LANG' || k === 'LANGUAGE' || k.startsWith('LC_') || k.startsWith('APT_')) continue;
      env[k] = v;
    }
    env['PATH'] ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
    env['LC_ALL'] = 'C';
    env['APT_CONFIG'] = this.paths.config;
    return env;
  }

  /** Runs `apt-get`/`apt-cache` against this root. */
  async run(
    cmd: 'apt-get' | 'apt-cache',
    args: readonly string[],
    opts: { input?: string } = {},
  ): Promise<ExecResult> {
    const started = Date.now();
    const result = await this.exec.run(cmd, args, { env: this.aptEnv(), ...opts });
    this.logger.debug(
      { cmd, args, code: result.code, durationMs: Date.now() - started },
      `${cmd} ${args[0] ?? ''}`,
    );
    return result;
  }

  /** Milliseconds since the last successful update, or undefined when there was none. */
  async listsAgeMs(): Promise<number | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.paths.stamp, 'utf8');
    } catch {
      return undefined;
    }
    const [at, sourcesDigest] = text.trim().split(' ');
    if (sourcesDigest !== aptRootKey(this.sources)) return undefined;
    const t = Date.parse(at ?? '');
    if (Number.isNaN(t)) return undefined;
    return Math.max(0, this.clock.now().getTime() - t);
  }

  /**
   * `apt-get update` in the root unless its lists are younger than `maxAgeMs` (default 1 h).
   * Errors: unreachable mirror → BUILD_FETCH_FAILED (exit 3); no such suite → BUILD_SUITE_UNKNOWN;
   * signature not valid for the keyring → BUILD_REPOSITORY_UNTRUSTED; an index whose hash does
   * not match InRelease → BUILD_HASH_MISMATCH; missing keyring → BUILD_TOOL_MISSING.
   */
  async update(opts: { maxAgeMs?: number; force?: boolean } = {}): Promise<UpdateResult> {
    const started = Date.now();
    const maxAge = opts.maxAgeMs ?? DEFAULT_LISTS_MAX_AGE_MS;
    const fresh = async () => opts.force !== true && (await this.hasFreshLists(maxAge));
    if (await fresh()) return { updated: false, durationMs: Date.now() - started };
    await this.assertKeyring();
    return this.withLock(async () => {
      // Another process may have updated while we waited for the lock.
      if (await fresh()) return { updated: false, durationMs: Date.now() - started };
      const result = await this.run('apt-get', ['update', '--error-on=any', '-q']);
      const output = `${stdoutText(result)}\n${result.stderr}`;
      if (result.code !== 0 || /^(?:E|Err):/m.test(output)) {
        throw updateError(output, this.sources);
      }
      await this.indexes();
      const stamp = `${this.clock.now().toISOString()} ${aptRootKey(this.sources)}\n`;
      await fs.writeFile(this.paths.stamp, stamp);
      return { updated: true, durationMs: Date.now() - started };
    });
  }

  /** Lists younger than `maxAgeMs` whose indexes are all still on disk. */
  private async hasFreshLists(maxAgeMs: number): Promise<boolean> {
    const age = await this.listsAgeMs();
    if (age === undefined || age >= maxAgeMs) return false;
    try {
      await this.indexes();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The `Packages` indexes apt downloaded, one or more per pocket, from `apt-get indextargets`.
   * Throws BUILD_REPOSITORY_UNTRUSTED for an index apt does not mark trusted and
   * BUILD_FETCH_FAILED when a pocket has no index at all (run {@link update} first).
   */
  async indexes(): Promise<PackagesIndexFile[]> {
    const result = await this.run('apt-get', ['indextargets', 'Identifier: Packages']);
    if (result.code !== 0) {
      throw new VcError('INTERNAL', `apt-get indextargets failed: ${result.stderr.trim()}`);
    }
    const found: PackagesIndexFile[] = [];
    for (const p of parseControl(stdoutText(result))) {
      const path = p.first('Filename');
      if (!(await isFile(path))) continue;
      if (p.first('Trusted') !== 'yes') {
        throw new VcError(
          'BUILD_REPOSITORY_UNTRUSTED',
          `apt does not trust ${p.first('Description')}: its InRelease was not verified with ${this.sources.keyring}`,
        );
      }
      found.push({
        pocket: p.first('Release'),
        component: p.first('Component'),
        architecture: p.first('Architecture'),
        path,
      });
    }
    for (const { pocket } of pocketsOf(this.sources.suite)) {
      if (!found.some((f) => f.pocket === pocket)) {
        throw new VcError(
          'BUILD_FETCH_FAILED',
          `no Packages index for ${pocket} in the apt root ${this.root}`,
          { hint: 'the lists are missing or incomplete; run again with network access' },
        );
      }
    }
    return found;
  }

  /** A fresh directory under the root for one run's files (a base status); removed by `dispose`. */
  async tempDir(): Promise<{ path: string; dispose: () => Promise<void> }> {
    const path = join(this.paths.tmp, randomBytes(8).toString('hex'));
    await fs.mkdir(path, { recursive: true });
    return { path, dispose: () => fs.rm(path, { recursive: true, force: true }) };
  }

  /**
   * Runs `fn` holding the root's lock file (apt itself refuses concurrent updates of one lists
   * directory instead of waiting). A lock older than 30 minutes is taken over.
   */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.lockTimeoutMs;
    let delay = 50;
    for (;;) {
      try {
        const handle = await fs.open(this.paths.lock, 'wx');
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        break;
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new VcError('WRITE_FAILED', `cannot lock the apt root ${this.root}`, { cause });
        }
        const stat = await fs.stat(this.paths.lock).catch(() => undefined);
        if (stat !== undefined && Date.now() - stat.mtimeMs > STALE_LOCK_MS) {
          await fs.rm(this.paths.lock, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new VcError(
            'STORE_LOCKED',
            `the apt root ${this.root} is locked by another build`,
            {
              hint: `wait for it, or remove ${this.paths.lock} if no build is running`,
            },
          );
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 1000);
      }
    }
    try {
      return await fn();
    } finally {
      await fs.rm(this.paths.lock, { force: true });
    }
  }

  private async assertKeyring(): Promise<void> {
    try {
      await fs.access(this.sources.keyring, constants.R_OK);
    } catch (cause) {
      throw new VcError(
        'BUILD_TOOL_MISSING',
        `the Debian archive keyring ${this.sources.keyring} cannot be read`,
        { cause, hint: 'install the Debian package debian-archive-keyring or set CT_APT_KEYRING' },
      );
    }
  }
}

/** Maps `apt-get update` output to the error a person can act on. */
export function updateError(output: string, sources: AptSources): VcError {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const details = { apt: lines.filter((l) => /^(?:E:|W:|Err:)/.test(l)).slice(0, 12) };
  const text = lines.join('\n');
  const hosts = Object.values(sources.mirrors).join(', ');
  if (
    /NO_PUBKEY|couldn't be verified|is not signed|BADSIG|EXPKEYSIG|REVKEYSIG|signatures were invalid/i.test(
      text,
    )
  ) {
    return new VcError(
      'BUILD_REPOSITORY_UNTRUSTED',
      `the Debian archive's InRelease is not signed by a key in ${sources.keyring}`,
      { details, hint: 'check CT_APT_KEYRING and the mirror' },
    );
  }
  if (/Hash Sum mismatch|unexpected size|Mirror sync in progress/i.test(text)) {
    return new VcError(
      'BUILD_HASH_MISMATCH',
      'an index from the mirror does not match the signed InRelease',
      { details, hint: 'the mirror may be syncing; try again later or use another mirror' },
    );
  }
  const missing = /does not have a Release file|404\s+Not Found/i.exec(text);
  if (missing !== null) {
    return new VcError(
      'BUILD_SUITE_UNKNOWN',
      `the mirror has no suite ${sources.suite} (or one of its -updates/-security pockets)`,
      { details, hint: `check the suite name and the mirrors (${hosts})` },
    );
  }
  return new VcError('BUILD_FETCH_FAILED', `cannot download the Debian indexes from ${hosts}`, {
    details,
    hint: 'check the network, a proxy (http_proxy) or CT_APT_MIRROR / CT_APT_SECURITY_MIRROR',
  });
}

async function isFile(path: string): Promise<boolean> {
  if (path === '') return false;
  try {
    return (await fs.stat(path)).isFile();
  } catch {
    return false;
  }
}

async function writeIfChanged(path: string, text: string): Promise<void> {
  const current = await fs.readFile(path, 'utf8').catch(() => undefined);
  if (current === text) return;
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, path);
}
