// SPDX-License-Identifier: Apache-2.0
// `vordr image load | ls | inspect | rm` on a .ctp the real builder CLI exported (05 §10.1), the
// refusals of bad packages (02 §3: MALFORMED_BUNDLE, exit 2, nothing written), named volumes
// (05 §10.2: create, ls, inspect, rm, IN_USE, import/export, copy-up) and `vordr info` (05 §11).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack as tarPack } from 'tar-stream';
import { runCli } from '../../src/cli.js';
import { testDeps } from '../../src/cli/test-deps.js';
import { prepareVolumeMount } from '../../src/volume/index.js';
import { BUILDER_BIN } from '../support/signed-store-image.js';

const run = promisify(execFile);
const built = existsSync(BUILDER_BIN);
const dirs: string[] = [];

function tempDir(prefix = 'vordr-iv-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function vordr(root: string, ...argv: string[]) {
  const deps = testDeps({ env: { VC_ROOT: root }, cwd: root, clock: { now: () => new Date() } });
  const r = await runCli(argv, deps);
  const out =
    (typeof r.stdout === 'string' ? r.stdout : Buffer.from(r.stdout ?? '').toString('latin1')) +
    deps.stdout.text();
  return { exitCode: r.exitCode, out, err: (r.stderr ?? '') + deps.stderr.text() };
}

/** Every file under `dir` (relative path → sha256), for comparing store states. */
async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const { stdout } = await run('sh', ['-c', 'find . -type f -exec sha256sum {} +'], { cwd: dir });
  for (const line of stdout.trim().split('\n').filter(Boolean)) {
    const [hash, path] = line.split(/\s+/, 2) as [string, string];
    out.set(path, hash);
  }
  return out;
}

const MANIFEST = `[package]
name = "example/vol"
version = "1.0.0"

[metadata]
license = "Apache-2.0"

[[build.steps]]
action = "write-file"
path = "/data/hello.txt"
content = "hello\\n"

[runtime]
command = ["/bin/sh"]
`;

describe.skipIf(!built)('vordr image load / ls / inspect / rm (05 §10.1)', () => {
  let work: string;
  let storeA: string;
  let ctp: string;
  let digest: string;

  beforeAll(async () => {
    work = tempDir();
    storeA = join(work, 'store-a');
    await fs.writeFile(join(work, 'app.ctp'), MANIFEST);
    const { stdout } = await run(
      process.execPath,
      [BUILDER_BIN, 'build', 'app.ctp', '--out', 'out', '--json'],
      { cwd: work, env: { ...process.env, VC_ROOT: storeA, NO_COLOR: '1' } },
    );
    digest = (JSON.parse(stdout) as { image: { digest: string } }).image.digest;
    ctp = join(work, 'out', 'example_vol-1.0.0.ctp');
  });

  it('loads the package into a fresh store exactly as the build stored it', async () => {
    const storeB = tempDir();
    const loaded = await vordr(storeB, 'image', 'load', ctp);
    expect(loaded.err).toBe('');
    expect(loaded.exitCode).toBe(0);
    expect(loaded.out).toContain('Loaded image example/vol:1.0.0');
    // Same blobs, same index.json bytes, same bundle directory, same store.json.
    const a = await tree(storeA);
    const b = await tree(storeB);
    const keep = (m: Map<string, string>) =>
      new Map([...m].filter(([p]) => /^\.\/(images|bundles)\/|^\.\/store\.json$/.test(p)));
    expect(keep(b)).toEqual(keep(a));
    expect([...keep(b).keys()]).toContain(
      `./bundles/sha256-${digest.slice(7)}/attestations/bundle.json`,
    );

    const ls = await vordr(storeB, 'image', 'ls', '--digests');
    expect(ls.exitCode).toBe(0);
    expect(ls.out.split('\n')[0]).toMatch(/^REPOSITORY\s+TAG\s+DIGEST\s+CREATED\s+SIZE\s+SIGNED$/);
    expect(ls.out).toMatch(new RegExp(`example/vol\\s+1\\.0\\.0\\s+${digest}`));

    const inspect = await vordr(storeB, 'image', 'inspect', 'example/vol:1.0.0');
    expect(inspect.exitCode).toBe(0);
    const doc = JSON.parse(inspect.out) as { digest: string; refs: string[]; bundle: unknown };
    expect(doc.digest).toBe(digest);
    expect(doc.refs).toEqual(['example/vol:1.0.0']);
    expect(doc.bundle).toBeDefined();
  });

  it('--tag adds a name; rm removes tags, and blobs and bundle with the last one', async () => {
    const store = tempDir();
    expect((await vordr(store, 'image', 'load', ctp, '--tag', 'mine:dev')).exitCode).toBe(0);
    const first = await vordr(store, 'image', 'rm', 'mine:dev');
    expect(first.out).toBe('Untagged: mine:dev\n');
    expect(existsSync(join(store, 'bundles', `sha256-${digest.slice(7)}`))).toBe(true);

    // A container record that runs the image makes rm IN_USE; -f removes it anyway.
    const id = 'a'.repeat(64);
    await fs.mkdir(join(store, 'vordr', 'containers', id), { recursive: true });
    await fs.writeFile(
      join(store, 'vordr', 'containers', id, 'container.json'),
      JSON.stringify({ id, name: 'web', imageDigest: digest }),
    );
    const inUse = await vordr(store, 'image', 'rm', 'example/vol:1.0.0');
    expect(inUse.exitCode).toBe(125);
    expect(inUse.err).toContain('Error [IN_USE]');
    const forced = await vordr(store, 'image', 'rm', '-f', 'example/vol:1.0.0');
    expect(forced.exitCode).toBe(0);
    expect(forced.out).toContain(`Deleted: ${digest}`);
    expect(await fs.readdir(join(store, 'images', 'blobs', 'sha256'))).toEqual([]);
    expect(existsSync(join(store, 'bundles', `sha256-${digest.slice(7)}`))).toBe(false);
    expect((await vordr(store, 'image', 'ls', '-q')).out).toBe('');
    expect((await vordr(store, 'image', 'inspect', 'example/vol:1.0.0')).err).toContain(
      'IMAGE_NOT_FOUND',
    );
  });

  it('loads an OCI layout directory and an OCI archive (no bundle); an unnamed image needs --tag', async () => {
    const dir = tempDir();
    await run('tar', ['xzf', ctp, '-C', dir]);
    const layout = join(dir, 'oci-layout');
    const store = tempDir();
    const fromDir = await vordr(store, 'image', 'load', layout);
    expect(fromDir.exitCode).toBe(0);
    expect(fromDir.out).toContain('Loaded image example/vol:1.0.0');
    expect(existsSync(join(store, 'bundles'))).toBe(false);

    const archive = join(dir, 'image.tar');
    await run('tar', ['cf', archive, '-C', layout, '.']);
    const other = tempDir();
    const fromArchive = await vordr(other, 'image', 'load', archive, '--tag', 'copy:1');
    expect(fromArchive.exitCode).toBe(0);
    expect((await vordr(other, 'image', 'ls', '--format', '{{.Repository}}:{{.Tag}}')).out).toBe(
      'copy:1\nexample/vol:1.0.0\n',
    );

    // Without its ref name the image has no name: USAGE unless --tag names it.
    const index = JSON.parse(await fs.readFile(join(layout, 'index.json'), 'utf8')) as {
      manifests: { annotations?: unknown }[];
    };
    delete index.manifests[0]!.annotations;
    await fs.writeFile(join(layout, 'index.json'), JSON.stringify(index));
    const third = tempDir();
    const unnamed = await vordr(third, 'image', 'load', layout);
    expect(unnamed.exitCode).toBe(125);
    expect(unnamed.err).toContain('Error [USAGE]');
    expect((await vordr(third, 'image', 'load', layout, '--tag', 'named:x')).exitCode).toBe(0);
  });

  it('a package with a ../ entry is MALFORMED_BUNDLE, exit 2, and nothing is written', async () => {
    const evil = join(tempDir(), 'evil.ctp');
    const p = tarPack();
    p.entry({ name: 'manifest.toml' }, 'name = "x"\n');
    p.entry({ name: 'oci-layout/../../escaped' }, 'boom\n');
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const c of p) chunks.push(c as Buffer);
    await fs.writeFile(evil, Buffer.concat(chunks));
    const store = tempDir();
    const r = await vordr(store, 'image', 'load', evil);
    expect(r.exitCode).toBe(2);
    expect(r.err).toContain('Error [MALFORMED_BUNDLE]');
    expect(r.err).toContain('".."');
    expect(await fs.readdir(store)).toEqual([]);
  });

  it('a package whose layer bytes were changed is MALFORMED_BUNDLE and nothing is written', async () => {
    const dir = tempDir();
    const unpacked = join(dir, 'pkg');
    await fs.mkdir(unpacked);
    await run('tar', ['xzf', ctp, '-C', unpacked]);
    const manifest = JSON.parse(
      await fs.readFile(join(unpacked, 'oci-layout', 'blobs', 'sha256', digest.slice(7)), 'utf8'),
    ) as { layers: { digest: string }[] };
    const layer = join(
      unpacked,
      'oci-layout',
      'blobs',
      'sha256',
      manifest.layers[0]!.digest.slice(7),
    );
    const bytes = await fs.readFile(layer);
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff;
    await fs.writeFile(layer, bytes);
    const tampered = join(dir, 'tampered.ctp');
    await run('tar', ['czf', tampered, '-C', unpacked, '.']);
    const store = tempDir();
    const r = await vordr(store, 'image', 'load', tampered);
    expect(r.exitCode).toBe(2);
    expect(r.err).toContain('Error [MALFORMED_BUNDLE]');
    expect(await fs.readdir(store)).toEqual([]);
  });
});

describe('vordr volume (05 §10.2)', () => {
  it('create, ls, inspect, rm; IN_USE while a container mounts it', async () => {
    const root = tempDir();
    expect((await vordr(root, 'volume', 'create', 'wp_content', '--label', 'app=wp')).out).toBe(
      'wp_content\n',
    );
    expect((await vordr(root, 'volume', 'create', 'wp_content')).err).toContain('NAME_IN_USE');
    expect((await vordr(root, 'volume', 'create', '../x')).err).toContain('INVALID_NAME');
    const generated = (await vordr(root, 'volume', 'create')).out.trim();
    expect(generated).toMatch(/^[0-9a-f]{64}$/);
    expect((await vordr(root, 'volume', 'ls', '-q')).out).toBe(`${generated}\nwp_content\n`);
    const inspect = JSON.parse((await vordr(root, 'volume', 'inspect', 'wp_content')).out) as {
      labels: Record<string, string>;
      mountpoint: string;
    };
    expect(inspect.labels).toEqual({ app: 'wp' });
    expect(inspect.mountpoint).toBe(join(root, 'vordr', 'volumes', 'wp_content', '_data'));

    const id = 'b'.repeat(64);
    await fs.mkdir(join(root, 'vordr', 'containers', id), { recursive: true });
    await fs.writeFile(
      join(root, 'vordr', 'containers', id, 'container.json'),
      JSON.stringify({ id, name: 'wp', mounts: [{ type: 'volume', source: 'wp_content' }] }),
    );
    const inUse = await vordr(root, 'volume', 'rm', 'wp_content');
    expect(inUse.exitCode).toBe(125);
    expect(inUse.err).toContain('Error [IN_USE]');
    expect((await vordr(root, 'volume', 'rm', '-f', 'wp_content', generated)).exitCode).toBe(0);
    expect((await vordr(root, 'volume', 'ls', '-q')).out).toBe('');
    expect((await vordr(root, 'volume', 'inspect', 'wp_content')).err).toContain(
      'VOLUME_NOT_FOUND',
    );
  });

  it('import (gzip) and export round trip keeps owners, modes and links', async () => {
    const root = tempDir();
    const src = join(tempDir(), 'src');
    await fs.mkdir(join(src, 'uploads'), { recursive: true });
    await fs.writeFile(join(src, 'uploads', 'a.txt'), 'A');
    await fs.chown(join(src, 'uploads', 'a.txt'), 33, 33);
    await fs.chmod(join(src, 'uploads', 'a.txt'), 0o640);
    await fs.symlink('a.txt', join(src, 'uploads', 'link'));
    const archive = join(src, '..', 'wp.tar.gz');
    await run('tar', ['czf', archive, '-C', src, '.']);
    await vordr(root, 'volume', 'create', 'wp');
    const imported = await vordr(root, 'volume', 'import', 'wp', archive);
    expect(imported.err).toBe('');
    const data = join(root, 'vordr', 'volumes', 'wp', '_data');
    const st = await fs.stat(join(data, 'uploads', 'a.txt'));
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([33, 33, 0o640]);
    expect(await fs.readlink(join(data, 'uploads', 'link'))).toBe('a.txt');

    // Into a volume that has content: merged over it.
    await fs.writeFile(join(data, 'keep.txt'), 'K');
    expect((await vordr(root, 'volume', 'import', 'wp', archive)).exitCode).toBe(0);
    expect((await fs.readdir(data)).sort()).toEqual(['keep.txt', 'uploads']);

    const out = join(src, '..', 'back.tar');
    expect((await vordr(root, 'volume', 'export', 'wp', out)).exitCode).toBe(0);
    const { stdout } = await run('tar', ['tvf', out, '--numeric-owner']);
    expect(stdout).toMatch(/-rw-r----- 33\/33\s+1 .* uploads\/a\.txt/);
    expect(stdout).toMatch(/uploads\/link -> a\.txt/);
    expect(stdout).toMatch(/keep\.txt/);
    // Into a second volume, from the exported tar: the same content.
    await vordr(root, 'volume', 'create', 'copy');
    expect((await vordr(root, 'volume', 'import', 'copy', out)).exitCode).toBe(0);
    expect(
      await fs.readFile(
        join(root, 'vordr', 'volumes', 'copy', '_data', 'uploads', 'a.txt'),
        'utf8',
      ),
    ).toBe('A');
  });

  it('import refuses path escapes and devices and leaves the volume as it was', async () => {
    const root = tempDir();
    await vordr(root, 'volume', 'create', 'v');
    for (const entry of [
      { name: '../outside', type: 'file' as const },
      { name: 'null', type: 'character-device' as const, devmajor: 1, devminor: 3 },
    ]) {
      const p = tarPack();
      p.entry({ name: 'ok.txt' }, 'ok');
      if (entry.type === 'file') p.entry({ ...entry, size: 0 }, '');
      else p.entry({ ...entry, size: 0 });
      p.finalize();
      const file = join(tempDir(), 'bad.tar');
      const chunks: Buffer[] = [];
      for await (const c of p) chunks.push(c as Buffer);
      await fs.writeFile(file, Buffer.concat(chunks));
      const r = await vordr(root, 'volume', 'import', 'v', file);
      expect(r.exitCode).toBe(125);
      expect(r.err).toContain('Error [VALIDATION_FAILED]');
      expect(await fs.readdir(join(root, 'vordr', 'volumes', 'v', '_data'))).toEqual([]);
    }
    expect(existsSync(join(root, 'vordr', 'volumes', 'outside'))).toBe(false);
  });

  it('a new empty volume receives the image content at its mount point, once, unless nocopy', async () => {
    const root = tempDir();
    const rootfs = join(tempDir(), 'rootfs');
    await fs.mkdir(join(rootfs, 'var', 'www'), { recursive: true });
    await fs.writeFile(join(rootfs, 'var', 'www', 'index.html'), 'hi');
    await fs.chown(join(rootfs, 'var', 'www', 'index.html'), 33, 33);
    // An absolute symlink is resolved inside the rootfs, never on the host.
    await fs.symlink('/var/www', join(rootfs, 'srv'));
    const now = new Date();
    const first = await prepareVolumeMount({ root, name: 'web', rootfs, destination: '/srv', now });
    expect([first.created, first.copied]).toEqual([true, true]);
    const st = await fs.stat(join(first.source, 'index.html'));
    expect([st.uid, st.gid]).toEqual([33, 33]);
    await fs.rm(join(first.source, 'index.html'));
    const again = await prepareVolumeMount({ root, name: 'web', rootfs, destination: '/srv', now });
    expect([again.created, again.copied]).toEqual([false, false]);
    expect(await fs.readdir(again.source)).toEqual([]);
    const nocopy = await prepareVolumeMount({
      root,
      name: 'raw',
      rootfs,
      destination: '/var/www',
      nocopy: true,
      now,
    });
    expect(await fs.readdir(nocopy.source)).toEqual([]);
  });
});

describe('vordr info (05 §11)', () => {
  it('exits 0 and names runc, conmon, cgroups, SELinux and the rootfs mode', async () => {
    const root = tempDir();
    const r = await vordr(root, 'info');
    expect(r.exitCode).toBe(0);
    for (const key of ['backend:', 'conmon:', 'cgroups:', 'selinux:', 'rootfs:', 'trust store:']) {
      expect(r.out).toContain(key);
    }
    expect(r.out).toMatch(/backend:\s+runc /);
    expect(r.out).toMatch(/selinux:\s+(disabled|permissive|enforcing)/);
    expect(r.out).toMatch(/cgroups:\s+(v1|v2|hybrid)/);
    expect(r.out).toMatch(/rootfs:\s+(overlay|copy)/);
    const json = JSON.parse((await vordr(root, 'info', '--json')).out) as { version: string };
    expect(json.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
