// SPDX-License-Identifier: Apache-2.0
// Pure readings of host files and tool output for `vordr info` (05 §11).

export type CgroupMode = 'v1' | 'v2' | 'hybrid';
export type SelinuxState = 'disabled' | 'permissive' | 'enforcing';

/**
 * The cgroup mode from what `/sys/fs/cgroup` holds: `cgroup.controllers` at the top is the
 * unified hierarchy (v2); a `unified/` mount beside v1 controllers is hybrid; else v1.
 */
export function cgroupModeOf(entries: readonly string[]): CgroupMode {
  if (entries.includes('cgroup.controllers')) return 'v2';
  if (entries.includes('unified')) return 'hybrid';
  return 'v1';
}

/** SELinux from `/sys/fs/selinux/enforce` (undefined: not mounted → disabled). */
export function selinuxStateOf(enforce: string | undefined): SelinuxState {
  if (enforce === undefined) return 'disabled';
  return enforce.trim() === '1' ? 'enforcing' : 'permissive';
}

/**
 * The version in a tool's `--version` output: the first `version X` (runc, conmon) or `vX`
 * (nft: `nftables v1.0.6 (Lester Gooch #5)`) of its first line.
 */
export function toolVersionOf(output: string): string | undefined {
  const line = output.split('\n')[0] ?? '';
  const match =
    /\bversion:?\s+v?([0-9][^\s,]*)/i.exec(line) ?? /\bv([0-9][0-9.]*[^\s,]*)/.exec(line);
  return match?.[1];
}
