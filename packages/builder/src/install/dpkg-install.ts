// SPDX-License-Identifier: Apache-2.0
// Installing .deb files into a rootfs directory (01 §5.3), maintainer scripts in the sandbox (§5.4).
import {
  chmod,
  copyFile,
  link,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  realpath,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { VcError } from '@verified-container/shared';
import type { Logger } from '@verified-container/shared';
import { dpkgPackageKey, parseDpkgStatus } from '../debian/dpkg-database.js';
import type { Exec } from '../debian/exec.js';
import { PathFilter, formatDpkgCfg, installPathRules } from '../debian/path-filter.js';
import type { PathRule } from '../debian/path-filter.js';
import type { Sandbox, SandboxResult } from '../sandbox/sandbox.js';
import { lastLines } from '../sandbox/output-tail.js';
import { readDebControl } from './deb-control.js';
import type { DebControl } from './deb-control.js';
import { outputBefore, parseDpkgFailure } from './dpkg-output.js';
import {
  DPKG_ADMIN_DIR,
  ensureDpkgDatabase,
  unpackPackages,
  writeDpkgDatabase,
} from './extract-packages.js';
import { dependencyClosure, installOrder } from './install-order.js';
import { cleanUpAfterInstall } from './post-install.js';
import { existsInRootfs, lstatOrUndefined, resolveInRootfs } from './rootfs-dir.js';
import { mapLimit } from '../util/map-limit.js';

/** `[dependencies] install` (01 §2). */
export type InstallMode = 'configure' | 'extract';

/**
 * How a `configure` install ran: `dpkg` — the rootfs's own dpkg in the sandbox; `bootstrap` — no
 * dpkg in the rootfs but one in the set: the essential packages and what they need are unpacked
 * on the host first, then installed properly by that dpkg (mmdebstrap's sequence); `scripts` —
 * no dpkg anywhere: unpacked on the host, database written by us, maintainer scripts run one by
 * one in the sandbox. `extract` — no script ran.
 */
export type InstallRoute = 'dpkg' | 'bootstrap' | 'scripts' | 'extract';

export const MAINTAINER_SCRIPT_PATH =
  '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Wall-clock limit of one dpkg run or one maintainer script. */
export const DEFAULT_INSTALL_TIMEOUT_MS = 30 * 60_000;
/** Lines of output an error about a failed script shows (01 §5.3). */
export const SCRIPT_OUTPUT_LINES = 20;
/** The dpkg.cfg.d file holding the manifest's path rules during the install. */
export const TEMP_DPKG_CFG = '/etc/dpkg/dpkg.cfg.d/zz-cerro-torre-build';
export const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/** dpkg options of every run: no fsync (the layer is packed afterwards), keep local conffiles. */
const DPKG_OPTIONS = ['--force-unsafe-io', '--force-confdef', '--force-confold'];

export interface InstallDebsOptions {
  /** Absolute host directory of the rootfs (read-write). */
  readonly rootfs: string;
  /** Host paths of the verified .deb files (e.g. `$VC_ROOT/cache/debs/sha256/<hex>.deb`). */
  readonly debs: readonly string[];
  readonly mode: InstallMode;
  readonly sourceDateEpoch: number;
  /** The manifest's `path-exclude` globs. */
  readonly pathExclude?: readonly string[];
  /** The manifest's `path-include` globs. */
  readonly pathInclude?: readonly string[];
  /** dpkg architecture for a new database's `arch` file; default the packages' own. */
  readonly architecture?: string;
  /** Limit of each dpkg run / maintainer script; default {@link DEFAULT_INSTALL_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Where the temporary directory of .deb links goes; default the OS temp dir. */
  readonly workDir?: string;
}

export interface InstallDebsDeps {
  readonly sandbox: Sandbox;
  /** Runs the host's dpkg-deb (and mknod for device members). */
  readonly exec: Exec;
  readonly logger: Logger;
}

export interface InstalledDeb {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
}

export interface InstallReport {
  readonly mode: InstallMode;
  readonly route: InstallRoute;
  /** In unpack order. */
  readonly packages: readonly InstalledDeb[];
  /** Paths removed afterwards (01 §5.3 list). */
  readonly removed: readonly string[];
  readonly sandboxRuns: number;
  readonly durationMs: number;
}

/** The environment of maintainer scripts (01 §5.3). */
export function maintainerScriptEnv(sourceDateEpoch: number): Record<string, string> {
  return {
    DEBIAN_FRONTEND: 'noninteractive',
    DEBCONF_NONINTERACTIVE_SEEN: 'true',
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
    SOURCE_DATE_EPOCH: String(sourceDateEpoch),
    PATH: MAINTAINER_SCRIPT_PATH,
  };
}

/**
 * Installs `debs` into `rootfs` (01 §5.3).
 *
 * `configure`: every package unpacked in dependency order (ties by name), then all configured,
 * maintainer scripts in the sandbox with {@link maintainerScriptEnv} and a `policy-rc.d` that
 * exits 101 (removed afterwards). See {@link InstallRoute} for how, depending on what the rootfs
 * holds. The manifest's path rules are written to {@link TEMP_DPKG_CFG} for the install (dpkg
 * applies them together with the rootfs's own `dpkg.cfg.d`) and removed afterwards.
 *
 * `extract`: unpacked on the host with the same path rules, no script runs, `status` and `info/*`
 * written by us.
 *
 * Both: the files of 01 §5.3 are removed afterwards, `/etc/machine-id` emptied, `/etc/shadow`
 * last-change days clamped to the epoch.
 *
 * A failing script → BUILD_PACKAGE_SCRIPT_FAILED (details `package`, `script`, `output`: its last
 * 20 lines); scripts but no `/bin/sh` → the same code with a hint; file or dependency conflicts
 * reported by dpkg → BUILD_PACKAGE_CONFLICT.
 */
export async function installDebs(
  opts: InstallDebsOptions,
  deps: InstallDebsDeps,
): Promise<InstallReport> {
  const started = Date.now();
  const rootfs = await realpath(opts.rootfs);
  const logger = deps.logger.child({ install: opts.mode });
  const controls = await mapLimit(opts.debs, 8, (deb) => readDebControl(deps.exec, deb));
  assertUnique(controls);
  const order = orderPackages(controls);
  const manifestRules = installPathRules({
    exclude: opts.pathExclude ?? [],
    include: opts.pathInclude ?? [],
  });
  const baseConfigFiles = await readDpkgCfgFiles(rootfs);
  const filter = new PathFilter(
    installPathRules({
      baseConfigFiles,
      exclude: opts.pathExclude ?? [],
      include: opts.pathInclude ?? [],
    }),
  );
  const architecture =
    opts.architecture ?? order.find((p) => p.architecture !== 'all')?.architecture;
  const ctx: InstallContext = {
    rootfs,
    sandbox: deps.sandbox,
    exec: deps.exec,
    logger,
    env: maintainerScriptEnv(opts.sourceDateEpoch),
    timeoutMs: opts.timeoutMs ?? DEFAULT_INSTALL_TIMEOUT_MS,
    workDir: opts.workDir ?? tmpdir(),
    runs: 0,
  };

  let route: InstallRoute = 'extract';
  if (opts.mode === 'extract') {
    await ensureDpkgDatabase(rootfs, architecture);
    const unpacked = await unpackPackages(deps.exec, rootfs, order, filter, logger);
    await writeDpkgDatabase(rootfs, order, unpacked);
  } else {
    const configureRoute = await chooseRoute(rootfs, order);
    route = configureRoute;
    logger.debug({ route, packages: order.length }, 'configure install');
    switch (configureRoute) {
      case 'dpkg':
        await assertShell(rootfs, order);
        await withDpkgSetup(ctx, order, manifestRules, async (run) => {
          await run(['--force-depends', '--unpack'], order);
          await run(['--configure', '-a'], []);
        });
        await assertInstalled(rootfs, order);
        break;
      case 'bootstrap': {
        await ensureDpkgDatabase(rootfs, architecture);
        // mmdebstrap's essential phase: what Essential:yes packages need to run is put on disk
        // first, then installed properly by the dpkg among them; the rest follows.
        const essential = dependencyClosure(
          order,
          order.filter((p) => p.essential),
        );
        const essentialSet = new Set(essential);
        await unpackPackages(deps.exec, rootfs, essential, filter, logger);
        await assertShell(rootfs, order);
        const rest = order.filter((p) => !essentialSet.has(p));
        await withDpkgSetup(ctx, order, manifestRules, async (run) => {
          await run(['--force-depends', '--install'], essential);
          if (rest.length > 0) await run(['--force-depends', '--unpack'], rest);
          await run(['--configure', '-a'], []);
        });
        await assertInstalled(rootfs, order);
        break;
      }
      case 'scripts': {
        await ensureDpkgDatabase(rootfs, architecture);
        const unpacked = await unpackPackages(deps.exec, rootfs, order, filter, logger);
        await writeDpkgDatabase(rootfs, order, unpacked);
        await assertShell(rootfs, order);
        await withPolicyRcD(rootfs, () => runScripts(ctx, order));
        break;
      }
    }
  }
  const removed = await cleanUpAfterInstall(rootfs, opts.sourceDateEpoch);
  const durationMs = Date.now() - started;
  logger.debug({ route, packages: order.length, sandboxRuns: ctx.runs, durationMs }, 'installed');
  return {
    mode: opts.mode,
    route,
    packages: order.map((p) => ({
      name: p.name,
      version: p.version,
      architecture: p.architecture,
    })),
    removed,
    sandboxRuns: ctx.runs,
    durationMs,
  };
}

interface InstallContext {
  readonly rootfs: string;
  readonly sandbox: Sandbox;
  readonly exec: Exec;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly workDir: string;
  runs: number;
}

/** Dependency order of the .debs (01 §5.3). */
export function orderPackages(controls: readonly DebControl[]): DebControl[] {
  return installOrder(controls);
}

function assertUnique(controls: readonly DebControl[]): void {
  const seen = new Map<string, string>();
  for (const c of controls) {
    const other = seen.get(c.name);
    if (other !== undefined) {
      throw new VcError(
        'BUILD_PACKAGE_CONFLICT',
        `${c.name} is given twice (${other} and ${c.path})`,
      );
    }
    seen.set(c.name, c.path);
  }
}

async function chooseRoute(
  rootfs: string,
  order: readonly DebControl[],
): Promise<Exclude<InstallRoute, 'extract'>> {
  if (
    (await existsInRootfs(rootfs, '/usr/bin/dpkg')) &&
    (await existsInRootfs(rootfs, `${DPKG_ADMIN_DIR}/status`))
  ) {
    return 'dpkg';
  }
  return order.some((p) => p.name === 'dpkg') ? 'bootstrap' : 'scripts';
}

/** The rootfs's `/etc/dpkg/dpkg.cfg.d/*` (dpkg reads them; the extract route applies them). */
async function readDpkgCfgFiles(rootfs: string): Promise<{ name: string; text: string }[]> {
  const dir = await resolveInRootfs(rootfs, '/etc/dpkg/dpkg.cfg.d', true);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files: { name: string; text: string }[] = [];
  // dpkg skips hidden files, backups and dpkg's own leftovers.
  for (const name of names.filter(
    (n) => !n.startsWith('.') && !n.endsWith('~') && !/\.dpkg-[a-z]+$/.test(n),
  )) {
    try {
      files.push({ name, text: await readFile(join(dir, name), 'utf8') });
    } catch {
      // a directory or unreadable entry: dpkg would complain, we skip it
    }
  }
  return files;
}

async function assertShell(rootfs: string, packages: readonly DebControl[]): Promise<void> {
  const withScripts = packages.find((p) => p.scripts.length > 0);
  if (withScripts === undefined || (await existsInRootfs(rootfs, '/bin/sh'))) return;
  throw new VcError(
    'BUILD_PACKAGE_SCRIPT_FAILED',
    `${withScripts.name} has maintainer scripts (${withScripts.scripts.join(', ')}) but the rootfs has no /bin/sh`,
    {
      hint: 'set install = "extract" in [dependencies], or add dash to the packages',
      details: { package: withScripts.name, script: withScripts.scripts[0] ?? '', output: '' },
    },
  );
}

type DpkgRun = (args: readonly string[], debs: readonly DebControl[]) => Promise<void>;

/**
 * Around the rootfs's own dpkg: the .debs linked into a temporary directory bound read-only into
 * the sandbox, the manifest's path rules in {@link TEMP_DPKG_CFG}, {@link POLICY_RC_D}; all
 * removed again whatever happens.
 */
async function withDpkgSetup(
  ctx: InstallContext,
  packages: readonly DebControl[],
  manifestRules: readonly PathRule[],
  body: (run: DpkgRun) => Promise<void>,
): Promise<void> {
  const staging = await mkdtemp(join(ctx.workDir, 'ct-debs-'));
  const names = new Map<DebControl, string>();
  const cfg = await resolveInRootfs(ctx.rootfs, TEMP_DPKG_CFG, false);
  try {
    let i = 0;
    for (const p of packages) {
      i += 1;
      const name = `${String(i).padStart(4, '0')}-${p.name}_${p.version.replace(/:/g, '%3a')}_${p.architecture}.deb`;
      await link(p.path, join(staging, name)).catch(() => copyFile(p.path, join(staging, name)));
      names.set(p, name);
    }
    const mountPoint = (await existsInRootfs(ctx.rootfs, '/debs'))
      ? `/.ct-debs-${randomBytes(4).toString('hex')}`
      : '/debs';
    if (manifestRules.length > 0) {
      await mkdir(dirname(cfg), { recursive: true, mode: 0o755 });
      await writeFile(cfg, formatDpkgCfg(manifestRules), { mode: 0o644 });
    }
    await withPolicyRcD(ctx.rootfs, () =>
      body(async (args, debs) => {
        const argv = [
          'dpkg',
          ...DPKG_OPTIONS,
          ...args,
          ...debs.map((d) => `${mountPoint}/${names.get(d) ?? ''}`),
        ];
        const result = await runSandboxed(ctx, argv, [
          { source: staging, destination: mountPoint, readOnly: true },
        ]);
        if (result.exitCode !== 0 || result.timedOut) {
          throw dpkgError(
            result,
            argv.slice(0, DPKG_OPTIONS.length + 1 + args.length).join(' '),
            ctx.timeoutMs,
          );
        }
      }),
    );
  } finally {
    await rm(cfg, { force: true });
    await rm(staging, { recursive: true, force: true });
  }
}

async function runSandboxed(
  ctx: InstallContext,
  argv: readonly string[],
  bindMounts: { source: string; destination: string; readOnly: boolean }[] = [],
  env: Readonly<Record<string, string>> = ctx.env,
): Promise<SandboxResult> {
  ctx.runs += 1;
  const result = await ctx.sandbox.run({
    rootfs: ctx.rootfs,
    argv,
    env,
    network: 'none',
    bindMounts,
    timeoutMs: ctx.timeoutMs,
  });
  ctx.logger.debug(
    {
      argv: argv.slice(0, 6),
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      output: lastLines(result.output, 40),
    },
    'sandboxed run',
  );
  return result;
}

function dpkgError(result: SandboxResult, command: string, timeoutMs: number): VcError {
  if (result.timedOut) {
    const output = lastLines(result.output, SCRIPT_OUTPUT_LINES);
    return new VcError(
      'BUILD_PACKAGE_SCRIPT_FAILED',
      `${command} did not finish within ${timeoutMs} ms:\n${output}`,
      { details: { script: command, output } },
    );
  }
  const failure = parseDpkgFailure(result.output);
  if (failure === undefined) {
    const output = lastLines(result.output, SCRIPT_OUTPUT_LINES);
    return new VcError(
      'BUILD_PACKAGE_SCRIPT_FAILED',
      `${command} failed with exit status ${result.exitCode}:\n${output}`,
      { details: { script: command, output } },
    );
  }
  switch (failure.kind) {
    case 'script': {
      const output = outputBefore(result.output, `${failure.package} package`, SCRIPT_OUTPUT_LINES);
      return new VcError(
        'BUILD_PACKAGE_SCRIPT_FAILED',
        `${failure.script} of ${failure.package} failed (exit status ${failure.status}):\n${output}`,
        { details: { package: failure.package, script: failure.script, output } },
      );
    }
    case 'conflict': {
      const output = lastLines(result.output, SCRIPT_OUTPUT_LINES);
      return new VcError(
        'BUILD_PACKAGE_CONFLICT',
        `dpkg refused ${failure.package}: ${failure.message}:\n${output}`,
        { details: { package: failure.package, output } },
      );
    }
    case 'other': {
      const output = lastLines(result.output, SCRIPT_OUTPUT_LINES);
      return new VcError(
        'BUILD_PACKAGE_SCRIPT_FAILED',
        `${command} failed${failure.package === undefined ? '' : ` for ${failure.package}`}: ${failure.message}:\n${output}`,
        {
          details: {
            ...(failure.package === undefined ? {} : { package: failure.package }),
            script: command,
            output,
          },
        },
      );
    }
  }
}

/** Every package is `install ok installed` at its version after dpkg ran. */
async function assertInstalled(rootfs: string, packages: readonly DebControl[]): Promise<void> {
  const status = await readFile(
    await resolveInRootfs(rootfs, `${DPKG_ADMIN_DIR}/status`, true),
    'utf8',
  );
  const entries = parseDpkgStatus(status);
  for (const p of packages) {
    const e = entries.find(
      (x) => x.name === p.name && (x.architecture === p.architecture || p.multiArch !== 'same'),
    );
    if (e?.status === 'install ok installed' && e.version === p.version) continue;
    throw new VcError(
      'BUILD_PACKAGE_SCRIPT_FAILED',
      `${p.name} ${p.version} is not installed after dpkg --configure -a (${e === undefined ? 'absent' : `${e.version}: ${e.status}`})`,
      { details: { package: p.name, script: 'dpkg --configure -a', output: '' } },
    );
  }
}

/**
 * Runs `/usr/sbin/policy-rc.d` exiting 101 (no service starts) around `fn`; an existing one is
 * put back afterwards. Without `/usr/sbin` nothing can call it, and nothing is written.
 */
async function withPolicyRcD<T>(rootfs: string, fn: () => Promise<T>): Promise<T> {
  const path = await resolveInRootfs(rootfs, POLICY_RC_D, false);
  if ((await lstatOrUndefined(dirname(path)))?.isDirectory() !== true) return fn();
  const backup = `${path}.ct-build-orig`;
  const existed = (await lstatOrUndefined(path)) !== undefined;
  if (existed) await rename(path, backup);
  await writeFile(path, '#!/bin/sh\nexit 101\n');
  await chmod(path, 0o755);
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
    if (existed) await rename(backup, path);
  }
}

/**
 * The `scripts` route: `preinst install` of every package in order, then `postinst configure`
 * (with an empty most-recently-configured version, as dpkg passes for a new install), each in
 * its own sandbox with dpkg's DPKG_* variables; then `ldconfig` in place of libc-bin's trigger.
 * Other triggers do not run (there is no dpkg to process them).
 */
async function runScripts(ctx: InstallContext, order: readonly DebControl[]): Promise<void> {
  for (const [script, args] of [
    ['preinst', ['install']],
    ['postinst', ['configure', '']],
  ] as const) {
    for (const p of order) {
      if (!p.scripts.includes(script)) continue;
      const key = dpkgPackageKey(p.name, p.architecture, p.multiArch);
      const env = {
        ...ctx.env,
        DPKG_MAINTSCRIPT_PACKAGE: p.name,
        DPKG_MAINTSCRIPT_PACKAGE_REFCOUNT: '1',
        DPKG_MAINTSCRIPT_ARCH: p.architecture,
        DPKG_MAINTSCRIPT_NAME: script,
        DPKG_ADMINDIR: DPKG_ADMIN_DIR,
        DPKG_ROOT: '',
      };
      const result = await runSandboxed(
        ctx,
        [`${DPKG_ADMIN_DIR}/info/${key}.${script}`, ...args],
        [],
        env,
      ).catch((cause: unknown) => {
        // A script whose interpreter is missing cannot even start: still that script's failure.
        if (!(cause instanceof VcError) || cause.code !== 'BUILD_SANDBOX_FAILED') throw cause;
        throw new VcError(
          'BUILD_PACKAGE_SCRIPT_FAILED',
          `${script} of ${p.name} cannot run: ${cause.message}`,
          {
            cause,
            details: { package: p.name, script, output: '' },
          },
        );
      });
      if (result.exitCode !== 0 || result.timedOut) {
        const output = lastLines(result.output, SCRIPT_OUTPUT_LINES);
        throw new VcError(
          'BUILD_PACKAGE_SCRIPT_FAILED',
          `${script} of ${p.name} ${result.timedOut ? `did not finish within ${ctx.timeoutMs} ms` : `failed (exit status ${result.exitCode})`}:\n${output}`,
          { details: { package: p.name, script, output } },
        );
      }
    }
  }
  if (await existsInRootfs(ctx.rootfs, '/sbin/ldconfig')) {
    const result = await runSandboxed(ctx, ['/sbin/ldconfig']);
    if (result.exitCode !== 0) {
      const output = lastLines(result.output, SCRIPT_OUTPUT_LINES);
      throw new VcError('BUILD_PACKAGE_SCRIPT_FAILED', `ldconfig failed:\n${output}`, {
        details: { package: 'libc-bin', script: 'ldconfig', output },
      });
    }
  }
}
