// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDeps, text } from '../../test/support.js';
import { buildTestImage, testImageManifest } from '../build/test-support.js';
import { runCli } from '../cli.js';
import { MemoryRegistry } from '@verified-container/testkit';
import type { PushCommandDeps } from './push.js';

const HOST = 'reg.example.org';
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let dir: string;
let digest: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ct-push-'));
  const hello = testImageManifest({ registry: `${HOST}/team/hello`, tags: ['latest'] });
  digest = (await buildTestImage(dir, { manifest: hello })).image.digest;
  await buildTestImage(dir, {
    manifest: testImageManifest({ name: 'example/bare' }),
    file: 'bare.ctp',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pushDeps(registry: MemoryRegistry): PushCommandDeps & { lines: string[] } {
  const lines: string[] = [];
  return { ...makeDeps(dir), transport: registry, progress: (l) => lines.push(l), lines };
}

const bundleBytes = () =>
  readFileSync(join(dir, 'store/bundles', `sha256-${digest.slice(7)}`, 'attestations/bundle.json'));

describe('cerro-torre push', () => {
  it('shows man-like help', async () => {
    const r = await runCli(['push', '--help'], makeDeps(dir));
    expect(r.exitCode).toBe(0);
    const help = text(r.stdout);
    expect(help).toMatch(/^Usage: cerro-torre push \[options\] <image> \[destinations\.\.\.\]/);
    for (const s of [
      '--insecure',
      '--json',
      'sha256-<image hex>.att',
      'REGISTRY_AUTH_FILE',
      'Exit status:',
      'Examples:',
    ]) {
      expect(help).toContain(s);
    }
  });

  it('pushes to the manifest defaults and tags the bundle .att without a referrers API', async () => {
    const registry = new MemoryRegistry();
    const deps = pushDeps(registry);
    const r = await runCli(['push', 'example/hello:1.0.0', '--json'], deps);
    expect(r.stderr).not.toContain('Error');
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(text(r.stdout));
    expect(doc.image).toEqual({ ref: 'example/hello:1.0.0', digest });
    expect(doc.tags).toEqual([
      {
        reference: `${HOST}/team/hello:1.0.0`,
        repository: `${HOST}/team/hello`,
        tag: '1.0.0',
        digest,
      },
      {
        reference: `${HOST}/team/hello:latest`,
        repository: `${HOST}/team/hello`,
        tag: 'latest',
        digest,
      },
    ]);
    const att = `sha256-${digest.slice(7)}.att`;
    expect(doc.bundles).toEqual([
      {
        repository: `${HOST}/team/hello`,
        digest: expect.stringMatching(/^sha256:/),
        referrersApi: false,
        tag: att,
      },
    ]);
    expect(registry.tags.get('team/hello:1.0.0')).toBe(digest);
    expect(registry.tags.get('team/hello:latest')).toBe(digest);
    expect(registry.tags.get(`team/hello:${att}`)).toBe(doc.bundles[0].digest);
    expect(registry.blobs.get(sha(bundleBytes()))).toEqual(new Uint8Array(bundleBytes()));
    // Every request went to https on the registry's host (not loopback, no --insecure).
    expect(registry.requests.every((q) => q.url.startsWith(`https://${HOST}/v2/`))).toBe(true);
    // Progress lines per blob; the summary per tag on stderr.
    expect(deps.lines.filter((l) => l.startsWith('  pushing sha256:')).length).toBeGreaterThan(0);
    expect(r.stderr).toContain(`✓ ${HOST}/team/hello:1.0.0  ${digest}\n`);
    expect(r.stderr).toContain(`no referrers API: tagged ${att}`);
  });

  it('relies on the referrers API when the registry has one', async () => {
    const registry = new MemoryRegistry({ referrers: true });
    const r = await runCli(
      ['push', 'example/hello', `${HOST}/other/hello:stable`, '--json'],
      pushDeps(registry),
    );
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(text(r.stdout));
    expect(doc.bundles).toEqual([
      { repository: `${HOST}/other/hello`, digest: expect.any(String), referrersApi: true },
    ]);
    expect([...registry.tags.keys()]).toEqual(['other/hello:stable']);
    expect(r.stderr).toContain('found by the referrers API');
  });

  it('uses plain http with --insecure', async () => {
    const registry = new MemoryRegistry();
    const r = await runCli(
      ['push', 'example/hello:1.0.0', `${HOST}/a/b:1`, '--insecure'],
      pushDeps(registry),
    );
    expect(r.exitCode).toBe(0);
    expect(registry.requests.every((q) => q.url.startsWith(`http://${HOST}/`))).toBe(true);
  });

  it.each([
    [['push', 'example/bare:1.0.0'], 2, 'USAGE', 'no destination given'],
    [['push', 'example/hello:1.0.0', 'not-a-registry/x:1'], 2, 'USAGE', 'is not <host>/<repo>'],
    [['push', 'Bad Name'], 2, 'USAGE', 'invalid image reference'],
    [['push', 'example/missing:1'], 1, 'IMAGE_NOT_FOUND', 'not in the store'],
    [['push', 'hello.ctp', `${HOST}/a:1`], 1, 'UNSUPPORTED', 'only images of the store'],
    [['push'], 2, 'USAGE', "missing required argument 'image'"],
  ])('%j exits %i with %s', async (argv, exitCode, code, message) => {
    const r = await runCli(argv, pushDeps(new MemoryRegistry()));
    expect(r.exitCode).toBe(exitCode);
    expect(r.stderr).toContain(`Error [${code}]`);
    expect(r.stderr).toContain(message);
  });

  it('an image without its bundle is MISSING_ATTESTATION, and nothing is pushed', async () => {
    const bundle = join(
      dir,
      'store/bundles',
      `sha256-${digest.slice(7)}`,
      'attestations/bundle.json',
    );
    const saved = readFileSync(bundle);
    rmSync(bundle);
    try {
      const registry = new MemoryRegistry();
      const r = await runCli(['push', 'example/hello:1.0.0', '--json'], pushDeps(registry));
      expect(r.exitCode).toBe(1);
      expect(JSON.parse(text(r.stdout)).error.code).toBe('MISSING_ATTESTATION');
      expect(registry.requests).toEqual([]);
    } finally {
      writeFileSync(bundle, saved);
    }
  });
});
