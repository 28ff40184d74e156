// SPDX-License-Identifier: Apache-2.0
// The whole pipeline without network: a scratch base and steps only (no Debian packages).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { checkSbom, parseBundle } from '@verified-container/shared/attestation';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildImage } from './build-image.js';
import type { BuildDeps, BuildOptions } from './build-types.js';
import { snapshotFiles, testBuildDeps } from './test-support.js';

const MANIFEST = `
[package]
name = "example/hello"
version = "1.0.0"

[export.oci]
tags = ["latest"]

[[build.steps]]
action = "mkdir"
path = "/etc"

[[build.steps]]
action = "write-file"
path = "/etc/passwd"
content = "root:x:0:0:root:/root:/bin/sh\\napp:x:1000:1000::/nonexistent:/usr/sbin/nologin\\n"

[[build.steps]]
action = "write-file"
path = "/etc/group"
content = "root:x:0:\\napp:x:1000:\\n"

[[build.steps]]
action = "write-file"
path = "/etc/os-release"
content = "ID=debian\\nVERSION_ID=\\"12\\"\\n"

[[build.steps]]
action = "symlink"
target = "/bin/busybox"
link = "/bin/sh"

[runtime]
command = ["/bin/sh", "-c", "echo hello"]
user = "app"

[runtime.environment]
GREETING = "hello"
`;

const hasSecilc = spawnSync('secilc', ['--help']).error === undefined;

let dir: string;
let deps: BuildDeps;
let opts: BuildOptions;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ct-build-'));
  writeFileSync(join(dir, 'hello.ctp'), MANIFEST);
  deps = testBuildDeps();
  opts = { manifest: 'hello.ctp', cwd: dir, root: join(dir, 'store') };
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('buildImage (scratch + steps)', () => {
  it('stores the image and bundle, writes --out and the lock', async () => {
    const result = await buildImage(opts, deps);
    expect(result.status).toBe('unsigned');
    expect(result.image.tags).toEqual(['1.0.0', 'latest']);
    expect(result.image.layers.map((l) => l.kind)).toEqual(['steps']);
    expect(result.lock.written).toBe(true);
    expect(result.cached).toBe(false);

    const index = JSON.parse(readFileSync(join(dir, 'store/images/index.json'), 'utf8')) as {
      manifests: { digest: string; annotations: Record<string, string> }[];
    };
    expect(index.manifests.map((m) => m.annotations['org.opencontainers.image.ref.name'])).toEqual([
      'example/hello:1.0.0',
      'example/hello:latest',
    ]);
    expect(new Set(index.manifests.map((m) => m.digest))).toEqual(new Set([result.image.digest]));

    const hex = result.image.digest.slice('sha256:'.length);
    const manifest = JSON.parse(
      readFileSync(join(dir, 'store/images/blobs/sha256', hex), 'utf8'),
    ) as { config: { digest: string } };
    const config = JSON.parse(
      readFileSync(join(dir, 'store/images/blobs/sha256', manifest.config.digest.slice(7)), 'utf8'),
    ) as { config: Record<string, unknown>; created: string };
    expect(config.created).toBe('1970-01-01T00:00:00Z');
    expect(config.config['User']).toBe('app');
    expect(config.config['Cmd']).toEqual(['/bin/sh', '-c', 'echo hello']);
    expect(config.config['Env']).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'GREETING=hello',
    ]);

    const bundleDir = join(dir, 'store/bundles', `sha256-${hex}`);
    expect(readdirSync(join(bundleDir, 'attestations')).sort()).toEqual([
      'bundle.json',
      'file-integrity.json',
      'provenance.json',
      'sbom.spdx.json',
    ]);
    expect(readdirSync(join(bundleDir, 'source')).sort()).toEqual([
      'example_hello.ctp',
      'example_hello.lock.json',
    ]);
    const bundleText = readFileSync(join(dir, 'dist/example_hello-1.0.0.bundle.json'), 'utf8');
    expect(bundleText).toBe(readFileSync(join(bundleDir, 'attestations/bundle.json'), 'utf8'));
    const parsed = parseBundle(Buffer.from(bundleText));
    expect(parsed.bundle?.attestations).toHaveLength(3);
    expect(parsed.bundle?.attestations.every((a) => a.signatures.length === 0)).toBe(true);

    const sbom = JSON.parse(readFileSync(join(dir, 'dist/example_hello-1.0.0.spdx.json'), 'utf8'));
    expect(checkSbom(sbom, { subjectDigestHex: hex })).toEqual([]);

    const ctp = gunzipSync(readFileSync(join(dir, 'dist/example_hello-1.0.0.ctp')));
    expect(ctp.includes(Buffer.from('oci-layout/index.json'))).toBe(true);
    expect(ctp.includes(Buffer.from(`oci-layout/blobs/sha256/${hex}`))).toBe(true);
    expect(existsSync(join(dir, 'hello.lock.json'))).toBe(true);
    expect(readdirSync(join(dir, 'store/cache/build/work'))).toEqual([]);
  });

  it('is reproducible: same digest from the build cache and with --no-cache', async () => {
    const first = await buildImage(opts, deps);
    const second = await buildImage(opts, deps);
    expect(second.cached).toBe(true);
    expect(second.image.digest).toBe(first.image.digest);
    const third = await buildImage({ ...opts, noCache: true }, deps);
    expect(third.cached).toBe(false);
    expect(third.image.digest).toBe(first.image.digest);
    rmSync(join(dir, 'store'), { recursive: true });
    const fresh = await buildImage(opts, deps);
    expect(fresh.image.digest).toBe(first.image.digest);
  });

  it('takes SOURCE_DATE_EPOCH from the flag, then the environment', async () => {
    const a = await buildImage({ ...opts, sourceDateEpoch: '1700000000' }, deps);
    const b = await buildImage(opts, { ...deps, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(b.image.digest).toBe(a.image.digest);
    await expect(buildImage({ ...opts, sourceDateEpoch: '-1' }, deps)).rejects.toMatchObject({
      code: 'MANIFEST_VALUE',
    });
  });

  it('leaves the store and --out unchanged when the build fails before the commit', async () => {
    await buildImage(opts, deps);
    const before = {
      store: snapshotFiles(join(dir, 'store/images')),
      out: snapshotFiles(join(dir, 'dist')),
    };
    writeFileSync(join(dir, 'hello.ctp'), MANIFEST.replace('user = "app"', 'user = "nobody"'));
    await expect(buildImage(opts, deps)).rejects.toMatchObject({ code: 'BUILD_USER_UNKNOWN' });
    expect(snapshotFiles(join(dir, 'store/images'))).toEqual(before.store);
    expect(snapshotFiles(join(dir, 'dist'))).toEqual(before.out);
    expect(existsSync(join(dir, 'store/bundles'))).toBe(true);
    expect(readdirSync(join(dir, 'store/cache/build/work'))).toEqual([]);
  });

  it('reports invalid manifests with every diagnostic', async () => {
    writeFileSync(join(dir, 'hello.ctp'), MANIFEST.replace('action = "mkdir"', 'action = "run"'));
    await expect(buildImage(opts, deps)).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN_ACTION',
      details: { diagnostics: [expect.objectContaining({ code: 'MANIFEST_UNKNOWN_ACTION' })] },
    });
    expect(existsSync(join(dir, 'store'))).toBe(false);
  });

  it('keeps the context files the steps read in the bundle and the provenance', async () => {
    writeFileSync(join(dir, 'index.html'), '<h1>hello</h1>\n');
    writeFileSync(
      join(dir, 'hello.ctp'),
      MANIFEST.replace(
        '[runtime]',
        '[[build.steps]]\naction = "copy"\nsrc = "index.html"\ndest = "/srv/"\n\n[runtime]',
      ),
    );
    const result = await buildImage(opts, deps);
    const bundleDir = join(dir, 'store/bundles', `sha256-${result.image.digest.slice(7)}`);
    expect(readFileSync(join(bundleDir, 'source/context/index.html'), 'utf8')).toBe(
      '<h1>hello</h1>\n',
    );
    const provenance = JSON.parse(
      readFileSync(join(dir, 'dist/example_hello-1.0.0.provenance.json'), 'utf8'),
    ) as { predicate: { buildDefinition: { externalParameters: { context?: unknown } } } };
    expect(provenance.predicate.buildDefinition.externalParameters.context).toEqual({
      digest: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown },
    });
    // The context files are part of the cache keys: unchanged, the build is a cache hit; one
    // changed byte runs the steps again.
    const again = await buildImage(opts, deps);
    expect(again.cached).toBe(true);
    expect(again.image.digest).toBe(result.image.digest);
    writeFileSync(join(dir, 'index.html'), '<h1>hello!</h1>\n');
    const changed = await buildImage(opts, deps);
    expect(changed.cached).toBe(false);
    expect(changed.image.digest).not.toBe(result.image.digest);
  });

  it('refuses --frozen without a lock', async () => {
    await expect(buildImage({ ...opts, frozen: true }, deps)).rejects.toMatchObject({
      code: 'BUILD_LOCK_MISSING',
    });
  });

  it('an unknown cerro-torre/debian suite is BUILD_BASE_NOT_FOUND naming the shipped bases', async () => {
    writeFileSync(
      join(dir, 'hello.ctp'),
      `[package]\nname = "x"\nversion = "1"\n[base]\nimage = "cerro-torre/debian:sid"\n`,
    );
    await expect(buildImage(opts, deps)).rejects.toMatchObject({
      code: 'BUILD_BASE_NOT_FOUND',
      hint: expect.stringContaining('cerro-torre/debian:bookworm-slim'),
    });
  });

  it('builds on an oci: layout base: its layers reused as they are, its files below the steps', async () => {
    const first = await buildImage(opts, deps);
    const layout = join(dir, 'store', 'images');
    writeFileSync(
      join(dir, 'derived.ctp'),
      `[package]\nname = "derived"\nversion = "2"\n[base]\nimage = "oci:${layout}:example/hello:1.0.0"\n` +
        `[[build.steps]]\naction = "copy"\nsrc = "/etc/os-release"\ndest = "/etc/os-release.copy"\n` +
        `[runtime]\ncommand = ["/bin/sh"]\n`,
    );
    const derived = await buildImage(
      { ...opts, manifest: 'derived.ctp', root: join(dir, 'store2') },
      deps,
    );
    expect(derived.image.layers.map((l) => l.kind)).toEqual(['base', 'steps']);
    expect(derived.image.layers[0]!.digest).toBe(first.image.layers[0]!.digest);
    const lock = JSON.parse(readFileSync(join(dir, 'derived.lock.json'), 'utf8'));
    expect(lock.base).toEqual({
      ref: `oci:${layout}:example/hello:1.0.0`,
      digest: first.image.digest,
    });
    // The copy step read a file of the base: the base's table came from its layer.
    const stepsLayer = derived.image.layers[1]!;
    const blob = readFileSync(join(dir, 'store2/images/blobs/sha256', stepsLayer.digest.slice(7)));
    expect(gunzipSync(blob).toString('latin1')).toContain('ID=debian');
  });

  it('an oci: base whose layout has no such image is BUILD_BASE_NOT_FOUND', async () => {
    await buildImage(opts, deps);
    writeFileSync(
      join(dir, 'derived.ctp'),
      `[package]\nname = "derived"\nversion = "2"\n[base]\nimage = "oci:store/images:nope:1"\n`,
    );
    await expect(buildImage({ ...opts, manifest: 'derived.ctp' }, deps)).rejects.toMatchObject({
      code: 'BUILD_BASE_NOT_FOUND',
      hint: expect.stringContaining('example/hello:1.0.0'),
    });
  });

  it('refuses composer-require when the image has no composer', async () => {
    writeFileSync(
      join(dir, 'hello.ctp'),
      `[package]\nname = "x"\nversion = "1"\n[[build.steps]]\naction = "composer-require"\npackage = "vendor/name"\n`,
    );
    await expect(buildImage(opts, deps)).rejects.toMatchObject({
      code: 'BUILD_STEP_FAILED',
    });
  });

  it('an archive with a ../ entry is BUILD_ARCHIVE_UNSAFE, and nothing is stored', async () => {
    const tar = pack();
    const chunks: Buffer[] = [];
    tar.on('data', (c) => chunks.push(c as Buffer));
    const ended = new Promise<void>((ok) => tar.on('end', () => ok()));
    tar.entry({ name: 'ok.txt' }, 'fine');
    tar.entry({ name: '../escape.txt' }, 'evil');
    tar.finalize();
    await ended;
    writeFileSync(join(dir, 'evil.tar'), Buffer.concat(chunks));
    writeFileSync(
      join(dir, 'evil.ctp'),
      `[package]\nname = "x"\nversion = "1"\n` +
        `[[build.steps]]\naction = "copy"\nsrc = "evil.tar"\ndest = "/evil.tar"\n` +
        `[[build.steps]]\naction = "extract"\narchive = "/evil.tar"\ndest = "/srv"\n`,
    );
    await expect(buildImage({ ...opts, manifest: 'evil.ctp' }, deps)).rejects.toMatchObject({
      code: 'BUILD_ARCHIVE_UNSAFE',
      message: /\.\.\/escape\.txt/,
    });
    expect(existsSync(join(dir, 'store/images/index.json'))).toBe(false);
  });

  it.skipIf(!hasSecilc)(
    'an SELinux policy secilc refuses is BUILD_SELINUX_POLICY, and nothing is stored',
    async () => {
      writeFileSync(
        join(dir, 'policy.ctp'),
        `[package]\nname = "x"\nversion = "1"\n[security.selinux]\ntype = "app_t"\n` +
          `custom-policy = "type app_t;\\nallow app_t self:file { read };"\n`,
      );
      await expect(buildImage({ ...opts, manifest: 'policy.ctp' }, deps)).rejects.toMatchObject({
        code: 'BUILD_SELINUX_POLICY',
        message: /Re-declaration of type app_t/,
      });
      expect(existsSync(join(dir, 'store/images'))).toBe(false);
    },
  );
});
