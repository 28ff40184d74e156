// SPDX-License-Identifier: Apache-2.0
// A tiny rootfs for sandbox tests: the host's static busybox and one symlink per applet.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** The host's busybox when it is statically linked (Debian's busybox-static), else undefined. */
export function staticBusybox(): string | undefined {
  for (const path of ['/bin/busybox', '/usr/bin/busybox']) {
    if (!existsSync(path)) continue;
    const ldd = spawnSync('ldd', [path], { encoding: 'utf8' });
    if (`${ldd.stdout}${ldd.stderr}`.includes('not a dynamic executable')) return path;
  }
  return undefined;
}

/** runc usable here: installed, and we are root (the sandbox is rootful). */
export const hasRunc = process.getuid?.() === 0 && spawnSync('runc', ['--version']).status === 0;

/** Fills `dir` with `/bin/busybox` and its applets (no /proc, /dev, /sys: runc must cope). */
export function makeBusyboxRootfs(dir: string, busybox: string): void {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(busybox, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((a) => a !== '' && a !== 'busybox');
  for (const applet of applets) symlinkSync('busybox', join(dir, 'bin', applet));
}
