// SPDX-License-Identifier: Apache-2.0
// Line 3 of 05 §4.8 once the rootfs exists: the package set (name, version, architecture) of the
// rootfs's `var/lib/dpkg/status` equals the SBOM's Debian packages.
import { promises as fs } from 'node:fs';
import { join, sep } from 'node:path';
import { VcError, type Problem } from '@verified-container/shared';
import {
  comparePackageSets,
  describePackage,
  parseDpkgStatus,
  type InstalledPackage,
  type VerifyMode,
} from '@verified-container/shared/verify';
import { SBOM_LINE, type CheckLine } from './check-lines.js';

/** What verification found about the SBOM, for {@link checkSbomMatchesRootfs}. */
export interface SbomEvidence {
  /** The SBOM's Debian packages; null when the SBOM could not be read. */
  readonly packages: readonly InstalledPackage[] | null;
  /** Line 3 as verification left it (SBOM validity and content gates). */
  readonly line: CheckLine;
  /** The verification mode: a mismatch is `✗` in strict mode, `!` otherwise. */
  readonly mode: VerifyMode;
}

const SHOWN = 5;

/**
 * Line 3 of 05 §4.8: `sbom.line` unchanged when it did not pass; `–` when the rootfs has no
 * `var/lib/dpkg/status` (or it leads outside the rootfs); else `✓ … (N packages)` when the
 * installed packages equal the SBOM's Debian packages, or a failure with code `SBOM_INVALID`
 * naming what is missing and what is extra.
 */
export async function checkSbomMatchesRootfs(
  rootfsDir: string,
  sbom: SbomEvidence,
): Promise<CheckLine> {
  if (sbom.line.status !== 'pass' || sbom.packages === null) return sbom.line;
  const text = await readStatus(rootfsDir);
  if (text === undefined) {
    return {
      name: SBOM_LINE,
      status: 'skip',
      detail: 'the image has no dpkg status (var/lib/dpkg/status)',
      codes: [],
    };
  }
  const installed = parseDpkgStatus(text);
  const diff = comparePackageSets(sbom.packages, installed);
  if (diff.missing.length === 0 && diff.extra.length === 0) {
    const n = installed.length;
    return {
      name: SBOM_LINE,
      status: 'pass',
      detail: `${n} ${n === 1 ? 'package' : 'packages'}`,
      codes: [],
    };
  }
  const parts = [
    ...(diff.missing.length > 0 ? [`not installed but in the SBOM: ${list(diff.missing)}`] : []),
    ...(diff.extra.length > 0 ? [`installed but not in the SBOM: ${list(diff.extra)}`] : []),
  ];
  const problem: Problem = {
    code: 'SBOM_INVALID',
    path: '$',
    message: `the rootfs's dpkg status differs from the SBOM: ${parts.join('; ')}`,
  };
  return {
    name: SBOM_LINE,
    status: sbom.mode === 'strict' ? 'fail' : 'warn',
    detail: problem.message,
    codes: ['SBOM_INVALID'],
    problems: [problem],
  };
}

function list(packages: readonly InstalledPackage[]): string {
  const shown = packages.slice(0, SHOWN).map(describePackage).join(', ');
  return packages.length > SHOWN ? `${shown} and ${packages.length - SHOWN} more` : shown;
}

/** The status file's text; undefined when absent or when a symlink leads outside the rootfs. */
async function readStatus(rootfsDir: string): Promise<string | undefined> {
  try {
    const root = await fs.realpath(rootfsDir);
    const real = await fs.realpath(join(root, 'var', 'lib', 'dpkg', 'status'));
    if (!real.startsWith(root + sep)) return undefined;
    return await fs.readFile(real, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new VcError('READ_FAILED', `cannot read the dpkg status of ${rootfsDir}`, { cause });
  }
}
