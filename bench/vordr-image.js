// SPDX-License-Identifier: Apache-2.0
// The signed tiny image the vordr benches run (vordr.bench.js, vordr-daemon.bench.js,
// vordr-network.bench.js): a scratch image holding the host's static busybox (copied in from the
// manifest's context, `/bin/true` and `/bin/sleep` symlinks to it), signed 2-of-3 (m1, m2, bot from
// keygen and `trust init --dev`) and published to two file: logs, prepared once through the real
// CLIs. Not a bench itself (run.js runs `*.bench.js` only).
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const builderBin = join(root, 'packages/builder/dist/bin.js');
export const vordrBin = join(root, 'packages/runtime/dist/bin.js');
export const IMAGE = 'bench/true:1.0.0';

/** The host's busybox when it is statically linked (it must run in an empty rootfs). */
export function staticBusybox() {
  for (const path of ['/bin/busybox', '/usr/bin/busybox']) {
    if (!existsSync(path)) continue;
    const ldd = spawnSync('ldd', [path], { encoding: 'utf8' });
    if (`${ldd.stdout}${ldd.stderr}`.includes('not a dynamic executable')) return path;
  }
  return undefined;
}

const MANIFEST = `[package]
name = "bench/true"
version = "1.0.0"

[metadata]
license = "Apache-2.0"

[base]
image = "scratch"

[[build.steps]]
action = "copy"
src = "busybox"
dest = "/bin/busybox"
mode = "0755"

[[build.steps]]
action = "symlink"
target = "busybox"
link = "/bin/true"

[[build.steps]]
action = "symlink"
target = "busybox"
link = "/bin/sleep"

[runtime]
command = ["/bin/true"]

[attestations.signing]
algorithm = "ed25519"
threshold = "2-of-3"
keyholders = ["m1", "m2", "bot"]

[attestations.transparency]
logs = [
    { name = "log-a", url = "file:logs/log-a" },
    { name = "log-b", url = "file:logs/log-b" },
]
threshold-agreement = "2-of-2"
`;

/**
 * keygen ×3, trust init --dev, log init ×2, build: the signed IMAGE in `store` (`work`/store).
 * `exec(cmd, argv, what)` runs a command in `work` with VC_ROOT = store and throws when it fails.
 * Reuses a store that already holds the image (VC_BENCH_STORE).
 */
export function prepareImage({ work, store, busybox, exec }) {
  const index = join(store, 'images/index.json');
  if (existsSync(index) && readFileSync(index, 'utf8').includes(`"${IMAGE}"`)) {
    return { reused: true, ms: 0 };
  }
  const builder = (argv, what) => exec(process.execPath, [builderBin, ...argv], what);
  const started = performance.now();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  copyFileSync(busybox, join(work, 'busybox'));
  chmodSync(join(work, 'busybox'), 0o755);
  writeFileSync(join(work, 'true.ctp'), MANIFEST);
  for (const log of ['log-a', 'log-b']) {
    builder(
      ['log', 'init', '--dir', `logs/${log}`, '--origin', log, '--no-passphrase'],
      'log init',
    );
  }
  for (const id of ['m1', 'm2', 'bot'])
    builder(['keygen', '--id', id, '--no-passphrase'], 'keygen');
  builder(['trust', 'init', '--manifest', 'true.ctp', '--dev'], 'trust init --dev');
  builder(['build', 'true.ctp'], 'build true.ctp');
  return { reused: false, ms: performance.now() - started };
}

/**
 * The store's IMAGE copied into podman's containers-storage as `podmanImage`, with the
 * containers.conf podman needs on this host (environment.md §3) written to
 * podmanEnv.CONTAINERS_CONF; `{ skipped }` says why podman cannot be used.
 */
export function podmanCopy({ store, podmanImage, podmanEnv }) {
  const works = (cmd) => spawnSync(cmd, ['--version']).status === 0;
  if (!works('podman')) return { skipped: 'podman is not installed' };
  if (!works('skopeo')) return { skipped: 'skopeo is not installed' };
  writeFileSync(
    podmanEnv.CONTAINERS_CONF,
    '[containers]\ndefault_ulimits = []\n\n[engine]\ncgroup_manager = "cgroupfs"\nruntime = "runc"\n',
  );
  const copy = spawnSync(
    'skopeo',
    [
      'copy',
      '--quiet',
      `oci:${join(store, 'images')}:${IMAGE}`,
      `containers-storage:${podmanImage}`,
    ],
    { env: podmanEnv, encoding: 'utf8' },
  );
  if (copy.status !== 0) return { skipped: `skopeo copy failed: ${copy.stderr.trim()}` };
  return { version: spawnSync('podman', ['--version'], { encoding: 'utf8' }).stdout.trim() };
}
