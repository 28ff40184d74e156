// SPDX-License-Identifier: Apache-2.0
// push and pullImage against a real registry (Debian's docker-registry 2.8 on loopback), read
// back with skopeo.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage } from '../../src/build/build-image.js';
import { buildTestImage, testBuildDeps, testImageManifest } from '../../src/build/test-support.js';
import { runCli } from '../../src/cli.js';
import type { PushCommandDeps } from '../../src/commands/push.js';
import { pullImage } from '../../src/registry/pull-image.js';
import { OciLayoutStore } from '../../src/store/oci-layout-store.js';
import {
  TEST_USER,
  freePort,
  hasDockerRegistry,
  hasOpenssl,
  startRegistry,
  type RegistryServer,
} from '@verified-container/testkit';
import { has, makeDeps, text } from '../support.js';

const execFileAsync = promisify(execFile);
const hasSkopeo = has('skopeo');
const BUNDLE_MEDIA_TYPE = 'application/vnd.verified-container.bundle+json';
const PLATFORM = { os: 'linux', architecture: 'amd64' };

/** Builds example/hello:1.0.0 (scratch + steps, no Debian) into `<dir>/store`. */
async function buildHello(dir: string, registry: string): Promise<string> {
  const manifest = testImageManifest({
    registry,
    tags: ['latest'],
    steps: `
[[build.steps]]
action = "write-file"
path = "/etc/motd"
content = "pushed by cerro-torre\\n"
`,
  });
  return (await buildTestImage(dir, { manifest })).image.digest;
}

/** CLI deps as root with `<dir>/store` as VC_ROOT; `lines` collects the progress lines. */
function cliDeps(
  dir: string,
  env: Record<string, string> = {},
): PushCommandDeps & { lines: string[] } {
  const lines: string[] = [];
  return { ...makeDeps(dir, env), uid: 0, progress: (line) => lines.push(line), lines };
}

// Asynchronous: in token mode the token server answering skopeo runs in this process.
async function skopeo(...args: string[]): Promise<string> {
  return (await execFileAsync('skopeo', args, { encoding: 'utf8' })).stdout;
}

/** `skopeo inspect [flags] docker://<image>` against a plain-http registry, parsed. */
async function inspectRemote(
  image: string,
  ...flags: string[]
): Promise<ReturnType<typeof JSON.parse>> {
  return JSON.parse(await skopeo('inspect', '--tls-verify=false', ...flags, `docker://${image}`));
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe.skipIf(!hasDockerRegistry || !hasSkopeo)('push and pull against docker-registry', () => {
  let dir: string;
  let registry: RegistryServer;
  let digest: string;
  let deps: ReturnType<typeof cliDeps>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ct-it-registry-'));
    registry = await startRegistry();
    digest = await buildHello(dir, `${registry.host}/example/hello`);
    deps = cliDeps(dir);
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes to the manifest defaults: version and tags, then the bundle tagged .att', async () => {
    const result = await runCli(['push', 'example/hello:1.0.0', '--json'], deps);
    expect(result.stderr).not.toContain('Error');
    expect(result.exitCode).toBe(0);
    const doc = JSON.parse(text(result.stdout));
    const hex = digest.slice('sha256:'.length);
    expect(doc.image).toEqual({ ref: 'example/hello:1.0.0', digest });
    expect(doc.tags.map((t: { reference: string }) => t.reference)).toEqual([
      `${registry.host}/example/hello:1.0.0`,
      `${registry.host}/example/hello:latest`,
    ]);
    expect(doc.tags.every((t: { digest: string }) => t.digest === digest)).toBe(true);
    expect(doc.bundles).toEqual([
      expect.objectContaining({
        repository: `${registry.host}/example/hello`,
        referrersApi: false,
        tag: `sha256-${hex}.att`,
      }),
    ]);
    // Progress: one line per blob when it starts and when it ends, on stderr only.
    expect(
      deps.lines.some((l) => /^ {2}pushing sha256:[0-9a-f]{4}…[0-9a-f]{4} {2}\d/.test(l)),
    ).toBe(true);
    expect(result.stderr).toContain(`✓ ${registry.host}/example/hello:1.0.0  ${digest}`);
  });

  it('skopeo sees the same digest, copies the image, and finds the bundle under .att', async () => {
    expect((await inspectRemote(`${registry.host}/example/hello:1.0.0`)).Digest).toBe(digest);
    expect((await inspectRemote(`${registry.host}/example/hello:latest`)).Digest).toBe(digest);

    const layout = join(dir, 'copied');
    await skopeo(
      'copy',
      '--src-tls-verify=false',
      `docker://${registry.host}/example/hello:1.0.0`,
      `oci:${layout}:hello`,
    );
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(digest);

    const hex = digest.slice('sha256:'.length);
    const raw = await inspectRemote(`${registry.host}/example/hello:sha256-${hex}.att`, '--raw');
    expect(raw.artifactType).toBe(BUNDLE_MEDIA_TYPE);
    expect(raw.config).toEqual({
      mediaType: 'application/vnd.oci.empty.v1+json',
      digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      size: 2,
    });
    expect(raw.subject.digest).toBe(digest);
    const bundle = readFileSync(
      join(dir, 'store/bundles', `sha256-${hex}`, 'attestations/bundle.json'),
    );
    expect(raw.layers).toHaveLength(1);
    expect(raw.layers[0]).toMatchObject({ mediaType: BUNDLE_MEDIA_TYPE, digest: sha256(bundle) });
  });

  it('serves the bundle bytes as the artifact layer', async () => {
    const hex = digest.slice('sha256:'.length);
    const bundle = readFileSync(
      join(dir, 'store/bundles', `sha256-${hex}`, 'attestations/bundle.json'),
    );
    const res = await fetch(`${registry.url}/v2/example/hello/blobs/${sha256(bundle)}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bundle)).toBe(true);
  });

  it('pushes again without uploading anything, and to an explicit destination', async () => {
    const again = await runCli(['push', 'example/hello:1.0.0', '--json'], deps);
    expect(again.exitCode).toBe(0);
    const doc = JSON.parse(text(again.stdout));
    expect(doc.blobs.every((b: { uploaded: boolean }) => !b.uploaded)).toBe(true);

    const other = await runCli(
      ['push', 'example/hello', `${registry.host}/mirror/hello:stable`],
      deps,
    );
    expect(other.exitCode).toBe(0);
    expect(other.stderr).toContain(`✓ ${registry.host}/mirror/hello:stable  ${digest}`);
    expect(other.stderr).toContain('no referrers API: tagged sha256-');
    expect((await inspectRemote(`${registry.host}/mirror/hello:stable`)).Digest).toBe(digest);
  });

  it('pullImage gives the same digests into a fresh store, by tag and by digest', async () => {
    const fresh = join(dir, 'fresh');
    const store = new OciLayoutStore({ root: fresh });
    const byTag = await pullImage(`${registry.host}/example/hello:1.0.0`, {
      store,
      platform: PLATFORM,
      env: {},
      homeDir: dir,
    });
    expect(byTag.digest).toBe(digest);
    expect(byTag.manifestDescriptor).toMatchObject({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest,
    });
    expect(byTag.config['architecture']).toBe('amd64');
    const original = new OciLayoutStore({ root: join(dir, 'store') });
    for (const d of [byTag.manifest.config, ...byTag.manifest.layers]) {
      expect(Buffer.from(await store.readBlob(d.digest))).toEqual(
        Buffer.from(await original.readBlob(d.digest)),
      );
    }
    expect(Buffer.from(await store.readBlob(digest))).toEqual(
      Buffer.from(await original.readBlob(digest)),
    );
    // Nothing is tagged.
    expect(await store.list()).toEqual([]);

    const byDigest = await pullImage(`${registry.host}/example/hello:1.0.0@${digest}`, {
      store: new OciLayoutStore({ root: join(dir, 'fresh2') }),
      platform: PLATFORM,
      env: {},
      homeDir: dir,
    });
    expect(byDigest.digest).toBe(digest);
  });

  it('a digest pin the registry does not have fails, and pulls nothing', async () => {
    const root = join(dir, 'pin');
    const wrong = `sha256:${'0'.repeat(64)}`;
    await expect(
      pullImage(`${registry.host}/example/hello@${wrong}`, {
        store: new OciLayoutStore({ root }),
        platform: PLATFORM,
        env: {},
        homeDir: dir,
      }),
    ).rejects.toMatchObject({ code: 'BUILD_BASE_NOT_FOUND' });
  });

  it('a platform the image is not for fails', async () => {
    await expect(
      pullImage(`${registry.host}/example/hello:1.0.0`, {
        store: new OciLayoutStore({ root: join(dir, 'arm') }),
        platform: { os: 'linux', architecture: 'arm64' },
        env: {},
        homeDir: dir,
      }),
    ).rejects.toMatchObject({ code: 'BUILD_BASE_NOT_FOUND' });
  });
});

describe.skipIf(!hasDockerRegistry)('registry content that does not match its digest', () => {
  it('a tampered layer in the registry storage is BUILD_HASH_MISMATCH and is not stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-it-registry-tamper-'));
    const registry = await startRegistry();
    try {
      const digest = await buildHello(dir, `${registry.host}/example/hello`);
      const push = await runCli(['push', 'example/hello:1.0.0'], cliDeps(dir));
      expect(push.exitCode).toBe(0);
      const store = new OciLayoutStore({ root: join(dir, 'store') });
      const manifest = JSON.parse(Buffer.from(await store.readBlob(digest)).toString('utf8'));
      const layer = manifest.layers[0].digest.slice('sha256:'.length) as string;
      const data = join(
        registry.dir,
        'data/docker/registry/v2/blobs/sha256',
        layer.slice(0, 2),
        layer,
        'data',
      );
      const bytes = readFileSync(data);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
      writeFileSync(data, bytes);

      const fresh = new OciLayoutStore({ root: join(dir, 'fresh') });
      await expect(
        pullImage(`${registry.host}/example/hello@${digest}`, {
          store: fresh,
          platform: PLATFORM,
          env: {},
          homeDir: dir,
        }),
      ).rejects.toMatchObject({ code: 'BUILD_HASH_MISMATCH' });
      expect(await fresh.hasBlob(`sha256:${layer}`)).toBe(false);
      expect(await fresh.hasBlob(digest)).toBe(false);
    } finally {
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a registry that is down', () => {
  it('push exits 3 with REGISTRY_UNAVAILABLE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-it-registry-down-'));
    try {
      const port = await freePort();
      await buildHello(dir, `127.0.0.1:${port}/example/hello`);
      const result = await runCli(['push', 'example/hello:1.0.0', '--json'], cliDeps(dir));
      expect(result.exitCode).toBe(3);
      expect(JSON.parse(text(result.stdout)).error.code).toBe('REGISTRY_UNAVAILABLE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasDockerRegistry)('registries that need credentials', () => {
  const authFile = (dir: string, host: string, password: string) => {
    const path = join(dir, 'auth.json');
    const auth = Buffer.from(`${TEST_USER.username}:${password}`).toString('base64');
    writeFileSync(path, JSON.stringify({ auths: { [host]: { auth } } }));
    return path;
  };

  for (const mode of ['basic', 'token'] as const) {
    it.skipIf(mode === 'token' && !hasOpenssl)(
      `${mode}: push and pull with REGISTRY_AUTH_FILE`,
      async () => {
        const dir = mkdtempSync(join(tmpdir(), `ct-it-registry-${mode}-`));
        const registry = await startRegistry({ auth: mode });
        try {
          const digest = await buildHello(dir, `${registry.host}/example/hello`);
          const anonymous = await runCli(['push', 'example/hello:1.0.0', '--json'], cliDeps(dir));
          expect(anonymous.exitCode).toBe(1);
          expect(JSON.parse(text(anonymous.stdout)).error.code).toBe('REGISTRY_UNAUTHORIZED');

          const bad = authFile(dir, registry.host, 'wrong');
          const refused = await runCli(
            ['push', 'example/hello:1.0.0'],
            cliDeps(dir, { REGISTRY_AUTH_FILE: bad }),
          );
          expect(refused.exitCode).toBe(1);
          expect(refused.stderr).toContain('Error [REGISTRY_UNAUTHORIZED]');
          expect(refused.stderr).toContain(`refused the credentials from ${bad}`);

          const good = authFile(dir, registry.host, TEST_USER.password);
          const pushed = await runCli(
            ['push', 'example/hello:1.0.0', '--json'],
            cliDeps(dir, { REGISTRY_AUTH_FILE: good }),
          );
          expect(pushed.stderr).not.toContain('Error');
          expect(pushed.exitCode).toBe(0);
          if (mode === 'token') {
            // docker-registry names the two actions in either order.
            expect(
              registry.tokenRequests.some((scope) =>
                /^repository:example\/hello:(pull,push|push,pull)$/.test(scope),
              ),
            ).toBe(true);
          }
          if (hasSkopeo) {
            const info = await inspectRemote(
              `${registry.host}/example/hello:1.0.0`,
              '--creds',
              `${TEST_USER.username}:${TEST_USER.password}`,
            );
            expect(info.Digest).toBe(digest);
          }
          const pulled = await pullImage(`${registry.host}/example/hello:1.0.0`, {
            store: new OciLayoutStore({ root: join(dir, 'fresh') }),
            platform: PLATFORM,
            env: { REGISTRY_AUTH_FILE: good },
            homeDir: dir,
          });
          expect(pulled.digest).toBe(digest);
        } finally {
          await registry.stop();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  }
});

describe.skipIf(!hasDockerRegistry)('a registry image as a build base', () => {
  it('is pulled into the store, its layers reused, its digest pinned in the lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-it-registry-base-'));
    const registry = await startRegistry();
    try {
      const digest = await buildHello(dir, `${registry.host}/example/hello`);
      const pushed = await runCli(['push', 'example/hello:1.0.0'], cliDeps(dir));
      expect(pushed.exitCode).toBe(0);
      writeFileSync(
        join(dir, 'derived.ctp'),
        `[package]\nname = "derived"\nversion = "1"\n[base]\nimage = "${registry.host}/example/hello:1.0.0"\n` +
          `[[build.steps]]\naction = "write-file"\npath = "/derived"\ncontent = "x"\n`,
      );
      const build = () =>
        buildImage(
          { manifest: 'derived.ctp', cwd: dir, root: join(dir, 'store2') },
          { ...testBuildDeps(), homeDir: dir },
        );
      const first = await build();
      expect(first.image.layers.map((l) => l.kind)).toEqual(['base', 'steps']);
      const lock = JSON.parse(readFileSync(join(dir, 'derived.lock.json'), 'utf8'));
      expect(lock.base).toEqual({ ref: `${registry.host}/example/hello:1.0.0`, digest });
      // The same lock, another store: pulled again by the pinned digest, same image.
      rmSync(join(dir, 'store2'), { recursive: true, force: true });
      expect((await build()).image.digest).toBe(first.image.digest);
    } finally {
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
