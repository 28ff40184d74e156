// SPDX-License-Identifier: Apache-2.0
// `export`, `sbom` and `lock` checked by the real tools: skopeo reads every export format, umoci
// unpacks the layout, and skopeo's own docker-archive reading gives our diffIds back.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSbom } from '@verified-container/shared/attestation';
import type { BuildResult } from '../../src/build/build-types.js';
import { runCli } from '../../src/cli.js';
import { TEST_IMAGE_MANIFEST, buildTestImage } from '../../src/build/test-support.js';
import { makeDeps, text } from '../support.js';

const has = (tool: string) => spawnSync(tool, ['--version']).status === 0;
const REF = 'example/hello:1.0.0';

describe.skipIf(!has('skopeo') || !has('umoci'))('export read by skopeo and umoci', () => {
  let dir: string;
  let built: BuildResult;
  const run = (...argv: string[]) => runCli(argv, makeDeps(dir));
  const skopeo = (...args: string[]) =>
    execFileSync('skopeo', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const inspect = (image: string, config = false): ReturnType<typeof JSON.parse> =>
    JSON.parse(skopeo('inspect', ...(config ? ['--config'] : []), image));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ct-it-export-'));
    built = await buildTestImage(dir, { sourceDateEpoch: '1700000000' });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--format oci: skopeo inspects oci:<dir>:<name:tag> and umoci unpacks it', async () => {
    const r = await run('export', REF, '--format', 'oci', '--output', 'layout');
    expect(r.exitCode, r.stderr).toBe(0);
    const info = inspect(`oci:layout:${REF}`);
    expect(info.Digest).toBe(built.image.digest);
    expect(info.Layers).toEqual(built.image.layers.map((l) => l.digest));

    execFileSync('umoci', ['unpack', '--rootless', '--image', `layout:${REF}`, 'bundle'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(readFileSync(join(dir, 'bundle', 'rootfs', 'etc', 'passwd'), 'utf8')).toBe(
      'root:x:0:0:root:/root:/bin/sh\n',
    );
    expect([...readFileSync(join(dir, 'bundle', 'rootfs', 'srv', 'data.bin'))]).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
  });

  it('--format docker-archive: skopeo reads it, and copying it to OCI keeps our diffIds', async () => {
    const r = await run('export', 'example/hello', '--format', 'docker-archive', '-o', 'hello.tar');
    expect(r.exitCode, r.stderr).toBe(0);
    const info = inspect('docker-archive:hello.tar');
    expect(info.Architecture).toBe(inspect(`oci:layout:${REF}`).Architecture);
    skopeo('copy', '--quiet', 'docker-archive:hello.tar', 'oci:copied:x');
    const config = inspect('oci:copied:x', true);
    expect(config.rootfs.diff_ids).toEqual(built.image.layers.map((l) => l.diffId));
    expect(config.config.Cmd).toEqual(['/bin/sh']);
  });

  it('--format oci-archive: skopeo inspects oci-archive:<file>:<name:tag>', async () => {
    const r = await run('export', REF, '--format', 'oci-archive', '-o', 'hello-oci.tar');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(inspect(`oci-archive:hello-oci.tar:${REF}`).Digest).toBe(built.image.digest);
  });

  it('sbom prints a valid SPDX document; a layout skopeo wrote has no bundle', async () => {
    const r = await run('sbom', `oci:layout:${REF}`);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(text(r.stdout));
    expect(checkSbom(doc, { subjectDigestHex: built.image.digest })).toEqual([]);
    expect(r.stderr).toMatch(/^SPDX 2\.3, \d+ packages, valid\n$/);

    const bare = await run('sbom', 'oci:copied:x');
    expect(bare.exitCode).toBe(1);
    expect(bare.stderr).toMatch(/^Error \[MISSING_ATTESTATION\]: /);
  });

  it('lock --check on a fresh manifest exits 1 and writes nothing', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'ct-it-lock-'));
    try {
      writeFileSync(join(fresh, 'fresh.ctp'), TEST_IMAGE_MANIFEST);
      const r = await runCli(['lock', '--check', 'fresh.ctp'], makeDeps(fresh));
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^Error \[BUILD_LOCK_MISSING\]: /);
      expect(readdirSync(fresh)).toEqual(['fresh.ctp']);
      expect(existsSync(join(fresh, 'fresh.lock.json'))).toBe(false);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
