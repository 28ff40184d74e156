// SPDX-License-Identifier: Apache-2.0
// `vordr verify FILE.ctp` (05 §9) on the package a real signed build wrote to `dist/`: ALLOW
// against the package's own layout, bundle and manifests with the store unchanged (an empty store
// too); one changed layer byte inside the package and a `../` member → MALFORMED_BUNDLE, exit 2;
// no bundle → MISSING_ATTESTATION, exit 1. Every run leaves its temporary directory empty.
// `vordr run FILE.ctp` (05 §3, §4.1) loads the package into an empty store, then runs it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { testDeps } from '../../src/cli/test-deps.js';
import { extractCtpToTemp } from '../../src/image-load/index.js';
import { staticBusybox } from '../support/busybox-layout.js';
import {
  BUILDER_BIN,
  buildSignedStoreImage,
  type SignedStoreImage,
} from '../support/signed-store-image.js';
import {
  VORDR_BIN,
  buildSignedImage,
  removeStoreNetworks,
  vordr as vordrBin,
} from '../support/vordr-fixture.js';

const built = existsSync(BUILDER_BIN);
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vordr-verify-ctp-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Paths, sizes and mtimes of every file under `root` but `audit/` (the audit log is appended). */
async function snapshot(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const rel = relative(root, path);
    if (rel === 'audit' || rel.startsWith('audit/')) continue;
    const stat = await fs.lstat(path);
    out.push(`${rel} ${entry.isFile() ? stat.size : '-'} ${stat.mtimeMs}`);
  }
  return out.sort();
}

/**
 * A copy of the package `src` with `edit` applied to each member (undefined drops it) and `extra`
 * members appended, written as a gzip tar to `dst`.
 */
async function repack(
  src: string,
  dst: string,
  edit: (path: string, bytes: Buffer) => Buffer | undefined,
  extra: readonly { name: string; bytes: Buffer }[] = [],
): Promise<void> {
  const pkg = await extractCtpToTemp(src, { parent: tempDir() });
  try {
    const p = tarPack();
    const chunks: Buffer[] = [];
    const done = (async () => {
      for await (const c of p) chunks.push(c as Buffer);
    })();
    for (const path of pkg.files) {
      const bytes = edit(path, await fs.readFile(join(pkg.dir, ...path.split('/'))));
      if (bytes !== undefined) p.entry({ name: path, mode: 0o644 }, bytes);
    }
    for (const e of extra) p.entry({ name: e.name, mode: 0o644 }, e.bytes);
    p.finalize();
    await done;
    await fs.writeFile(dst, gzipSync(Buffer.concat(chunks)));
  } finally {
    await pkg.close();
  }
}

describe.skipIf(!built)('vordr verify FILE.ctp (05 §9)', () => {
  let image: SignedStoreImage;
  let work: string;
  let ctp: string;
  /** $TMPDIR of every run: must be empty afterwards. */
  let tmp: string;

  async function vordr(root: string, ...argv: string[]) {
    const deps = testDeps({
      env: { VC_ROOT: root, TMPDIR: tmp },
      cwd: work,
      clock: { now: () => new Date() },
    });
    const r = await runCli(['verify', ...argv], deps);
    const err = (r.stderr ?? '') + deps.stderr.text();
    const out =
      (typeof r.stdout === 'string' ? r.stdout : Buffer.from(r.stdout ?? '').toString()) +
      deps.stdout.text();
    expect(await fs.readdir(tmp), 'the temporary directory is removed').toEqual([]);
    return { exitCode: r.exitCode, out, err, lines: err.trimEnd().split('\n') };
  }

  async function auditLines(root: string): Promise<Record<string, unknown>[]> {
    const text = await fs.readFile(join(root, 'audit', 'verify.jsonl'), 'utf8');
    return text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  beforeAll(async () => {
    const dir = tempDir();
    image = await buildSignedStoreImage(dir);
    work = tempDir();
    tmp = tempDir();
    ctp = join(work, 'app.ctp');
    await fs.copyFile(join(dir, 'dist', 'example_app-1.0.0.ctp'), ctp);
  });

  it('ALLOW, exit 0, from the package alone; the store is unchanged, the decision audited', async () => {
    const before = await snapshot(image.root);
    const r = await vordr(image.root, 'app.ctp');
    expect(r.exitCode, r.err).toBe(0);
    expect(r.lines[0]).toMatch(
      /^Verifying example\/app:1\.0\.0 \(sha256:[0-9a-f]{4}…[0-9a-f]{4}\) with trust store example\/app-dev \(serial 0\)$/,
    );
    expect(r.lines.slice(1)).toEqual([
      '✓ Attestations bound to the image (3 attestations; manifest matches provenance)',
      '✓ Threshold signatures (2-of-3): m1, m2, bot',
      '✓ Transparency log consensus (2-of-2): log-a, log-b',
      '✓ SBOM present and valid (SPDX 2.3, 1 package)',
      '✓ All dependencies have provenance (no packages)',
      'ALLOW',
    ]);
    expect(await snapshot(image.root)).toEqual(before);
    expect((await auditLines(image.root)).at(-1)).toMatchObject({
      tool: 'vordr',
      decision: 'ALLOW',
      cached: false,
      imageDigest: image.digest,
    });

    // An empty store with only a trust store: the package carries everything else.
    const empty = join(tempDir(), 'store');
    const json = await vordr(empty, ctp, '--trust-store', image.trustStore, '--json');
    expect(json.exitCode, json.err).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({
      decision: 'ALLOW',
      attestationsVerified: 3,
      logEntriesVerified: 6,
      imageDigest: image.digest,
    });
    expect(await fs.readdir(empty)).toEqual(['audit']);
  });

  it('one changed layer byte inside the package → MALFORMED_BUNDLE, exit 2, in every mode', async () => {
    const layer = `oci-layout/blobs/sha256/${basename(image.layerBlobs[0]!)}`;
    const bad = join(work, 'changed-layer.ctp');
    await repack(ctp, bad, (path, bytes) => {
      if (path !== layer) return bytes;
      const changed = Buffer.from(bytes);
      changed[changed.length - 1] = (changed[changed.length - 1]! ^ 1) & 0xff;
      return changed;
    });
    for (const mode of ['strict', 'permissive', 'audit']) {
      const r = await vordr(image.root, bad, '--mode', mode);
      expect(r.exitCode, r.err).toBe(2);
      expect(r.lines.at(-1)).toBe('REJECT MALFORMED_BUNDLE');
      expect(r.err).toContain('oci-layout: layer 0 sha256:');
      expect(r.err).toContain('has the digest sha256:');
    }
  });

  it('a `../` member → MALFORMED_BUNDLE, exit 2; nothing is written outside', async () => {
    const bad = join(work, 'dotdot.ctp');
    await repack(ctp, bad, (_p, bytes) => bytes, [
      { name: 'oci-layout/../../escaped', bytes: Buffer.from('x') },
    ]);
    const r = await vordr(image.root, bad);
    expect(r.exitCode, r.err).toBe(2);
    expect(r.lines.at(-1)).toBe('REJECT MALFORMED_BUNDLE');
    expect(r.err).toContain('has an entry name with "..": "oci-layout/../../escaped"');
    expect(existsSync(join(tmp, '..', 'escaped'))).toBe(false);
    expect((await auditLines(image.root)).at(-1)).toMatchObject({
      tool: 'vordr',
      decision: 'REJECT',
      errorCode: 'MALFORMED_BUNDLE',
    });
  });

  it('a package without its bundle → MISSING_ATTESTATION, exit 1', async () => {
    const bad = join(work, 'no-bundle.ctp');
    await repack(ctp, bad, (path, bytes) =>
      path === 'attestations/bundle.json' ? undefined : bytes,
    );
    const r = await vordr(image.root, bad);
    expect(r.exitCode, r.err).toBe(1);
    expect(r.lines.at(-1)).toBe('REJECT MISSING_ATTESTATION');
  });
});

const busybox = staticBusybox();
const canRun =
  built &&
  process.getuid?.() === 0 &&
  busybox !== undefined &&
  spawnSync('runc', ['--version']).status === 0 &&
  spawnSync('conmon', ['--version']).status === 0 &&
  existsSync(VORDR_BIN);

describe.skipIf(!canRun)('vordr run FILE.ctp (05 §3: loaded, then run)', () => {
  let dir = '';
  let root = '';

  beforeAll(() => {
    dir = tempDir();
    root = join(dir, 'run-store');
    buildSignedImage(dir, busybox!, 'vt/hello');
  }, 120_000);

  afterAll(() => {
    if (root === '') return;
    const ids = vordrBin(dir, root, 'ps', '-a', '-q', '--no-trunc')
      .stdout.split('\n')
      .filter(Boolean);
    for (const id of ids) vordrBin(dir, root, 'rm', '-f', id);
    removeStoreNetworks(dir, root);
    const runcRoot = join(root, 'vordr/run/runc');
    if (existsSync(runcRoot)) {
      const listed = spawnSync('runc', ['--root', runcRoot, 'list', '-q'], { encoding: 'utf8' });
      for (const id of listed.stdout.split('\n').filter(Boolean)) {
        spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
      }
    }
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .filter((point) => point.startsWith(dir));
    for (const point of mounts.reverse()) spawnSync('umount', ['-l', point]);
  }, 120_000);

  it('run --rm on the package an empty store has never seen: verified, run, the image kept', () => {
    const trustStore = join(dir, 'store', 'keys', 'trust-store.json');
    const r = vordrBin(
      dir,
      root,
      'run',
      '--rm',
      '--trust-store',
      trustStore,
      'dist/vt_hello-1.0.0.ctp',
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('hello from vordr\n');
    expect(r.stderr).toContain('✓ Container signature valid');
    expect(vordrBin(dir, root, 'image', 'ls').stdout).toContain('vt/hello');
    expect(vordrBin(dir, root, 'ps', '-a', '-q').stdout).toBe('');
  });
});
