// SPDX-License-Identifier: Apache-2.0
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SBOM_LINE, type CheckLine } from './check-lines.js';
import { checkSbomMatchesRootfs } from './sbom-rootfs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function rootfs(status?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vordr-sbom-'));
  dirs.push(dir);
  if (status !== undefined) {
    mkdirSync(join(dir, 'var/lib/dpkg'), { recursive: true });
    writeFileSync(join(dir, 'var/lib/dpkg/status'), status);
  }
  return dir;
}

const PASSED: CheckLine = { name: SBOM_LINE, status: 'pass', detail: '1 package', codes: [] };
const ZLIB = { name: 'zlib1g', version: '1:1.2.13.dfsg-1', architecture: 'amd64' };
const STATUS =
  'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\n';

describe('checkSbomMatchesRootfs (05 §4.8 line 3)', () => {
  it('✓ when the installed packages equal the SBOM’s', async () => {
    const line = await checkSbomMatchesRootfs(rootfs(STATUS), {
      packages: [ZLIB],
      line: PASSED,
      mode: 'strict',
    });
    expect(line).toEqual({ name: SBOM_LINE, status: 'pass', detail: '1 package', codes: [] });
  });

  it('✗ SBOM_INVALID naming the difference (strict), ! otherwise', async () => {
    const libc = { name: 'libc6', version: '2.36-9', architecture: 'amd64' };
    const dir = rootfs(STATUS);
    const strict = await checkSbomMatchesRootfs(dir, {
      packages: [libc],
      line: PASSED,
      mode: 'strict',
    });
    expect(strict).toMatchObject({ status: 'fail', codes: ['SBOM_INVALID'] });
    expect(strict.detail).toBe(
      "the rootfs's dpkg status differs from the SBOM: not installed but in the SBOM: libc6 2.36-9 (amd64); installed but not in the SBOM: zlib1g 1:1.2.13.dfsg-1 (amd64)",
    );
    const permissive = await checkSbomMatchesRootfs(dir, {
      packages: [libc],
      line: PASSED,
      mode: 'permissive',
    });
    expect(permissive.status).toBe('warn');
  });

  it('– without a dpkg status, or when it leads outside the rootfs', async () => {
    expect(
      (await checkSbomMatchesRootfs(rootfs(), { packages: [], line: PASSED, mode: 'strict' }))
        .status,
    ).toBe('skip');
    const dir = rootfs();
    mkdirSync(join(dir, 'var/lib/dpkg'), { recursive: true });
    symlinkSync('/etc/hostname', join(dir, 'var/lib/dpkg/status'));
    expect(
      (await checkSbomMatchesRootfs(dir, { packages: [], line: PASSED, mode: 'strict' })).status,
    ).toBe('skip');
  });

  it('keeps a line verification already failed or skipped', async () => {
    const failed: CheckLine = {
      name: SBOM_LINE,
      status: 'fail',
      detail: 'bad',
      codes: ['SBOM_INVALID'],
    };
    expect(
      await checkSbomMatchesRootfs(rootfs(STATUS), {
        packages: [ZLIB],
        line: failed,
        mode: 'strict',
      }),
    ).toBe(failed);
  });
});
