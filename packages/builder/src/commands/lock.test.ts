// SPDX-License-Identifier: Apache-2.0
// `cerro-torre lock` on manifests without Debian packages: nothing to resolve, no network.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDeps, tempDir, text } from '../../test/support.js';
import { runCli } from '../cli.js';
import { TEST_IMAGE_MANIFEST } from '../build/test-support.js';

const run = (cwd: string, ...argv: string[]) =>
  runCli(argv, { ...makeDeps(cwd), progress: () => undefined } as ReturnType<typeof makeDeps>);

describe('cerro-torre lock', () => {
  it('--check on a fresh manifest exits 1 and writes nothing', async () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, 'hello.ctp'), TEST_IMAGE_MANIFEST);
    const r = await run(dir.path, 'lock', '--check', 'hello.ctp');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      'Error [BUILD_LOCK_MISSING]: there is no lock hello.lock.json\nhint: run cerro-torre lock hello.ctp and commit the lock\n',
    );
    expect(readdirSync(dir.path)).toEqual(['hello.ctp']);
  });

  it('writes the lock, then finds it up to date', async () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, 'hello.ctp'), TEST_IMAGE_MANIFEST);
    const first = await run(dir.path, 'lock', 'hello.ctp');
    expect(first).toMatchObject({
      exitCode: 0,
      stderr: '✓ lock written: hello.lock.json (0 packages)\n',
    });
    const lock = JSON.parse(readFileSync(join(dir.path, 'hello.lock.json'), 'utf8'));
    expect(lock).toMatchObject({ lockVersion: 1, base: { ref: 'scratch', digest: null } });
    expect((await run(dir.path, 'lock', '--check', 'hello.ctp')).exitCode).toBe(0);
    expect((await run(dir.path, 'lock', 'hello.ctp')).stderr).toBe(
      '✓ hello.lock.json is up to date\n',
    );
    expect((await run(dir.path, 'lock', '--update', 'hello.ctp')).stderr).toBe(
      '✓ hello.lock.json is unchanged (0 packages)\n',
    );
  });

  it('--check names what changed; lock then rewrites it keeping the epoch', async () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, 'hello.ctp'), TEST_IMAGE_MANIFEST);
    await run(dir.path, 'lock', 'hello.ctp');
    const path = join(dir.path, 'hello.lock.json');
    const lock = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, `${JSON.stringify({ ...lock, sourceDateEpoch: 1234 }, null, 2)}\n`);
    writeFileSync(
      join(dir.path, 'hello.ctp'),
      `${TEST_IMAGE_MANIFEST}\n[dependencies]\ncomponents = ["main", "contrib"]\n`,
    );
    const before = readFileSync(path);
    const check = await run(dir.path, 'lock', '--check', 'hello.ctp');
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toMatch(
      /^Error \[BUILD_LOCK_MISMATCH\]: hello\.lock\.json is out of date: .*components/,
    );
    expect(readFileSync(path)).toEqual(before);
    const rewrite = await run(dir.path, 'lock', 'hello.ctp');
    expect(rewrite.stderr).toBe('✓ lock written: hello.lock.json (0 packages)\n');
    expect(JSON.parse(readFileSync(path, 'utf8')).sourceDateEpoch).toBe(1234);
  });

  it('reports an invalid manifest as validate does, and refuses --update with --check', async () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, 'bad.ctp'), '[package]\nname = "Bad Name"\n');
    const bad = await run(dir.path, 'lock', 'bad.ctp');
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/bad\.ctp: invalid/);
    expect(existsSync(join(dir.path, 'bad.lock.json'))).toBe(false);
    const both = await run(dir.path, 'lock', '--update', '--check', 'bad.ctp');
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toMatch(/^Error \[USAGE\]/);
    const help = await run(dir.path, 'lock', '--help');
    expect(text(help.stdout)).toMatch(/Usage: cerro-torre lock/);
    expect(text(help.stdout)).toMatch(/Exit status:/);
  });
});
