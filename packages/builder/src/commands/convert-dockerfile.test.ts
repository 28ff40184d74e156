// SPDX-License-Identifier: Apache-2.0
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '@verified-container/shared/manifest';
import { makeDeps, tempDir, text } from '../../test/support.js';
import { runCli } from '../cli.js';

const FIXTURES = new URL('../../test/fixtures/dockerfiles/', import.meta.url).pathname;
const GUIDE = join(FIXTURES, 'guide/Dockerfile');
const REALISTIC = join(FIXTURES, 'wordpress-app/Dockerfile');

const run = (argv: string[], cwd: string) => runCli(['convert-dockerfile', ...argv], makeDeps(cwd));

describe('cerro-torre convert-dockerfile', () => {
  it('converts the guide example to stdout, nothing listed, exit 0 even with --strict', async () => {
    using dir = tempDir();
    const r = await run(['--strict', GUIDE], dir.path);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBeUndefined();
    const parsed = parseManifest(text(r.stdout), { source: 'guide.ctp' });
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.manifest).toMatchObject({
      package: { name: 'guide', version: '0.1.0' },
      base: { image: 'cerro-torre/debian:bookworm-slim' },
      dependencies: { packages: ['php8.2-fpm', 'wordpress', 'composer'] },
      build: { steps: [{ action: 'composer-require', package: 'hyperpolymath/php-aegis' }] },
    });
    expect(parsed.manifest?.build.steps).toHaveLength(1);
    expect(text(r.stdout)).toContain(
      'steps = [\n    { action = "composer-require", package = "hyperpolymath/php-aegis" },\n]',
    );
  });

  it('lists what it did not convert on stderr and atop the manifest; --strict exits 1', async () => {
    using dir = tempDir();
    const r = await run([REALISTIC], dir.path);
    expect(r.exitCode).toBe(0);
    const lines = (r.stderr ?? '').trimEnd().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe(
      `${REALISTIC}:2: not converted: ARG PHP_VERSION=8.2 (a manifest has no build arguments; its default "8.2" is used)`,
    );
    expect(lines).toContain(
      `${REALISTIC}:26: not converted: ADD https://wordpress.org/wordpress-6.4.2.tar.gz /tmp/ (fill in the hash: the fetch step has the placeholder "sha256:...")`,
    );
    for (const line of lines) expect(line).toMatch(/^.+:\d+: not converted: .+ \(.+\)$/);
    const comments = text(r.stdout)
      .split('\n')
      .filter((l) => l.startsWith(`# ${REALISTIC}:`));
    expect(comments).toEqual(lines.map((l) => `# ${l}`));
    // The manifest loads; only the placeholder hash of the download is reported.
    const check = parseManifest(text(r.stdout), { source: 'wordpress-app.ctp' });
    expect(check.diagnostics.map((d) => `${d.code} ${d.path}`)).toEqual([
      'MANIFEST_HASH $.build.steps[4].hash',
    ]);
    expect(text(r.stdout)).toContain('name = "wordpress-app"');

    const strict = await run(['--strict', REALISTIC], dir.path);
    expect(strict.exitCode).toBe(1);
    expect(strict.stderr).toBe(r.stderr);
    expect(strict.stdout).toBe(r.stdout);
  });

  it('names the Dockerfile as given, relative to the working directory', async () => {
    using dir = tempDir();
    mkdirSync(join(dir.path, 'My_Project..X'));
    writeFileSync(join(dir.path, 'My_Project..X/Dockerfile'), 'FROM debian\nSHELL ["/bin/sh"]\n');
    const r = await run(['My_Project..X/Dockerfile'], dir.path);
    expect(r.stderr).toBe(
      'My_Project..X/Dockerfile:2: not converted: SHELL ["/bin/sh"] (a manifest has no shell)\n',
    );
    // The directory name made a valid OCI name.
    expect(text(r.stdout)).toContain('name = "my_project-x"');
  });

  it('writes the manifest atomically with -o, and takes --name and --version', async () => {
    using dir = tempDir();
    const r = await run(
      ['-o', 'out.ctp', '--name', 'acme/web', '--version', '2.1.0', GUIDE],
      dir.path,
    );
    expect(r).toMatchObject({ exitCode: 0, stderr: 'wrote out.ctp\n' });
    expect(r.stdout).toBeUndefined();
    const written = readFileSync(join(dir.path, 'out.ctp'), 'utf8');
    expect(parseManifest(written, { source: 'out.ctp' }).manifest?.package).toEqual({
      name: 'acme/web',
      version: '2.1.0',
    });
    // -o replaces an existing file.
    const again = await run(['--output', 'out.ctp', '--name', 'other', GUIDE], dir.path);
    expect(again.exitCode).toBe(0);
    expect(readFileSync(join(dir.path, 'out.ctp'), 'utf8')).toContain('name = "other"');
  });

  it('refuses an invalid --name or --version with the manifest diagnostics, exit 1', async () => {
    using dir = tempDir();
    const r = await run(['--name', 'Not Valid', '-o', 'x.ctp', GUIDE], dir.path);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^x\.ctp:\d+:\d+: error MANIFEST_VALUE package\.name: /m);
    expect(r.stdout).toBeUndefined();
    const v = await run(['--version', '-bad', GUIDE], dir.path);
    expect(v.exitCode).toBe(1);
    expect(v.stderr).toMatch(/error MANIFEST_VALUE package\.version/);
  });

  it('fails with READ_FAILED, exit 2, for a missing or unreadable Dockerfile', async () => {
    using dir = tempDir();
    const missing = await run(['nope/Dockerfile'], dir.path);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(
      /^Error \[READ_FAILED\]: cannot read Dockerfile .*nope\/Dockerfile: no such file/,
    );
    const isDir = await run(['.'], dir.path);
    expect(isDir.exitCode).toBe(2);
    expect(isDir.stderr).toMatch(/^Error \[READ_FAILED\]/);
    if (process.getuid?.() !== 0) {
      const locked = join(dir.path, 'Dockerfile');
      writeFileSync(locked, 'FROM debian\n');
      chmodSync(locked, 0o000);
      const r = await run([locked], dir.path);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/permission denied/);
    }
  });

  it('fails with WRITE_FAILED, exit 2, when -o cannot be written', async () => {
    using dir = tempDir();
    const r = await run(['-o', 'missing-dir/out.ctp', GUIDE], dir.path);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^Error \[WRITE_FAILED\]/);
  });

  it('needs the Dockerfile argument (usage, exit 2) and shows help', async () => {
    using dir = tempDir();
    const r = await run([], dir.path);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^Error \[USAGE\]: missing required argument/);
    const help = await run(['--help'], dir.path);
    expect(help.exitCode).toBe(0);
    expect(text(help.stdout)).toMatch(
      /Usage: cerro-torre convert-dockerfile \[options\] <dockerfile>/,
    );
    expect(text(help.stdout)).toMatch(/Exit status: 0 converted/);
  });
});
