// SPDX-License-Identifier: Apache-2.0
// A tiny signed and logged store image built by the real builder CLI (`node
// packages/builder/dist/bin.js`, run `pnpm build` first): two `file:` logs, keys from keygen and
// `trust init --dev`, a scratch image with one write-file step, signed and published to both logs.
// Everything lives under one directory the caller owns (and removes).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  KEYHOLDERS,
  setUpSignedImage,
  signedManifest,
  type CliRunner,
} from '@verified-container/testkit';

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

/** The testkit's CLI runner over the builder binary in `dir`, with `$VC_ROOT=<dir>/store`. */
export function cerroTorreRunner(dir: string): CliRunner {
  return async (args) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [BUILDER_BIN, ...args], {
        cwd: dir,
        env: { ...process.env, VC_ROOT: join(dir, 'store'), NO_COLOR: '1' },
        maxBuffer: 16 * 1024 * 1024,
      });
      return { exitCode: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: unknown; stdout?: string; stderr?: string; message: string };
      const exitCode = typeof e.code === 'number' ? e.code : -1;
      return { exitCode, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
    }
  };
}

/**
 * Builds `example/app:1.0.0` into `<dir>/store` and returns where everything is. With fewer
 * signers than the threshold the build is `pending-signatures` (not published).
 */
export async function buildSignedStoreImage(
  dir: string,
  opts: SignedStoreImageOptions = {},
): Promise<SignedStoreImage> {
  const root = join(dir, 'store');
  const signers = opts.signers ?? KEYHOLDERS;
  // trust init --dev creates the keyholder keys that are missing from $VC_ROOT/keys.
  const build = await setUpSignedImage(cerroTorreRunner(dir), {
    dir,
    manifest: signedManifest({ threshold: opts.threshold, extra: opts.extraManifest }),
    dropPrivateKeys: {
      keysDir: join(root, 'keys'),
      ids: KEYHOLDERS.filter((id) => !signers.includes(id)),
    },
    buildArgs: ['--json'],
  });
  const built = JSON.parse(build.stdout) as {
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
