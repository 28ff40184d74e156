// SPDX-License-Identifier: Apache-2.0
// Checks a generated SELinux CIL module with the host's secilc (01 §2.3, §5.4).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isVcError, noopLogger, VcError, type Logger } from '@verified-container/shared';
import type { SelinuxCilModule } from '@verified-container/shared/manifest';
import type { Exec, ExecOptions } from '../debian/exec.js';
import { secilcErrorSummary } from './secilc-output.js';

/** The program run when {@link SelinuxCheckDeps.secilc} is not given (looked up on PATH). */
export const DEFAULT_SECILC = 'secilc';

/** What the check needs from the build. */
export interface SelinuxCheckDeps {
  readonly exec: Exec;
  /** A directory in which a private temporary directory is made for the check, then removed. */
  readonly tmpDir: string;
  /** secilc's whole environment (its PATH finds secilc); the builder's own when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Manifest file name for error messages (`php-aegis-wordpress.ctp`). */
  readonly source?: string;
  /** secilc program name or path; default {@link DEFAULT_SECILC}. */
  readonly secilc?: string;
  readonly logger?: Logger;
}

const FIELD = 'security.selinux.custom-policy';

/**
 * Compiles `stub.cil` + the module with `secilc -o /dev/null -f /dev/null` in a fresh directory
 * under `deps.tmpDir`, so nothing but secilc's verdict is kept. The module is written under its
 * image file name (`vc_<name>.cil`), so the locations in secilc's messages name that file.
 *
 * @throws VcError BUILD_SELINUX_POLICY when secilc rejects the module (message: secilc's first
 *   meaningful line; `details.stderr`: all of it), BUILD_TOOL_MISSING when secilc is not installed.
 */
export async function checkSelinuxModule(
  deps: SelinuxCheckDeps,
  cil: SelinuxCilModule,
): Promise<void> {
  const secilc = deps.secilc ?? DEFAULT_SECILC;
  const logger = (deps.logger ?? noopLogger).child({ selinuxModule: cil.moduleName });
  const dir = await mkdtemp(join(deps.tmpDir, 'selinux-'));
  try {
    const moduleFile = `${cil.moduleName}.cil`;
    await writeFile(join(dir, 'stub.cil'), cil.stub, { mode: 0o600 });
    await writeFile(join(dir, moduleFile), cil.module, { mode: 0o600 });
    const args = ['-o', '/dev/null', '-f', '/dev/null', 'stub.cil', moduleFile];
    const opts: ExecOptions = { cwd: dir, ...(deps.env !== undefined ? { env: deps.env } : {}) };
    logger.debug({ cmd: secilc, args }, 'checking the SELinux module');
    const result = await deps.exec.run(secilc, args, opts).catch((err: unknown) => {
      throw toolError(err, secilc);
    });
    if (result.code !== 0) {
      const where = deps.source === undefined ? FIELD : `${deps.source}: ${FIELD}`;
      throw new VcError(
        'BUILD_SELINUX_POLICY',
        `${where}: secilc rejected the SELinux module ${cil.moduleName}: ${secilcErrorSummary(result.stderr, result.code)}`,
        {
          hint:
            'fix the custom-policy: declare each type once (the [security.selinux] type is declared ' +
            'for you) and use type names that start with a letter and are not CIL keywords (self, all, not, …)',
          details: { module: cil.moduleName, exitCode: result.code, stderr: result.stderr },
        },
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A missing secilc, with the Debian package to install; any other spawn failure unchanged. */
function toolError(err: unknown, secilc: string): unknown {
  if (!isVcError(err) || err.code !== 'BUILD_TOOL_MISSING') return err;
  return new VcError(
    'BUILD_TOOL_MISSING',
    `${secilc} is not installed (not found on PATH); it is needed to check [security.selinux] custom-policy`,
    { cause: err, hint: 'apt-get install secilc', details: { tool: secilc } },
  );
}
