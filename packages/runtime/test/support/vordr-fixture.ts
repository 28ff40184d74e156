// SPDX-License-Identifier: Apache-2.0
// A signed store image for vordr's integration tests, built by the real `cerro-torre` binary
// (run as a child process: the runtime never imports the builder) on a busybox base layout.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  KEYHOLDERS,
  setUpSignedImageSync,
  signedManifest,
  type SyncCliRunner,
} from '@verified-container/testkit';
import { writeBusyboxLayout } from './busybox-layout.js';
import { BUILDER_BIN, VORDR_BIN } from './signed-store-image.js';

export { BUILDER_BIN, VORDR_BIN };
export const REPO_ROOT = new URL('../../../../', import.meta.url).pathname;

/**
 * Whether vordr's integration tests can run here: uid 0, a static busybox for the image, runc,
 * conmon, the built vordr, and each of `tools` (answering `--version`; `ip` answers `-V`).
 */
export function vordrTestsCanRun(busybox: string | undefined, ...tools: string[]): boolean {
  const answers = (tool: string) =>
    spawnSync(tool, [tool === 'ip' ? '-V' : '--version']).status === 0;
  return (
    process.getuid?.() === 0 &&
    busybox !== undefined &&
    ['runc', 'conmon', ...tools].every(answers) &&
    existsSync(VORDR_BIN)
  );
}

/** The image's manifest: the greeting, caps CHOWN+SETUID, a read-only root with /data writable. */
export function helloManifest(name: string): string {
  return signedManifest({
    name,
    base: 'oci:base:busybox',
    steps: `[[build.steps]]
action = "write-file"
path = "/etc/greeting"
content = "hello from vordr\\n"
`,
    command: ['/bin/cat', '/etc/greeting'],
    security: `[security.capabilities]
drop = ["ALL"]
add = ["CHOWN", "SETUID"]

[security.readonly-root]
enabled = true
exceptions = ["/data"]
`,
  });
}

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function ran(r: SpawnSyncReturns<string>): Ran {
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the builder CLI in `cwd` with `VC_ROOT`. */
export function cerroTorre(cwd: string, store: string, ...args: string[]): Ran {
  return ran(
    spawnSync(process.execPath, [BUILDER_BIN, ...args], {
      cwd,
      env: { ...process.env, VC_ROOT: store },
      encoding: 'utf8',
      timeout: 120_000,
    }),
  );
}

/** Runs vordr in `cwd` with `--root store`. */
export function vordr(cwd: string, store: string, ...args: string[]): Ran {
  return ran(
    spawnSync(process.execPath, [VORDR_BIN, '--root', store, ...args], {
      cwd,
      env: { ...process.env, VC_ROOT: store },
      encoding: 'utf8',
      timeout: 120_000,
    }),
  );
}

/** The testkit's synchronous CLI runner over {@link cerroTorre}. */
function cerroTorreRunner(cwd: string, store: string): SyncCliRunner {
  return (args) => {
    const r = cerroTorre(cwd, store, ...args);
    return { exitCode: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
}

/**
 * Sets `dir` up: the busybox base layout, two `file:` logs, keys for `signers` (of m1, m2, bot;
 * the others' private keys are removed after `trust init --dev`), and builds `name:1.0.0` into
 * `dir/store`. Returns the build's stderr.
 */
export function buildSignedImage(
  dir: string,
  busybox: string,
  name: string,
  signers: readonly string[] = ['m1', 'm2'],
): string {
  const store = join(dir, 'store');
  writeBusyboxLayout(join(dir, 'base'), busybox, 'busybox');
  return setUpSignedImageSync(cerroTorreRunner(dir, store), {
    dir,
    manifest: helloManifest(name),
    keygen: signers,
    dropPrivateKeys: {
      keysDir: join(store, 'keys'),
      ids: KEYHOLDERS.filter((id) => !signers.includes(id)),
    },
  }).stderr;
}

/**
 * Removes every network of the store (their bridges and host subnet reservations are host-wide,
 * so a test's afterAll calls this after removing its containers).
 */
export function removeStoreNetworks(cwd: string, store: string): void {
  // The names from the store's files: one vordr process fewer in an afterAll.
  const dir = join(store, 'vordr', 'networks');
  const names = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -'.json'.length))
    : [];
  if (names.length > 0) vordr(cwd, store, 'network', 'rm', ...names);
  // The store's DNS forwarder (it would leave by itself once idle or once the store is gone).
  try {
    const owner = JSON.parse(
      readFileSync(join(store, 'locks', 'dns-forwarder', 'owner.json'), 'utf8'),
    ) as { pid?: number };
    if (typeof owner.pid === 'number') process.kill(owner.pid, 'SIGTERM');
  } catch {
    // no forwarder, or it is gone
  }
}
