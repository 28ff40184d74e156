// SPDX-License-Identifier: Apache-2.0
// `cerro-torre build` end to end against the Debian mirror (network): busybox on scratch with
// install = "extract". `pnpm test:slow`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSbom } from '@verified-container/shared/attestation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotFiles } from '../../src/build/test-support.js';
import { parseDpkgStatus } from '../../src/debian/dpkg-database.js';
import {
  IS_ROOT,
  Timings,
  debianMirrorReady,
  has,
  hostBuildDeps,
  runcRun,
  sbomDebianRows,
  timedBuild,
  umociUnpack,
} from '../support.js';

/** The parts of the --json document (01 §9) the tests read. */
interface BuildDocument {
  status: string;
  cached: boolean;
  lock: { path: string; written: boolean };
  image: { digest: string; layers: { kind: string }[] };
  error?: { code: string };
}

const ready = await debianMirrorReady('apt-get', 'dpkg-deb');
const canRun = IS_ROOT && has('runc') && has('umoci');

const PAYLOAD = Buffer.from('fetched over http\n');
const PAYLOAD_SHA256 = createHash('sha256').update(PAYLOAD).digest('hex');

function manifest(extra = '', packages = '"busybox"'): string {
  return `[package]
name = "example/hello-busybox"
version = "1.0.0"

[base]
image = "scratch"

[dependencies]
packages = [${packages}]
suite = "bookworm"
install = "extract"

[[build.steps]]
action = "mkdir"
path = "/srv/www"
mode = "0750"

[[build.steps]]
action = "write-file"
path = "/etc/motd"
content = "hello from cerro-torre\\n"

[[build.steps]]
action = "symlink"
target = "/bin/busybox"
link = "/bin/sh"
${extra}
[runtime]
command = ["/bin/busybox", "echo", "hello"]
`;
}

describe.skipIf(!ready)('cerro-torre build (busybox on scratch, extract)', () => {
  let dir: string;
  let server: Server;
  let url: string;
  const timings = new Timings();
  const build = (label: string, ...args: string[]) =>
    timedBuild<BuildDocument>(timings, label, hostBuildDeps(dir), 'hello.ctp', ...args);
  /** Every file of the image store and --out, with its sha256. */
  const snapshot = () =>
    snapshotFiles(...['store/images', 'store/bundles', 'dist'].map((d) => join(dir, d)));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ct-build-slow-'));
    server = createServer((_req, res) => res.end(PAYLOAD));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/payload.txt`;
  });

  afterAll(async () => {
    timings.print('build');
    await new Promise<void>((done) => server.close(() => done()));
    rmSync(dir, { recursive: true, force: true });
  });

  let digest = '';

  it('builds into the store and --out (cold)', async () => {
    writeFileSync(join(dir, 'hello.ctp'), manifest());
    const r = await build('cold');
    expect(r.stderr).toContain('✓ OCI image: example/hello-busybox:1.0.0');
    expect(r.exitCode).toBe(0);
    const doc = r.doc!;
    expect(doc.status).toBe('unsigned');
    expect(doc.cached).toBe(false);
    expect(doc.lock).toEqual({ path: 'hello.lock.json', written: true });
    expect(doc.image.layers.map((l) => l.kind)).toEqual(['packages', 'steps']);
    digest = doc.image.digest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const f of ['ctp', 'bundle.json', 'spdx.json', 'provenance.json']) {
      expect(existsSync(join(dir, 'dist', `example_hello-busybox-1.0.0.${f}`))).toBe(true);
    }
  });

  it('the SBOM is valid and lists exactly the dpkg-status packages with the .deb sha256s', () => {
    const hex = digest.slice(7);
    const sbom = JSON.parse(
      readFileSync(join(dir, 'dist/example_hello-busybox-1.0.0.spdx.json'), 'utf8'),
    );
    expect(checkSbom(sbom, { subjectDigestHex: hex })).toEqual([]);
    const lock = JSON.parse(readFileSync(join(dir, 'hello.lock.json'), 'utf8')) as {
      packages: { name: string; version: string; sha256: string }[];
    };
    // The SBOM's Debian rows are the lock's packages with their .deb sha256s; the image's dpkg
    // status (read after umoci unpacks it) names the same packages.
    expect(sbomDebianRows(sbom)).toEqual(
      lock.packages.map((p) => `${p.name} ${p.version} ${p.sha256}`).sort(),
    );
    if (has('umoci')) {
      const unpacked = join(dir, 'unpacked');
      umociUnpack(join(dir, 'store/images'), 'example/hello-busybox:1.0.0', unpacked, {
        rootless: true,
      });
      const status = parseDpkgStatus(
        readFileSync(join(unpacked, 'rootfs/var/lib/dpkg/status'), 'utf8'),
      );
      const names = status.map((s) => s.fields.find((f) => f.name === 'Package')?.value).sort();
      expect(names).toEqual(lock.packages.map((p) => p.name).sort());
      expect(readFileSync(join(unpacked, 'rootfs/etc/motd'), 'utf8')).toBe(
        'hello from cerro-torre\n',
      );
      rmSync(unpacked, { recursive: true, force: true });
    }
  });

  it.skipIf(!has('skopeo'))('skopeo reads the image from the store', () => {
    const out = execFileSync(
      'skopeo',
      ['inspect', `oci:${join(dir, 'store/images')}:example/hello-busybox:1.0.0`],
      { encoding: 'utf8' },
    );
    const inspected = JSON.parse(out) as { Digest: string; Layers: string[]; Architecture: string };
    expect(inspected.Digest).toBe(digest);
    expect(inspected.Layers).toHaveLength(2);
  });

  it('rebuilds an unchanged manifest + lock from the cache, with the same digest (warm)', async () => {
    const r = await build('warm');
    expect(r.exitCode).toBe(0);
    expect(r.doc!.cached).toBe(true);
    expect(r.doc!.image.digest).toBe(digest);
    expect(r.doc!.lock.written).toBe(false);
  });

  it('gives the same digest with --no-cache', async () => {
    const r = await build('no-cache', '--no-cache');
    expect(r.exitCode).toBe(0);
    expect(r.doc!.cached).toBe(false);
    expect(r.doc!.image.digest).toBe(digest);
  });

  it('gives the same digest with --frozen from another store (downloads again)', async () => {
    const deps = hostBuildDeps(dir);
    const other = { ...deps, env: { ...deps.env, VC_ROOT: join(dir, 'store2') } };
    const r = await timedBuild<BuildDocument>(
      timings,
      'frozen-fresh-store',
      other,
      'hello.ctp',
      '--frozen',
      '--out',
      'dist2',
    );
    expect(r.exitCode).toBe(0);
    expect(r.doc!.image.digest).toBe(digest);
  });

  it.skipIf(!canRun)('runs under runc and prints hello', () => {
    const bundle = join(dir, 'runc-bundle');
    umociUnpack(join(dir, 'store/images'), 'example/hello-busybox:1.0.0', bundle);
    expect(runcRun(bundle, `ct-build-test-${process.pid}`)).toBe('hello\n');
    rmSync(bundle, { recursive: true, force: true });
  });

  it('a tampered fetch hash fails with BUILD_HASH_MISMATCH and leaves no image', async () => {
    const before = snapshot();
    const wrong = PAYLOAD_SHA256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    writeFileSync(
      join(dir, 'hello.ctp'),
      manifest(
        `\n[[build.steps]]\naction = "fetch"\nurl = "${url}"\ndest = "/srv/www/payload.txt"\nhash = "sha256:${wrong}"\n`,
      ),
    );
    const r = await build('tampered-fetch');
    expect(r.exitCode).toBe(1);
    expect(r.doc).toMatchObject({ error: { code: 'BUILD_HASH_MISMATCH' } });
    expect(snapshot()).toEqual(before);
  });

  it('the right fetch hash builds', async () => {
    writeFileSync(
      join(dir, 'hello.ctp'),
      manifest(
        `\n[[build.steps]]\naction = "fetch"\nurl = "${url}"\ndest = "/srv/www/payload.txt"\nhash = "sha256:${PAYLOAD_SHA256}"\n`,
      ),
    );
    const r = await build('with-fetch');
    expect(r.exitCode).toBe(0);
    expect(r.doc!.image.digest).not.toBe(digest);
    const lock = JSON.parse(readFileSync(join(dir, 'hello.lock.json'), 'utf8'));
    expect(lock.fetches).toEqual([{ url, sha256: PAYLOAD_SHA256, size: PAYLOAD.length }]);
  });

  it('an unknown package fails with BUILD_PACKAGE_NOT_FOUND and leaves no image', async () => {
    const before = snapshot();
    writeFileSync(join(dir, 'hello.ctp'), manifest('', '"busybox", "no-such-package-cerro"'));
    const r = await build('unknown-package');
    expect(r.exitCode).toBe(1);
    expect(r.doc).toMatchObject({ error: { code: 'BUILD_PACKAGE_NOT_FOUND' } });
    expect(snapshot()).toEqual(before);
  });

  it('an unknown action fails with MANIFEST_UNKNOWN_ACTION and leaves no image', async () => {
    const before = snapshot();
    writeFileSync(join(dir, 'hello.ctp'), manifest('\n[[build.steps]]\naction = "run"\n'));
    const r = await build('unknown-action');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('MANIFEST_UNKNOWN_ACTION');
    expect(r.doc).toMatchObject({ error: { code: 'MANIFEST_UNKNOWN_ACTION' } });
    expect(snapshot()).toEqual(before);
  });
});
