// SPDX-License-Identifier: Apache-2.0
// A tiny signed and logged image for the verification tests: two `file:` logs, keys from keygen
// and `trust init --dev`, a scratch build with a `copy` step from the context, signed 2-of-3 and
// published to both logs. Everything lives under one temporary directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { CliDeps, CommandResult } from '../src/cli/deps.js';
import type { BuildCommandDeps } from '../src/commands/build.js';
import { runCli } from '../src/cli.js';
import { makeDeps, text } from './support.js';

/** The manifest: scratch, a context file copied in, signing 2-of-3, two file: logs. */
export const SIGNED_MANIFEST = `[package]
name = "example/app"
version = "1.0.0"

[metadata]
license = "Apache-2.0"

[[build.steps]]
action = "write-file"
path = "/etc/motd"
content = "signed\\n"

[[build.steps]]
action = "copy"
src = "index.html"
dest = "/srv/"

[runtime]
command = ["/bin/sh"]

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

[verification.sbom-requirements]
allowed-licenses = ["Apache-2.0"]

[verification.vulnerability-scanning]
scan-before-deployment = true
`;

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

/**
 * Builds the signed image in `dir` (store `dir/store`, package in `dir/dist`); returns the deps
 * (uid 0, so the store is `$VC_ROOT`) and the trust store path.
 */
export async function buildSignedImage(
  dir: string,
): Promise<{ deps: CliDeps; trustStore: string }> {
  // No build progress lines in the test output.
  const deps: BuildCommandDeps = { ...makeDeps(dir), uid: 0, progress: () => undefined };
  writeFileSync(join(dir, 'app.ctp'), SIGNED_MANIFEST);
  mkdirSync(join(dir, 'srv'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<h1>hello</h1>\n');
  for (const log of ['log-a', 'log-b']) {
    const r = await cli(
      deps,
      'log',
      'init',
      '--dir',
      `logs/${log}`,
      '--origin',
      log,
      '--no-passphrase',
    );
    expect(r.exitCode, r.err).toBe(0);
  }
  for (const id of ['m1', 'm2']) {
    const r = await cli(deps, 'keygen', '--id', id, '--no-passphrase');
    expect(r.exitCode, r.err).toBe(0);
  }
  const trust = await cli(deps, 'trust', 'init', '--manifest', 'app.ctp', '--dev');
  expect(trust.exitCode, trust.err).toBe(0);
  const built = await cli(deps, 'build', 'app.ctp', '--json');
  expect(built.exitCode, built.err).toBe(0);
  expect(JSON.parse(built.out)).toMatchObject({ status: 'published' });
  return { deps, trustStore: join(dir, 'store/keys/trust-store.json') };
}
