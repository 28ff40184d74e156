// SPDX-License-Identifier: Apache-2.0
// `cerro-torre export` over a real store: a scratch image built without network.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_MEDIA_TYPE } from '@verified-container/shared/attestation';
import { makeDeps, text } from '../../test/support.js';
import type { BuildResult } from '../build/build-types.js';
import { runCli } from '../cli.js';
import { buildTestImage } from '../build/test-support.js';

let dir: string;
let built: BuildResult;
const progress: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ct-export-'));
  built = await buildTestImage(dir, { sourceDateEpoch: '1700000000' });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...argv: string[]) =>
  runCli(argv, { ...makeDeps(dir), progress: (l: string) => progress.push(l) } as ReturnType<
    typeof makeDeps
  >);

/** Every member of a tar: name, type, mode and bytes. */
async function members(file: string) {
  const out: { name: string; type: string; mode: number; mtime: number; bytes: Buffer }[] = [];
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      out.push({
        name: entry.header.name,
        type: entry.header.type ?? '',
        mode: entry.header.mode ?? 0,
        mtime: (entry.header.mtime?.getTime() ?? 0) / 1000,
        bytes: Buffer.concat(chunks),
      });
    }
  })();
  ex.end(readFileSync(file));
  await done;
  return out;
}

const json = (bytes: Uint8Array): ReturnType<typeof JSON.parse> =>
  JSON.parse(Buffer.from(bytes).toString('utf8'));

describe('cerro-torre export', () => {
  it('writes an OCI layout with the image tagged name:tag and the bundle as an artifact', async () => {
    const r = await run('export', 'example/hello:1.0.0', '--format', 'oci', '--output', 'oci-out');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^✓ example\/hello:1\.0\.0 {2}sha256:.*→ oci-out \(oci\)\n$/);
    const index = json(readFileSync(join(dir, 'oci-out', 'index.json')));
    expect(index.manifests).toHaveLength(2);
    expect(index.manifests[0]).toEqual({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: built.image.digest,
      size: expect.any(Number),
      annotations: { 'org.opencontainers.image.ref.name': 'example/hello:1.0.0' },
    });
    const artifact = index.manifests[1];
    expect(artifact.artifactType).toBe(BUNDLE_MEDIA_TYPE);
    const blob = (digest: string) =>
      readFileSync(join(dir, 'oci-out', 'blobs', 'sha256', digest.slice(7)));
    const manifest = json(blob(artifact.digest));
    expect(manifest.subject.digest).toBe(built.image.digest);
    expect(blob(manifest.layers[0].digest)).toEqual(
      readFileSync(join(built.bundleDir, 'attestations', 'bundle.json')),
    );
    expect(text(blob(manifest.config.digest))).toBe('{}');
  });

  it('accepts an empty directory as the layout output, and nothing else that exists', async () => {
    mkdirSync(join(dir, 'empty'));
    expect((await run('export', 'example/hello', '--format', 'oci', '-o', 'empty')).exitCode).toBe(
      0,
    );
    expect(readdirSync(join(dir, 'empty'))).toContain('index.json');
    const again = await run('export', 'example/hello', '--format', 'oci', '-o', 'empty');
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/^Error \[FILE_EXISTS\]: /);
    writeFileSync(join(dir, 'taken.tar'), 'x');
    const file = await run(
      'export',
      'example/hello',
      '--format',
      'docker-archive',
      '-o',
      'taken.tar',
    );
    expect(file.exitCode).toBe(1);
    expect(readFileSync(join(dir, 'taken.tar'), 'utf8')).toBe('x');
  });

  it('writes a docker-archive: manifest.json, <config>.json, <diffid>/layer.tar, repositories', async () => {
    const r = await run(
      'export',
      'example/hello:latest',
      '--format',
      'docker-archive',
      '-o',
      'd.tar',
    );
    expect(r.exitCode).toBe(0);
    const tar = await members(join(dir, 'd.tar'));
    const layer = built.image.layers[0]!;
    const diffHex = layer.diffId.slice(7);
    const config = tar.find((m) => m.name.endsWith('.json') && m.name !== 'manifest.json')!;
    expect(config.name).toMatch(/^[0-9a-f]{64}\.json$/);
    // Sorted by path bytes (01 §6.3), the layer directory emitted before its file.
    expect(tar.map((m) => m.name)).toEqual(
      [config.name, `${diffHex}/`, `${diffHex}/layer.tar`, 'manifest.json', 'repositories'].sort(),
    );
    const manifest = json(tar.find((m) => m.name === 'manifest.json')!.bytes);
    expect(manifest).toEqual([
      {
        Config: config.name,
        RepoTags: ['example/hello:latest'],
        Layers: [`${diffHex}/layer.tar`],
      },
    ]);
    expect(json(tar.find((m) => m.name === 'repositories')!.bytes)).toEqual({
      'example/hello': { latest: diffHex },
    });
    // The layer is the uncompressed tar: its sha256 is the diffId.
    const { createHash } = await import('node:crypto');
    const layerTar = tar.find((m) => m.name.endsWith('layer.tar'))!.bytes;
    expect(`sha256:${createHash('sha256').update(layerTar).digest('hex')}`).toBe(layer.diffId);
    expect(tar.every((m) => m.mtime === 1_700_000_000)).toBe(true);
  });

  it('writes the layout as an oci-archive, the same bytes on every export', async () => {
    expect(
      (await run('export', 'example/hello:1.0.0', '--format', 'oci-archive', '-o', 'a1.tar'))
        .exitCode,
    ).toBe(0);
    expect(
      (await run('export', 'example/hello:1.0.0', '--format', 'oci-archive', '-o', 'a2.tar'))
        .exitCode,
    ).toBe(0);
    expect(readFileSync(join(dir, 'a1.tar'))).toEqual(readFileSync(join(dir, 'a2.tar')));
    const names = (await members(join(dir, 'a1.tar'))).map((m) => m.name);
    expect(names).toContain('oci-layout');
    expect(names).toContain('index.json');
    expect(names).toContain(`blobs/sha256/${built.image.digest.slice(7)}`);
  });

  it('writes the same .ctp as the build, and copies a .ctp argument', async () => {
    const r = await run('export', 'example/hello:latest', '-o', 'again.ctp');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('example/hello:1.0.0');
    expect(readFileSync(join(dir, 'again.ctp'))).toEqual(readFileSync(built.package));
    expect((await run('export', 'dist/example_hello-1.0.0.ctp', '-o', 'copy.ctp')).exitCode).toBe(
      0,
    );
    expect(readFileSync(join(dir, 'copy.ctp'))).toEqual(readFileSync(built.package));
  });

  it('reads a .ctp and an oci: layout as well as the store', async () => {
    expect(
      (await run('export', 'dist/example_hello-1.0.0.ctp', '--format', 'oci', '-o', 'from-ctp'))
        .exitCode,
    ).toBe(0);
    const index = json(readFileSync(join(dir, 'from-ctp', 'index.json')));
    expect(index.manifests[0].annotations['org.opencontainers.image.ref.name']).toBe(
      'example/hello:1.0.0',
    );
    expect(index.manifests[1].artifactType).toBe(BUNDLE_MEDIA_TYPE);
    const r = await run(
      'export',
      'oci:from-ctp',
      '--format',
      'docker-archive',
      '-o',
      'from-oci.tar',
    );
    expect(r.exitCode).toBe(0);
  });

  it('checks every blob: a damaged layer is MALFORMED_BUNDLE and nothing is written', async () => {
    expect(
      (await run('export', 'example/hello', '--format', 'oci', '-o', 'damaged')).exitCode,
    ).toBe(0);
    const layer = join(dir, 'damaged', 'blobs', 'sha256', built.image.layers[0]!.digest.slice(7));
    const bytes = readFileSync(layer);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    writeFileSync(layer, bytes);
    const before = readdirSync(dir).sort();
    for (const format of ['docker-archive', 'oci-archive', 'oci']) {
      const r = await run('export', 'oci:damaged', '--format', format, '-o', `bad-${format}`);
      expect(r.exitCode, `${format}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(/^Error \[MALFORMED_BUNDLE\]: (blob|layer) sha256:/);
    }
    // A layout's bundle artifact carries no manifest.toml, so it cannot become a .ctp.
    const ctp = await run('export', 'oci:damaged', '-o', 'bad.ctp');
    expect(ctp.stderr).toMatch(/^Error \[UNSUPPORTED\]/);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('refuses an unsigned sigstore-bundle, unknown images and formats with coded errors', async () => {
    const sig = await run('export', 'example/hello', '--format', 'sigstore-bundle', '-o', 's');
    expect(sig.exitCode).toBe(1);
    expect(sig.stderr).toMatch(/^Error \[INVALID_SIGNATURE\]: .*\nhint: /);
    const missing = await run('export', 'example/nothere:1', '-o', 'n.ctp');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^Error \[IMAGE_NOT_FOUND\]: /);
    expect((await run('export', 'example/hello', '--format', 'zip', '-o', 'z')).exitCode).toBe(2);
    expect((await run('export', 'example/hello')).exitCode).toBe(2);
    const json2 = await run('export', 'example/hello', '-o', 'j.ctp', '--json');
    expect(JSON.parse(text(json2.stdout))).toMatchObject({
      format: 'ctp',
      ref: 'example/hello:1.0.0',
      digest: built.image.digest,
      bundle: true,
    });
  });

  it('has a man-like --help', async () => {
    const r = await run('export', '--help');
    expect(r.exitCode).toBe(0);
    expect(text(r.stdout)).toMatch(/Usage: cerro-torre export/);
    expect(text(r.stdout)).toMatch(/docker-archive/);
    expect(text(r.stdout)).toMatch(/Exit status:/);
  });
});
