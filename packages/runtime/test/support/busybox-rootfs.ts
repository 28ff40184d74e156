// SPDX-License-Identifier: Apache-2.0
// Test support: a tiny rootfs from the host's static busybox, and whether runc can run here.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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

/** runc usable here: installed, and we are root (the runc backend is rootful). */
export const hasRunc = process.getuid?.() === 0 && spawnSync('runc', ['--version']).status === 0;

export const DEFAULT_APPLETS = ['sh', 'cat', 'touch', 'grep'] as const;

export interface BusyboxRootfsOptions {
  /** Applets to symlink in /bin (default sh, cat, touch, grep). */
  readonly applets?: readonly string[];
  /** `/etc/passwd` text (default: root and www-data). */
  readonly passwd?: string;
  /** `/etc/group` text (default: root and www-data). */
  readonly group?: string;
}

/**
 * Fills `dir` with `/bin/busybox`, one symlink per applet, `/etc/passwd`, `/etc/group` and empty
 * `/tmp`, `/proc`, `/dev`, `/sys` mount points.
 */
export function makeBusyboxRootfs(
  dir: string,
  busybox: string,
  options: BusyboxRootfsOptions = {},
): void {
  for (const sub of ['bin', 'etc', 'tmp', 'proc', 'dev', 'sys', 'var/tmp', 'run']) {
    mkdirSync(join(dir, sub), { recursive: true });
  }
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync(busybox, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  for (const applet of options.applets ?? DEFAULT_APPLETS) {
    symlinkSync('busybox', join(dir, 'bin', applet));
  }
  writeFileSync(
    join(dir, 'etc/passwd'),
    options.passwd ?? 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/sh\n',
  );
  writeFileSync(join(dir, 'etc/group'), options.group ?? 'root:x:0:\nwww-data:x:33:\n');
}
