// SPDX-License-Identifier: Apache-2.0
import type { HostInfo, ToolInfo } from './gather-host-info.js';

/** `vordr info` for people: one `key: value` line per fact (05 §11). Pure. */
export function formatHostInfo(info: HostInfo): string {
  const o = info.objects;
  const ts = info.trustStore;
  const lines: [string, string][] = [
    ['version', info.version],
    ['store', info.storeRoot],
    ['backend', `runc ${toolText(info.backend)}`],
    ['conmon', toolText(info.conmon)],
    ['kernel', info.kernel],
    ['cgroups', info.cgroups],
    ['selinux', info.selinux],
    ['seccomp', `${info.seccompProfile.path}${info.seccompProfile.present ? '' : ' (missing)'}`],
    ['nftables', toolText(info.nftables)],
    ['rootfs', info.rootfs],
    [
      'objects',
      `containers ${o.containers} (running ${o.running}), images ${o.images} (tags ${o.tags}), volumes ${o.volumes}, networks ${o.networks}`,
    ],
    [
      'daemon',
      `${info.daemon.socket || '(disabled)'} (${info.daemon.answering ? 'answering' : 'not answering'})`,
    ],
    [
      'supervisor',
      info.supervisor.pid === undefined
        ? 'not running'
        : `pid ${info.supervisor.pid}${info.supervisor.running ? '' : ' (not running)'}`,
    ],
    [
      'trust store',
      ts.error !== undefined
        ? `${ts.path} (${ts.error})`
        : `${ts.path} (id ${ts.id ?? '?'}, serial ${ts.serial ?? 0})`,
    ],
  ];
  const width = Math.max(...lines.map(([k]) => k.length)) + 2;
  return lines.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}\n`).join('');
}

function toolText(t: ToolInfo): string {
  if (t.path === undefined) return `missing (${t.error ?? 'not installed'})`;
  return `${t.path} ${t.version ?? `(${t.error ?? 'version unknown'})`}`;
}
