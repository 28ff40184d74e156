// SPDX-License-Identifier: Apache-2.0
// `vordr image push` / `image pull` / `run --pull` (05 §3, §4.1, §10.1) against a real registry
// (Debian's docker-registry on loopback): a signed image built by the real builder is pushed with
// its bundle, pulled into fresh stores (same trust store) and run; a tampered blob, a missing image,
// an unsigned image and an authenticating registry are refused or handled as the spec says.
// Every registry, container, mount and directory is removed in afterAll, also when a test fails.
import { execFile, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_USER,
  hasDockerRegistry,
  hasOpenssl,
  startRegistry,
  type RegistryServer,
} from '@verified-container/testkit';
import { staticBusybox, writeBusyboxLayout } from '../support/busybox-layout.js';
import { VORDR_BIN, buildSignedImage, vordr, vordrTestsCanRun } from '../support/vordr-fixture.js';

const execFileAsync = promisify(execFile);
const busybox = staticBusybox();
const ready = vordrTestsCanRun(busybox) && hasDockerRegistry;

const IMAGE = 'vt/hello:1.0.0';

/**
 * vordr without blocking the event loop: a token-auth registry asks this process's token server,
 * which could not answer while a spawnSync waited.
 */
async function vordrAsync(cwd: string, store: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [VORDR_BIN, '--root', store, ...args],
      { cwd, env: { ...process.env, VC_ROOT: store }, encoding: 'utf8', timeout: 120_000 },
    );
    return { status: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    return {
      status: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

/** Every regular file under `dir` (relative paths), sorted; [] when it does not exist. */
function filesUnder(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`)
        : [`${prefix}${e.name}`],
    )
    .sort();
}

/** The file docker-registry keeps a blob's bytes in. */
function registryBlobFile(registry: RegistryServer, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return join(registry.dir, 'data/docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}

describe.skipIf(!ready)('vordr image push / pull and run --pull (docker-registry)', () => {
  let dir = '';
  let store = '';
  let digest = '';
  let layerDigest = '';
  const roots: string[] = [];
  const registries: RegistryServer[] = [];
  let registry: RegistryServer;

  /** A fresh store with the image store's trust store (keys/), as another host would have. */
  const freshRoot = (name: string): string => {
    const root = join(dir, name);
    cpSync(join(store, 'keys'), join(root, 'keys'), { recursive: true });
    roots.push(root);
    return root;
  };
  const newRegistry = async (opts?: Parameters<typeof startRegistry>[0]) => {
    const r = await startRegistry(opts);
    registries.push(r);
    return r;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-pull-'));
    store = join(dir, 'store');
    roots.push(store);
    buildSignedImage(dir, busybox!, 'vt/hello');
    const inspected = JSON.parse(vordr(dir, store, 'image', 'inspect', IMAGE).stdout) as {
      Digest?: string;
      digest?: string;
    };
    digest = inspected.digest ?? inspected.Digest ?? '';
    registry = await newRegistry();
  }, 180_000);

  afterAll(async () => {
    for (const root of roots) {
      const ids = vordr(dir, root, 'ps', '-a', '-q', '--no-trunc')
        .stdout.split('\n')
        .filter(Boolean);
      for (const id of ids) vordr(dir, root, 'rm', '-f', id);
    }
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .filter((point) => dir !== '' && point.startsWith(dir));
    for (const point of mounts.reverse()) spawnSync('umount', ['-l', point]);
    for (const r of registries) await r.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('pushes the image and its bundle (tag .att: distribution 2.8 has no referrers API)', () => {
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const r = vordr(dir, store, 'image', 'push', IMAGE, `${registry.host}/x/hello:1.0`, '--json');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      digest: string;
      tags: { reference: string }[];
      blobs: { digest: string; size: number }[];
      bundles: { tag?: string; referrersApi: boolean }[];
    };
    expect(doc.digest).toBe(digest);
    expect(doc.tags.map((t) => t.reference)).toEqual([`${registry.host}/x/hello:1.0`]);
    expect(doc.bundles).toEqual([
      expect.objectContaining({ referrersApi: false, tag: `${digest.replace(':', '-')}.att` }),
    ]);
    // Progress goes to stderr, one line per blob as it starts and ends.
    expect(r.stderr).toMatch(/^ {2}pushing sha256:[0-9a-f]{4}…[0-9a-f]{4} {2}/m);
    const largest = [...doc.blobs].sort((a, b) => b.size - a.size)[0];
    layerDigest = largest?.digest ?? '';
  });

  it('pulls into a fresh store with the bundle, and the pulled image verifies and runs', () => {
    const root = freshRoot('fresh');
    const ref = `${registry.host}/x/hello:1.0`;
    const pulled = vordr(dir, root, 'image', 'pull', ref, '--json');
    expect(pulled.status, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout)).toEqual({ reference: ref, digest, ref, signed: true });
    expect(pulled.stderr).toMatch(/^ {2}pulling sha256:/m);
    expect(
      readFileSync(join(root, 'bundles', `sha256-${digest.slice(7)}`, 'attestations/bundle.json')),
    ).toEqual(
      readFileSync(join(store, 'bundles', `sha256-${digest.slice(7)}`, 'attestations/bundle.json')),
    );
    const ls = vordr(dir, root, 'image', 'ls');
    expect(ls.stdout).toMatch(
      new RegExp(`${registry.host}/x/hello\\s+1\\.0\\s+${digest.slice(7, 19)}.*yes`),
    );

    const run = vordr(dir, root, 'run', '--rm', ref);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('hello from vordr\n');
    expect(run.stderr).toContain('✓ Container signature valid (2-of-3: m1, m2; logs 2-of-2)');
    expect(vordr(dir, root, 'ps', '-a', '-q').stdout).toBe('');

    // A pulled image is a store image like any other: rm takes its blobs and bundle with its tag.
    const rm = vordr(dir, root, 'image', 'rm', ref);
    expect(rm.status, rm.stderr).toBe(0);
    expect(filesUnder(join(root, 'images', 'blobs'))).toEqual([]);
    expect(filesUnder(join(root, 'bundles'))).toEqual([]);
  });

  it('run pulls a missing registry image (--pull missing, the default); --pull never does not', () => {
    const ref = `${registry.host}/x/hello:1.0`;
    const never = freshRoot('never');
    const refused = vordr(dir, never, 'run', '--rm', '--pull', 'never', ref);
    expect(refused.status).toBe(125);
    expect(refused.stderr).toContain('Error [IMAGE_NOT_FOUND]');
    expect(filesUnder(join(never, 'images'))).toEqual([]);

    const root = freshRoot('run-pull');
    const run = vordr(dir, root, 'run', '--rm', ref);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('hello from vordr\n');
    expect(run.stderr).toContain(`vordr: pulling ${ref}`);
    // Present now: missing does not pull again, always does.
    const again = vordr(dir, root, 'run', '--rm', ref);
    expect(again.stderr).not.toContain('vordr: pulling');
    const always = vordr(dir, root, 'run', '--rm', '--pull', 'always', ref);
    expect(always.status, always.stderr).toBe(0);
    expect(always.stderr).toContain(`vordr: pulling ${ref}`);
    const bad = vordr(dir, root, 'run', '--rm', '--pull', 'sometimes', ref);
    expect(bad.status).toBe(125);
    expect(bad.stderr).toContain('Error [USAGE]');
  });

  it('pulls by digest (no tag is written) and runs it by that reference', () => {
    const root = freshRoot('by-digest');
    const ref = `${registry.host}/x/hello@${digest}`;
    const pulled = vordr(dir, root, 'image', 'pull', ref, '--json');
    expect(pulled.status, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout)).toEqual({ reference: ref, digest, signed: true });
    const run = vordr(dir, root, 'run', '--rm', '--pull', 'never', ref);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('hello from vordr\n');
  });

  it('a missing image or repository is IMAGE_NOT_FOUND, and nothing is stored', () => {
    const root = freshRoot('missing');
    for (const ref of [`${registry.host}/x/hello:2.0`, `${registry.host}/x/nothing:1.0`]) {
      const r = vordr(dir, root, 'image', 'pull', ref);
      expect(r.status).toBe(125);
      expect(r.stderr).toContain('Error [IMAGE_NOT_FOUND]');
    }
    const local = vordr(dir, root, 'image', 'pull', 'vt/hello:1.0.0');
    expect(local.status).toBe(125);
    expect(local.stderr).toContain('Error [INVALID_REFERENCE]');
    expect(filesUnder(join(root, 'images'))).toEqual([]);
  });

  it('an unsigned image is pulled as such and refused by strict run (MISSING_ATTESTATION)', () => {
    const layout = join(dir, 'plain-layout');
    writeBusyboxLayout(layout, busybox!, 'busybox');
    const plain = freshRoot('plain-src');
    const loaded = vordr(dir, plain, 'image', 'load', layout, '--tag', 'plain/busybox:1');
    expect(loaded.status, loaded.stderr).toBe(0);
    const pushed = vordr(
      dir,
      plain,
      'image',
      'push',
      'plain/busybox:1',
      `${registry.host}/x/plain:1`,
    );
    expect(pushed.status, pushed.stderr).toBe(0);
    expect(pushed.stderr).toContain('no attestation bundle');

    const root = freshRoot('plain');
    const pulled = vordr(dir, root, 'image', 'pull', `${registry.host}/x/plain:1`, '--json');
    expect(pulled.status, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ signed: false });
    const run = vordr(dir, root, 'run', '--rm', `${registry.host}/x/plain:1`, '/bin/true');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('MISSING_ATTESTATION');
    expect(vordr(dir, root, 'ps', '-a', '-q').stdout).toBe('');
  });

  it('a tampered layer in the registry is MALFORMED_BUNDLE (exit 2) and nothing is stored', async () => {
    // A registry of its own: the tampering must not touch the one the other tests pull from.
    const own = await newRegistry();
    const pushed = vordr(dir, store, 'image', 'push', IMAGE, `${own.host}/x/hello:1.0`);
    expect(pushed.status, pushed.stderr).toBe(0);
    expect(layerDigest).toMatch(/^sha256:/);
    const file = registryBlobFile(own, layerDigest);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(file, bytes);
    expect(statSync(file).size).toBe(bytes.length);

    const root = freshRoot('tampered');
    const r = vordr(dir, root, 'image', 'pull', `${own.host}/x/hello:1.0`);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Error [MALFORMED_BUNDLE]');
    expect(r.stderr).toContain(layerDigest.slice(7));
    expect(existsSync(join(root, 'images'))).toBe(false);
    expect(existsSync(join(root, 'bundles'))).toBe(false);
  });

  it.skipIf(!hasOpenssl)(
    'a token-auth registry: push with --creds, pull with --authfile, run --creds; none is REGISTRY_UNAUTHORIZED',
    async () => {
      const secured = await newRegistry({ auth: 'token' });
      const ref = `${secured.host}/x/hello:1.0`;
      const creds = `${TEST_USER.username}:${TEST_USER.password}`;
      const pushed = await vordrAsync(dir, store, 'image', 'push', IMAGE, ref, '--creds', creds);
      expect(pushed.status, pushed.stderr).toBe(0);
      // distribution names the actions of a push scope in either order.
      expect(secured.tokenRequests).toContainEqual(
        expect.stringMatching(/x\/hello:(pull,push|push,pull)$/),
      );

      const root = freshRoot('token');
      const anonymous = await vordrAsync(dir, root, 'image', 'pull', ref);
      expect(anonymous.status).toBe(125);
      expect(anonymous.stderr).toContain('Error [REGISTRY_UNAUTHORIZED]');

      const authfile = join(dir, 'auth.json');
      const auth = Buffer.from(creds).toString('base64');
      writeFileSync(authfile, JSON.stringify({ auths: { [secured.host]: { auth } } }));
      const pulled = await vordrAsync(dir, root, 'image', 'pull', ref, '--authfile', authfile);
      expect(pulled.status, pulled.stderr).toBe(0);
      expect(pulled.stdout).toBe(`${digest}\n`);

      // run pulls with podman run's flags: without credentials refused, with --creds it runs.
      const runRoot = freshRoot('token-run');
      const refused = await vordrAsync(dir, runRoot, 'run', '--rm', ref);
      expect(refused.status).toBe(125);
      expect(refused.stderr).toContain('Error [REGISTRY_UNAUTHORIZED]');
      const ran = await vordrAsync(dir, runRoot, 'run', '--rm', '--creds', creds, ref);
      expect(ran.status, ran.stderr).toBe(0);
      expect(ran.stdout).toBe('hello from vordr\n');
    },
  );
});
