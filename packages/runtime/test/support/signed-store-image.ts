// SPDX-License-Identifier: Apache-2.0
// A tiny signed and logged store image built by the real builder CLI (`node
// packages/builder/dist/bin.js`, run `pnpm build` first): two `file:` logs, keys from keygen and
// `trust init --dev`, a scratch image with one write-file step, signed and published to both logs.
// Everything lives under one directory the caller owns (and removes).
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The builder's CLI entry point in this repository. */
export const BUILDER_BIN = new URL('../../../builder/dist/bin.js', import.meta.url).pathname;
/** vordr's CLI entry point in this repository. */
export const VORDR_BIN = new URL('../../dist/bin.js', import.meta.url).pathname;

export interface SignedStoreImageOptions {
  /** `[attestations.signing] threshold` (default `2-of-3`; keyholders m1, m2, bot). */
  readonly threshold?: string;
  /** The keyholders whose private keys stay available to the build (default all three). */
  readonly signers?: readonly ('m1' | 'm2' | 'bot')[];
  /** Extra manifest text appended at the end (e.g. a `[verification…]` table). */
  readonly extraManifest?: string;
}

export interface SignedStoreImage {
  /** `$VC_ROOT` (`<dir>/store`). */
  readonly root: string;
  /** `<root>/keys/trust-store.json`. */
  readonly trustStore: string;
  /** `example/app:1.0.0`. */
  readonly ref: string;
  /** `sha256:` of the image manifest. */
  readonly digest: string;
  /** The layer blob files of the image in the store, bottom-up. */
  readonly layerBlobs: readonly string[];
  /** `<root>/bundles/sha256-<hex>/`. */
  readonly bundleDir: string;
}

const KEYHOLDERS = ['m1', 'm2', 'bot'] as const;

function manifest(threshold: string, extra: string): string {
  return `[package]
name = "example/app"
version = "1.0.0"

[metadata]
license = "Apache-2.0"

[[build.steps]]
action = "write-file"
path = "/etc/motd"
content = "signed\\n"

[runtime]
command = ["/bin/sh"]

[attestations.signing]
algorithm = "ed25519"
threshold = "${threshold}"
keyholders = ["m1", "m2", "bot"]

[attestations.transparency]
logs = [
    { name = "log-a", url = "file:logs/log-a" },
    { name = "log-b", url = "file:logs/log-b" },
]
threshold-agreement = "2-of-2"
${extra}`;
}

/** Runs the builder CLI in `dir` with `$VC_ROOT=<dir>/store`; throws with its stderr on failure. */
export async function cerroTorre(dir: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [BUILDER_BIN, ...args], {
      cwd: dir,
      env: { ...process.env, VC_ROOT: join(dir, 'store'), NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`cerro-torre ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

/**
 * Builds `example/app:1.0.0` into `<dir>/store` and returns where everything is. With fewer
 * signers than the threshold the build is `pending-signatures` (not published).
 */
export async function buildSignedStoreImage(
  dir: string,
  opts: SignedStoreImageOptions = {},
): Promise<SignedStoreImage> {
  const signers = opts.signers ?? KEYHOLDERS;
  await fs.writeFile(
    join(dir, 'app.ctp'),
    manifest(opts.threshold ?? '2-of-3', opts.extraManifest ?? ''),
  );
  for (const log of ['log-a', 'log-b']) {
    await cerroTorre(
      dir,
      'log',
      'init',
      '--dir',
      `logs/${log}`,
      '--origin',
      log,
      '--no-passphrase',
    );
  }
  // trust init --dev creates the keyholder keys that are missing from $VC_ROOT/keys.
  await cerroTorre(dir, 'trust', 'init', '--manifest', 'app.ctp', '--dev');
  const root = join(dir, 'store');
  for (const id of KEYHOLDERS) {
    if (!signers.includes(id)) await fs.rm(join(root, 'keys', `${id}.key`));
  }
  const built = JSON.parse(await cerroTorre(dir, 'build', 'app.ctp', '--json')) as {
    image: { digest: string; layers: { digest: string }[] };
  };
  const digest = built.image.digest;
  return {
    root,
    trustStore: join(root, 'keys', 'trust-store.json'),
    ref: 'example/app:1.0.0',
    digest,
    layerBlobs: built.image.layers.map((l) =>
      join(root, 'images', 'blobs', 'sha256', l.digest.replace(/^sha256:/, '')),
    ),
    bundleDir: join(root, 'bundles', `sha256-${digest.replace(/^sha256:/, '')}`),
  };
}
