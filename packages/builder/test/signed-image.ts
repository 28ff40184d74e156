// SPDX-License-Identifier: Apache-2.0
// A tiny signed and logged image for the verification tests: two `file:` logs, keys from keygen
// and `trust init --dev`, a scratch build with a `copy` step from the context, signed 2-of-3 and
// published to both logs. Everything lives under one temporary directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  setUpSignedImage,
  signedManifest,
  writeMotdStep,
  type CliRunner,
} from '@verified-container/testkit';
import type { CliDeps, CommandResult } from '../src/cli/deps.js';
import type { BuildCommandDeps } from '../src/commands/build.js';
import { runCli } from '../src/cli.js';
import { makeDeps, text } from './support.js';

/** The manifest: scratch, a context file copied in, signing 2-of-3, two file: logs. */
export const SIGNED_MANIFEST = signedManifest({
  steps: `${writeMotdStep()}
[[build.steps]]
action = "copy"
src = "index.html"
dest = "/srv/"
`,
  extra: `
[verification.sbom-requirements]
allowed-licenses = ["Apache-2.0"]

[verification.vulnerability-scanning]
scan-before-deployment = true
`,
});

/** The image's store reference and its `.ctp` under `dist/`. */
export const SIGNED_REF = 'example/app:1.0.0';
export const SIGNED_PACKAGE = 'dist/example_app-1.0.0.ctp';

export interface CliRun extends CommandResult {
  readonly out: string;
  readonly err: string;
}

export async function cli(deps: CliDeps, ...argv: string[]): Promise<CliRun> {
  const r = await runCli(argv, deps);
  return { ...r, out: text(r.stdout), err: text(r.stderr) };
}

/** The testkit's CLI runner over the in-process runCli with `deps`. */
export function cliRunner(deps: CliDeps): CliRunner {
  return async (argv) => {
    const r = await cli(deps, ...argv);
    return { exitCode: r.exitCode, stdout: r.out, stderr: r.err };
  };
}

/**
 * Builds the signed image in `dir` (store `dir/store`, package in `dir/dist`); returns the deps
 * (uid 0, so the store is `$VC_ROOT`) and the trust store path.
 */
export async function buildSignedImage(
  dir: string,
): Promise<{ deps: CliDeps; trustStore: string }> {
  // No build progress lines in the test output.
  const deps: BuildCommandDeps = { ...makeDeps(dir), uid: 0, progress: () => undefined };
  mkdirSync(join(dir, 'srv'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<h1>hello</h1>\n');
  const built = await setUpSignedImage(cliRunner(deps), {
    dir,
    manifest: SIGNED_MANIFEST,
    keygen: ['m1', 'm2'],
    buildArgs: ['--json'],
  });
  expect(JSON.parse(built.stdout)).toMatchObject({ status: 'published' });
  return { deps, trustStore: join(dir, 'store/keys/trust-store.json') };
}
