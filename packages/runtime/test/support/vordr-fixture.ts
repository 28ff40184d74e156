// SPDX-License-Identifier: Apache-2.0
// A signed store image for vordr's integration tests, built by the real `cerro-torre` binary
// (run as a child process: the runtime never imports the builder) on a busybox base layout.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeBusyboxLayout } from './busybox-layout.js';

export const REPO_ROOT = new URL('../../../../', import.meta.url).pathname;
export const BUILDER_BIN = join(REPO_ROOT, 'packages/builder/dist/bin.js');
export const VORDR_BIN = join(REPO_ROOT, 'packages/runtime/dist/bin.js');

/** The image's manifest: the greeting, caps CHOWN+SETUID, a read-only root with /data writable. */
export function helloManifest(name: string): string {
  return `[package]
name = "${name}"
version = "1.0.0"

[metadata]
license = "Apache-2.0"

[base]
image = "oci:base:busybox"

[[build.steps]]
action = "write-file"
path = "/etc/greeting"
content = "hello from vordr\\n"

[runtime]
command = ["/bin/cat", "/etc/greeting"]

[security.capabilities]
drop = ["ALL"]
add = ["CHOWN", "SETUID"]

[security.readonly-root]
enabled = true
exceptions = ["/data"]

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

function must(r: Ran, what: string): Ran {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r;
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
  writeFileSync(join(dir, 'app.ctp'), helloManifest(name));
  for (const log of ['log-a', 'log-b']) {
    must(
      cerroTorre(
        dir,
        store,
        'log',
        'init',
        '--dir',
        `logs/${log}`,
        '--origin',
        log,
        '--no-passphrase',
      ),
      'log init',
    );
  }
  for (const id of signers)
    must(cerroTorre(dir, store, 'keygen', '--id', id, '--no-passphrase'), 'keygen');
  must(cerroTorre(dir, store, 'trust', 'init', '--manifest', 'app.ctp', '--dev'), 'trust init');
  for (const id of ['m1', 'm2', 'bot'].filter((k) => !signers.includes(k))) {
    spawnSync('rm', ['-f', join(store, 'keys', `${id}.key`)]);
  }
  return must(cerroTorre(dir, store, 'build', 'app.ctp'), 'build').stderr;
}
