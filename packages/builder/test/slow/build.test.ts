// SPDX-License-Identifier: Apache-2.0
// `cerro-torre build` end to end against the Debian mirror (network): busybox on scratch with
// install = "extract". `pnpm test:slow`.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock, noopLogger } from '@verified-container/shared';
import { checkSbom } from '@verified-container/shared/attestation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_APT_MIRROR } from '../../src/debian/apt-sources.js';
import { parseDpkgStatus } from '../../src/debian/dpkg-database.js';
import { runCli } from '../../src/cli.js';
import type { BuildCommandDeps } from '../../src/commands/build.js';

const mirror = process.env['CT_APT_MIRROR'] ?? DEFAULT_APT_MIRROR;
const has = (tool: string, arg = '--version') => spawnSync(tool, [arg]).status === 0;

async function reachable(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5000) })).ok;
  } catch {
    return false;
  }
}

/** The parts of the --json document (01 §9) the tests read. */
interface BuildDocument {
  status: string;
  cached: boolean;
  lock: { path: string; written: boolean };
  image: { digest: string; layers: { kind: string }[] };
  error?: { code: string };
}

const ready =
  has('apt-get') && has('dpkg-deb') && (await reachable(`${mirror}/dists/bookworm/InRelease`));
const canRun = process.getuid?.() === 0 && has('runc') && has('umoci', '--version');

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
  const timings: Record<string, number> = {};
  const deps = (): BuildCommandDeps => ({
    env: { ...process.env, VC_ROOT: join(dir, 'store'), SOURCE_DATE_EPOCH: undefined },
    cwd: dir,
    uid: 0,
    homeDir: dir,
    clock: fixedClock(new Date('2026-11-25T10:00:00Z')),
    logger: noopLogger,
    interactive: false,
    progress: () => undefined,
  });
  const build = async (label: string, ...args: string[]) => {
    const started = performance.now();
    const result = await runCli(['build', 'hello.ctp', '--json', ...args], deps());
    timings[label] = Math.round(performance.now() - started);
    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    const doc: BuildDocument | undefined = stdout === '' ? undefined : JSON.parse(stdout);
    return { ...result, doc };
  };
  /** Every file of the image store and --out, with its sha256. */
  const snapshot = () => {
    const out: Record<string, string> = {};
    const walk = (d: string) => {
      if (!existsSync(d)) return;
      for (const ent of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, ent.name);
        if (ent.isDirectory()) walk(p);
        else out[p] = createHash('sha256').update(readFileSync(p)).digest('hex');
      }
    };
    for (const d of ['store/images', 'store/bundles', 'dist']) walk(join(dir, d));
    return out;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ct-build-slow-'));
    server = createServer((_req, res) => res.end(PAYLOAD));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/payload.txt`;
  });

  afterAll(async () => {
    console.log(`build timings (ms): ${JSON.stringify(timings)}`);
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
    const debRows = (
      sbom.packages as {
        name: string;
        versionInfo?: string;
        checksums?: { checksumValue: string }[];
        externalRefs?: { referenceLocator: string }[];
      }[]
    )
      .filter((p) => p.externalRefs?.some((r) => r.referenceLocator.startsWith('pkg:deb/')))
      .map((p) => `${p.name} ${p.versionInfo} ${p.checksums?.[0]?.checksumValue}`)
      .sort();
    expect(debRows).toEqual(lock.packages.map((p) => `${p.name} ${p.version} ${p.sha256}`).sort());
    if (has('umoci', '--version')) {
      const unpacked = join(dir, 'unpacked');
      execFileSync(
        'umoci',
        [
          'unpack',
          '--rootless',
          '--image',
          `${join(dir, 'store/images')}:example/hello-busybox:1.0.0`,
          unpacked,
        ],
        { stdio: 'ignore' },
      );
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
    const other = { ...deps(), env: { ...deps().env, VC_ROOT: join(dir, 'store2') } };
    const started = performance.now();
    const r = await runCli(['build', 'hello.ctp', '--json', '--frozen', '--out', 'dist2'], other);
    timings['frozen-fresh-store'] = Math.round(performance.now() - started);
    expect(r.exitCode).toBe(0);
    expect((JSON.parse(String(r.stdout)) as BuildDocument).image.digest).toBe(digest);
  });

  it.skipIf(!canRun)('runs under runc and prints hello', () => {
    const bundle = join(dir, 'runc-bundle');
    execFileSync(
      'umoci',
      ['unpack', '--image', `${join(dir, 'store/images')}:example/hello-busybox:1.0.0`, bundle],
      { stdio: 'ignore' },
    );
    const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
    config.process.terminal = false;
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
    const out = execFileSync('runc', ['run', `ct-build-test-${process.pid}`], {
      cwd: bundle,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out).toBe('hello\n');
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
