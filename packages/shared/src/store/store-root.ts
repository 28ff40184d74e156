// SPDX-License-Identifier: Apache-2.0

export interface StoreRootInput {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number;
  readonly homeDir: string;
}

/**
 * `$VC_ROOT` (00 §4): the variable, else `/var/lib/verified-container` for uid 0, else
 * `$XDG_DATA_HOME/verified-container` (`~/.local/share/verified-container`).
 */
export function resolveStoreRoot({ env, uid, homeDir }: StoreRootInput): string {
  const explicit = env['VC_ROOT'];
  if (explicit !== undefined && explicit !== '') return explicit;
  if (uid === 0) return '/var/lib/verified-container';
  const dataHome = env['XDG_DATA_HOME'];
  const base = dataHome !== undefined && dataHome !== '' ? dataHome : `${homeDir}/.local/share`;
  return `${base}/verified-container`;
}

/** Well-known paths under the store root (00 §4). */
export function storePaths(root: string) {
  return {
    root,
    keys: `${root}/keys`,
    trustStore: `${root}/keys/trust-store.json`,
    images: `${root}/images`,
    bundles: `${root}/bundles`,
    logs: `${root}/logs`,
    heads: `${root}/heads`,
    audit: `${root}/audit/verify.jsonl`,
    cache: `${root}/cache`,
    locks: `${root}/locks`,
  } as const;
}
