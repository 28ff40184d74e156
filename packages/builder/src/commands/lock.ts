// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError, resolveStoreRoot } from '@verified-container/shared';
import { MAX_MANIFEST_BYTES, parseManifest } from '@verified-container/shared/manifest';
import type { LockMode } from '../build/lock-manifest.js';
import { LineProgress } from '../build/progress.js';
import { resolveSourceDateEpoch } from '../build/source-date-epoch.js';
import { displayPath } from '../build/summary.js';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { plural } from '../cli/output.js';
import { ChildProcessExec, type Exec } from '../debian/exec.js';
import {
  lockfilePath,
  readLockfile,
  serializeLockfile,
  writeLockfile,
} from '../debian/lockfile.js';
import { readInputFile } from '../io/files.js';
import { humanDiagnostics } from './validate.js';

interface LockFlags {
  update?: boolean;
  check?: boolean;
  mirror?: string;
  securityMirror?: string;
}

/** The lock command's deps: progress lines (stderr) and the exec running apt (tests). */
export interface LockCommandDeps extends CliDeps {
  readonly progress?: (line: string) => void;
  readonly exec?: Exec;
}

export function makeLockCommand(deps: LockCommandDeps, box: ResultBox): Command {
  return newCommand('lock', "resolve a manifest's Debian packages and write its lock")
    .argument('<manifest>', 'the .ctp manifest; the lock is <dir>/<stem>.lock.json')
    .option('--update', 'resolve again even when the lock fits the manifest')
    .option('--check', 'write nothing; exit 1 when the lock is missing or out of date')
    .option(
      '--mirror <url>',
      'Debian mirror (default $CT_APT_MIRROR, else http://deb.debian.org/debian)',
    )
    .option('--security-mirror <url>', 'Debian security mirror (default $CT_APT_SECURITY_MIRROR)')
    .addHelpText(
      'after',
      `
Resolves what the build would resolve (the base, the Debian closure of [dependencies]
packages from the verified archive) and writes <stem>.lock.json next to the manifest,
without building. A lock whose inputsDigest fits the manifest is left alone unless
--update is given. A new lock keeps the old lock's sourceDateEpoch (SOURCE_DATE_EPOCH in
the environment overrides it). Downloads of fetch steps are added by the next build.

--check writes nothing and resolves no package: it exits 1 when the lock is missing, was
made for other inputs or pins another base digest, and says what changed. (The base itself
is resolved as the build resolves it, since the lock pins its digest.)

Exit status: 0 written or up to date; 1 invalid manifest, lock missing or out of date
(--check), resolution failed; 2 usage or read error; 3 mirror unreachable.

Examples:
  cerro-torre lock hello.ctp
  cerro-torre lock --check hello.ctp`,
    )
    .action(
      action(box, 'builder', async (manifest: string, flags: LockFlags) => {
        if (flags.update === true && flags.check === true) {
          throw new VcError('USAGE', '--update and --check exclude each other', {
            hint: 'see cerro-torre lock --help',
          });
        }
        return runLock(manifest, flags, deps);
      }),
    );
}

async function runLock(
  manifestArg: string,
  flags: LockFlags,
  deps: LockCommandDeps,
): Promise<CommandResult> {
  const manifestPath = resolve(deps.cwd, manifestArg);
  const bytes = await readInputFile(manifestPath, {
    maxBytes: MAX_MANIFEST_BYTES,
    what: 'manifest',
  });
  const parsed = parseManifest(bytes, { source: manifestArg });
  if (!parsed.ok || parsed.manifest === undefined) {
    return { exitCode: 1, stderr: humanDiagnostics(manifestArg, parsed.diagnostics) };
  }
  const lockPath = lockfilePath(manifestPath);
  const lockDisplay = displayPath(lockPath, deps.cwd);
  const write = deps.progress ?? ((line: string) => void process.stderr.write(line));
  const progress = new LineProgress(write);
  const mode: LockMode =
    flags.check === true ? 'check' : flags.update === true ? 'update' : 'write';
  const existing = await readLockfile(lockPath);
  // Resolution pulls in apt, the store and the base builder: loaded only when it runs.
  const { lockManifest } = await import('../build/lock-manifest.js');
  const stage = await lockManifest(
    {
      manifest: parsed.manifest,
      manifestPath,
      lockPath,
      lockDisplay,
      mode,
      ...(flags.mirror !== undefined ? { mirror: flags.mirror } : {}),
      ...(flags.securityMirror !== undefined ? { securityMirror: flags.securityMirror } : {}),
    },
    {
      root: resolveStoreRoot({ env: deps.env, uid: deps.uid, homeDir: deps.homeDir }),
      exec: deps.exec ?? new ChildProcessExec(),
      env: deps.env,
      logger: deps.logger,
      clock: deps.clock,
      progress,
    },
  );
  if (!stage.write) return { exitCode: 0, stderr: `✓ ${lockDisplay} is up to date\n` };
  const epoch = resolveSourceDateEpoch({
    ...(deps.env['SOURCE_DATE_EPOCH'] !== undefined ? { env: deps.env['SOURCE_DATE_EPOCH'] } : {}),
    ...(existing !== undefined ? { lock: existing.sourceDateEpoch } : {}),
  }).value;
  const lock = { ...stage.lock, sourceDateEpoch: epoch };
  const packages = plural(lock.packages.length, 'package');
  if (existing !== undefined && serializeLockfile(existing) === serializeLockfile(lock)) {
    return { exitCode: 0, stderr: `✓ ${lockDisplay} is unchanged (${packages})\n` };
  }
  await writeLockfile(lockPath, lock);
  return { exitCode: 0, stderr: `✓ lock written: ${lockDisplay} (${packages})\n` };
}
