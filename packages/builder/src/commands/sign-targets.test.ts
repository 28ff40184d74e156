// SPDX-License-Identifier: Apache-2.0
// `cerro-torre sign` on a store image and on a `.ctp` package (a scratch image built offline).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBundle } from '@verified-container/shared/attestation';
import { makeDeps, text } from '../../test/support.js';
import type { BuildResult } from '../build/build-types.js';
import { buildTestImage, testImageManifest } from '../build/test-support.js';
import { runCli } from '../cli.js';
import { openBundleTarget } from '../signing/bundle-target.js';

let dir: string;
let built: BuildResult;

const MANIFEST = `${testImageManifest()}
[attestations.signing]
threshold = "2-of-3"
keyholders = ["maintainer-1", "maintainer-2", "release-bot"]
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ct-sign-'));
  built = await buildTestImage(dir, { manifest: MANIFEST, sourceDateEpoch: '1700000000' });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...argv: string[]) => runCli(argv, makeDeps(dir));

async function signers(target: string): Promise<string[][]> {
  const t = await openBundleTarget(target, { cwd: dir, root: join(dir, 'store') });
  try {
    const { bundle } = parseBundle(t.bytes);
    expect(t.manifest?.attestations.signing.keyholders).toEqual([
      'maintainer-1',
      'maintainer-2',
      'release-bot',
    ]);
    return (bundle?.attestations ?? []).map((e) => e.signatures.map((s) => s.keyid));
  } finally {
    await t.close();
  }
}

describe('cerro-torre sign on images and packages', () => {
  it('signs the store bundle and the package, which re-packs like export --format ctp', async () => {
    const keygen = await run('keygen', '--id', 'maintainer-1', '--no-passphrase');
    expect(keygen.exitCode).toBe(0);
    const keyId = JSON.parse(text(keygen.stdout)).id as string;
    const key = join(dir, 'store', 'keys', 'maintainer-1.key');

    const image = await run('sign', '--key', key, 'example/hello:1.0.0');
    expect(image.exitCode).toBe(0);
    expect(JSON.parse(text(image.stdout))).toEqual({
      signed: true,
      keyid: keyId,
      owner: null,
      threshold: null,
    });
    const fromImage = await signers('example/hello:1.0.0');
    expect(fromImage.length).toBeGreaterThan(0);
    for (const keyids of fromImage) expect(keyids).toContain(keyId);

    const pkg = await run('sign', '--key', key, built.package);
    expect(pkg.exitCode).toBe(0);
    for (const keyids of await signers(built.package)) expect(keyids).toContain(keyId);

    const exported = await run(
      'export',
      'example/hello:1.0.0',
      '--format',
      'ctp',
      '--output',
      'exported.ctp',
    );
    expect(exported.exitCode).toBe(0);
    expect(readFileSync(built.package)).toEqual(readFileSync(join(dir, 'exported.ctp')));

    const again = await run('sign', '--key', key, built.package);
    expect(again.stderr).toContain('nothing changed');
  });
});
