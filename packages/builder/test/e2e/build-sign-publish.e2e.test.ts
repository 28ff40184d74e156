// SPDX-License-Identifier: Apache-2.0
// Issue 4's chain through the CLI, without network: two `file:` logs, keys from keygen and
// `trust init --dev`, a build that signs with every keyholder key and publishes before the commit,
// then `verify --bundle` → ALLOW; with one key only the build is pending-signatures.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setUpSignedImage, signedManifest } from '@verified-container/testkit';
import { cli, cliRunner } from '../signed-image.js';
import { makeDeps, tempDir } from '../support.js';

describe('build signs, publishes and verifies', () => {
  it('threshold met → published to both file: logs → verify ALLOW', async () => {
    using dir = tempDir('ct-e2e-sign-');
    const deps = { ...makeDeps(dir.path), uid: 0 };
    const built = await setUpSignedImage(cliRunner(deps), {
      dir: dir.path,
      manifest: signedManifest(),
      keygen: ['m1', 'm2'],
      buildArgs: ['--json'],
    });
    const doc = JSON.parse(built.stdout);
    expect(doc.status).toBe('published');
    expect(doc.signatures).toMatchObject({ threshold: '2-of-3', met: true });
    expect(doc.transparency.published).toBe(true);
    expect(new Set(doc.transparency.entries.map((e: { logId: string }) => e.logId))).toEqual(
      new Set(['log-a', 'log-b']),
    );
    expect(built.stderr).toContain('✓ Transparency logs (2-of-2): log-a #0–#2, log-b #0–#2');
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
    // trust init finds m2 and bot missing from $VC_ROOT/keys and creates them there in --dev;
    // their private keys are removed so only m1 can sign.
    const built = await setUpSignedImage(cliRunner({ ...makeDeps(dir.path), uid: 0 }), {
      dir: dir.path,
      manifest: signedManifest(),
      keygen: ['m1'],
      dropPrivateKeys: { keysDir: join(dir.path, 'store/keys'), ids: ['m2', 'bot'] },
      buildArgs: ['--json'],
    });
    const doc = JSON.parse(built.stdout);
    expect(doc.status).toBe('pending-signatures');
    expect(doc.transparency.published).toBe(false);
    expect(built.stderr).toContain('1 of 2 required: signed by m1; missing m2, bot');
  });
});
