// SPDX-License-Identifier: Apache-2.0
// The setup every signed-image test shares: a manifest signed by keyholders m1, m2, bot and
// published to two `file:` logs, the logs created with `log init`, keys from `keygen` and
// `trust init --dev`, then `build`. The CLI is passed in (cerro-torre's runCli in process for the
// builder's tests, a child process of packages/builder/dist/bin.js for vordr's), so the runtime
// tests never import the builder.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What one cerro-torre invocation printed and how it ended. */
export interface CliOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs cerro-torre with `args` in the setup directory, with `$VC_ROOT` pointing at its store. */
export type CliRunner = (args: readonly string[]) => Promise<CliOutput>;

/** The two `file:` logs of {@link signedManifest}, as `logs/<name>` under the setup directory. */
export const FILE_LOGS = ['log-a', 'log-b'] as const;
/** The keyholders of {@link signedManifest}. */
export const KEYHOLDERS = ['m1', 'm2', 'bot'] as const;

export interface SignedManifestOptions {
  /** `[package] name` (default `example/app`; the version is always 1.0.0). */
  readonly name?: string;
  /** `[base] image` (default none: scratch). */
  readonly base?: string;
  /** The `[[build.steps]]` tables (default: write `/etc/motd` = `signed\n`). */
  readonly steps?: string;
  /** `[runtime] command` (default `["/bin/sh"]`). */
  readonly command?: readonly string[];
  /** Tables between `[runtime]` and `[attestations.signing]` (e.g. `[security…]`). */
  readonly security?: string;
  /** `[attestations.signing] threshold` (default `2-of-3`). */
  readonly threshold?: string;
  /** `[attestations.signing] keyholders` (default m1, m2, bot). */
  readonly keyholders?: readonly string[];
  /** Text appended at the end (e.g. `[verification…]` tables). */
  readonly extra?: string;
}

/** A `build.steps` table writing `/etc/motd`. */
export function writeMotdStep(content = 'signed'): string {
  return `[[build.steps]]
action = "write-file"
path = "/etc/motd"
content = "${content}\\n"
`;
}

/** An app.ctp signed `threshold` of m1, m2, bot and published 2-of-2 to the two `file:` logs. */
export function signedManifest(opts: SignedManifestOptions = {}): string {
  const base = opts.base === undefined ? '' : `\n[base]\nimage = "${opts.base}"\n`;
  const security = opts.security === undefined ? '' : `\n${opts.security}`;
  return `[package]
name = "${opts.name ?? 'example/app'}"
version = "1.0.0"

[metadata]
license = "Apache-2.0"
${base}
${opts.steps ?? writeMotdStep()}
[runtime]
command = ${JSON.stringify(opts.command ?? ['/bin/sh'])}
${security}
[attestations.signing]
algorithm = "ed25519"
threshold = "${opts.threshold ?? '2-of-3'}"
keyholders = ${JSON.stringify(opts.keyholders ?? KEYHOLDERS)}

[attestations.transparency]
logs = [
${FILE_LOGS.map((log) => `    { name = "${log}", url = "file:logs/${log}" },`).join('\n')}
]
threshold-agreement = "2-of-2"
${opts.extra ?? ''}`;
}

export interface SignedImageSetup {
  /** The directory the runner works in: `app.ctp` and `logs/` are created here. */
  readonly dir: string;
  /** The manifest text written to `<dir>/app.ctp` (see {@link signedManifest}). */
  readonly manifest: string;
  /** Keyholders whose keys `keygen` makes before `trust init --dev` makes the rest (default none). */
  readonly keygen?: readonly string[];
  /** The store's `keys/` directory and the keyholders whose private keys to remove before the build. */
  readonly dropPrivateKeys?: { readonly keysDir: string; readonly ids: readonly string[] };
  /** Arguments after `build app.ctp` (default none). */
  readonly buildArgs?: readonly string[];
}

/** A synchronous {@link CliRunner} (spawnSync), for fixtures whose callers do not await. */
export type SyncCliRunner = (args: readonly string[]) => CliOutput;

function checked(args: readonly string[], r: CliOutput): CliOutput {
  if (r.exitCode !== 0) {
    throw new Error(`cerro-torre ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}${r.stdout}`);
  }
  return r;
}

/**
 * The setup as cerro-torre invocations, with the file work between them done as the runner
 * advances: app.ctp is written first, the private keys are dropped after `trust init --dev`.
 * Steps: `log init` for both logs, `keygen` for `keygen`, `trust init --dev` (which creates the
 * missing keyholder keys), then `build app.ctp` (last).
 */
export function* signedImageSteps(setup: SignedImageSetup): Generator<readonly string[]> {
  writeFileSync(join(setup.dir, 'app.ctp'), setup.manifest);
  for (const log of FILE_LOGS) {
    yield ['log', 'init', '--dir', `logs/${log}`, '--origin', log, '--no-passphrase'];
  }
  for (const id of setup.keygen ?? []) yield ['keygen', '--id', id, '--no-passphrase'];
  yield ['trust', 'init', '--manifest', 'app.ctp', '--dev'];
  const drop = setup.dropPrivateKeys;
  if (drop !== undefined) {
    for (const id of drop.ids) rmSync(join(drop.keysDir, `${id}.key`), { force: true });
  }
  yield ['build', 'app.ctp', ...(setup.buildArgs ?? [])];
}

/**
 * Runs {@link signedImageSteps}; any non-zero exit throws with what the CLI printed. Returns the
 * build's output.
 */
export async function setUpSignedImage(
  run: CliRunner,
  setup: SignedImageSetup,
): Promise<CliOutput> {
  let last: CliOutput | undefined;
  for (const args of signedImageSteps(setup)) last = checked(args, await run(args));
  return last!;
}

/** {@link setUpSignedImage} with a synchronous runner. */
export function setUpSignedImageSync(run: SyncCliRunner, setup: SignedImageSetup): CliOutput {
  let last: CliOutput | undefined;
  for (const args of signedImageSteps(setup)) last = checked(args, run(args));
  return last!;
}
