// SPDX-License-Identifier: Apache-2.0
// Issue 4's chain through the CLI, without network: two `file:` logs, keys from keygen and
// `trust init --dev`, a build that signs with every keyholder key and publishes before the commit,
// then `verify --bundle` → ALLOW; with one key only the build is pending-signatures.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { makeDeps, tempDir, text } from '../support.js';

const MANIFEST = `[package]
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
threshold = "2-of-3"
keyholders = ["m1", "m2", "bot"]

[attestations.transparency]
logs = [
    { name = "log-a", url = "file:logs/log-a" },
    { name = "log-b", url = "file:logs/log-b" },
]
threshold-agreement = "2-of-2"
`;

async function cli(deps: ReturnType<typeof makeDeps>, ...argv: string[]) {
  const r = await runCli(argv, deps);
  return { ...r, out: text(r.stdout), err: text(r.stderr) };
}

async function setUp(dir: string) {
  const deps = { ...makeDeps(dir), uid: 0 };
  writeFileSync(join(dir, 'app.ctp'), MANIFEST);
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
  return deps;
}

describe('build signs, publishes and verifies', () => {
  it('threshold met → published to both file: logs → verify ALLOW', async () => {
    using dir = tempDir('ct-e2e-sign-');
    const deps = await setUp(dir.path);
    for (const id of ['m1', 'm2']) {
      expect((await cli(deps, 'keygen', '--id', id, '--no-passphrase')).exitCode).toBe(0);
    }
    const trust = await cli(deps, 'trust', 'init', '--manifest', 'app.ctp', '--dev');
    expect(trust.exitCode, trust.err).toBe(0);
    const built = await cli(deps, 'build', 'app.ctp', '--json');
    expect(built.exitCode, built.err).toBe(0);
    const doc = JSON.parse(built.out);
    expect(doc.status).toBe('published');
    expect(doc.signatures).toMatchObject({ threshold: '2-of-3', met: true });
    expect(doc.transparency.published).toBe(true);
    expect(new Set(doc.transparency.entries.map((e: { logId: string }) => e.logId))).toEqual(
      new Set(['log-a', 'log-b']),
    );
    expect(built.err).toContain('✓ Transparency logs (2-of-2): log-a #0–#2, log-b #0–#2');
    const verified = await cli(
      deps,
      'verify',
      '--bundle',
      'dist/example_app-1.0.0.bundle.json',
      '--trust-store',
      join(dir.path, 'store/keys/trust-store.json'),
    );
    expect(verified.exitCode, verified.out).toBe(0);
    expect(JSON.parse(verified.out)).toMatchObject({ decision: 'ALLOW', logEntriesVerified: 6 });
    // One byte of a signature changed → REJECT.
    const bundlePath = join(dir.path, 'dist/example_app-1.0.0.bundle.json');
    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8'));
    const sig = bundle.attestations[0].signatures[0].sig as string;
    bundle.attestations[0].signatures[0].sig = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    writeFileSync(join(dir.path, 'tampered.json'), JSON.stringify(bundle));
    const rejected = await cli(
      deps,
      'verify',
      '--bundle',
      'tampered.json',
      '--trust-store',
      join(dir.path, 'store/keys/trust-store.json'),
    );
    expect(rejected.exitCode).toBe(1);
    expect(JSON.parse(rejected.out)).toMatchObject({ decision: 'REJECT' });
  });

  it('one keyholder key of 2 required → pending-signatures, nothing published', async () => {
    using dir = tempDir('ct-e2e-sign-');
    const deps = await setUp(dir.path);
    expect((await cli(deps, 'keygen', '--id', 'm1', '--no-passphrase')).exitCode).toBe(0);
    const trust = await cli(deps, 'trust', 'init', '--manifest', 'app.ctp', '--dev');
    // trust init finds m2 and bot missing from $VC_ROOT/keys and creates them there in --dev;
    // remove their private keys so only m1 can sign.
    expect(trust.exitCode, trust.err).toBe(0);
    for (const id of ['m2', 'bot']) rmSync(join(dir.path, 'store/keys', `${id}.key`));
    const built = await cli(deps, 'build', 'app.ctp', '--json');
    expect(built.exitCode, built.err).toBe(0);
    const doc = JSON.parse(built.out);
    expect(doc.status).toBe('pending-signatures');
    expect(doc.transparency.published).toBe(false);
    expect(built.err).toContain('1 of 2 required: signed by m1; missing m2, bot');
  });
});
