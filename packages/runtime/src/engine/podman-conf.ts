// SPDX-License-Identifier: Apache-2.0
// podman's configuration under the store (05 §14): `vordr/podman/containers.conf` and the global
// flags that keep podman's storage, state and events inside `vordr/podman/`.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-file.js';

/** The directories podman uses under `vordr/podman/`. */
export interface PodmanDirs {
  readonly dir: string;
  readonly conf: string;
  readonly storage: string;
  readonly run: string;
  readonly tmp: string;
  readonly networks: string;
  readonly events: string;
}

export function podmanDirs(dir: string): PodmanDirs {
  return {
    dir,
    conf: join(dir, 'containers.conf'),
    storage: join(dir, 'storage'),
    run: join(dir, 'run'),
    tmp: join(dir, 'tmp'),
    networks: join(dir, 'networks'),
    events: join(dir, 'events.log'),
  };
}

/**
 * The containers.conf podman needs here (environment.md §3): cgroupfs, file events (no journald),
 * runc, and no default ulimits (podman's default nofile/nproc exceed the caller's hard limits).
 */
export function podmanContainersConf(dirs: PodmanDirs): string {
  return [
    '# Written by vordr (05 §14); CONTAINERS_CONF set by the caller replaces it.',
    '[containers]',
    'default_ulimits = []',
    '',
    '[engine]',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    `events_logfile_path = ${JSON.stringify(dirs.events)}`,
    'runtime = "runc"',
    '',
    '[network]',
    `network_config_dir = ${JSON.stringify(dirs.networks)}`,
    '',
  ].join('\n');
}

/**
 * podman's global flags: storage (vfs: no mounts of its own; vordr brings the rootfs), run and
 * tmp dirs under the store, and the settings of the conf file again (they also reach the
 * `podman container cleanup` that podman's conmon runs).
 */
export function podmanGlobalArgs(dirs: PodmanDirs): string[] {
  return [
    '--root',
    dirs.storage,
    '--runroot',
    dirs.run,
    '--tmpdir',
    dirs.tmp,
    '--storage-driver',
    'vfs',
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'file',
    '--runtime',
    'runc',
    '--network-config-dir',
    dirs.networks,
  ];
}

/** Writes the conf file when it is missing or differs; returns its path. */
export async function ensurePodmanConf(dirs: PodmanDirs): Promise<string> {
  const text = podmanContainersConf(dirs);
  const current = await readFile(dirs.conf, 'utf8').catch(() => undefined);
  if (current !== text) {
    await mkdir(dirs.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(dirs.conf, text);
  }
  return dirs.conf;
}
