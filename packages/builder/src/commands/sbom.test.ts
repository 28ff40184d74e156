// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSbom } from '@verified-container/shared/attestation';
import { makeDeps, text } from '../../test/support.js';
import type { BuildResult } from '../build/build-types.js';
import { runCli } from '../cli.js';
import { buildTestImage } from '../build/test-support.js';

let dir: string;
let built: BuildResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ct-sbom-'));
  built = await buildTestImage(dir, { sourceDateEpoch: '1700000000' });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...argv: string[]) => runCli(argv, makeDeps(dir));

describe('cerro-torre sbom', () => {
  it('prints the SPDX document of the store bundle, 2-space JSON with a final LF', async () => {
    const r = await run('sbom', 'example/hello:1.0.0');
    expect(r.exitCode).toBe(0);
    const out = text(r.stdout);
    const doc = JSON.parse(out);
    expect(out).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    expect(checkSbom(doc, { subjectDigestHex: built.image.digest })).toEqual([]);
    expect(r.stderr).toBe(`SPDX 2.3, ${doc.packages.length} packages, valid\n`);
    // The document is the one the build wrote for people.
    expect(doc).toEqual(JSON.parse(readFileSync(built.sbom.path, 'utf8')));
  });

  it('reads a .ctp and an exported OCI layout, and writes -o FILE', async () => {
    const fromCtp = await run('sbom', 'dist/example_hello-1.0.0.ctp', '-o', 'sbom.json');
    expect(fromCtp.exitCode).toBe(0);
    expect(fromCtp.stdout).toBeUndefined();
    expect(readFileSync(join(dir, 'sbom.json'), 'utf8')).toBe(
      text((await run('sbom', 'example/hello')).stdout),
    );
    expect((await run('export', 'example/hello', '--format', 'oci', '-o', 'layout')).exitCode).toBe(
      0,
    );
    const fromLayout = await run('sbom', 'oci:layout:example/hello:latest');
    expect(fromLayout.exitCode).toBe(0);
    expect(fromLayout.stderr).toMatch(/, valid\n$/);
  });

  it('is MISSING_ATTESTATION (exit 1) for an image without bundle', async () => {
    rmSync(built.bundleDir, { recursive: true });
    const r = await run('sbom', 'example/hello:1.0.0');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /^Error \[MISSING_ATTESTATION\]: example\/hello:1\.0\.0 has no attestation bundle\nhint: /,
    );
    expect(r.stdout).toBeUndefined();
  });

  it('is IMAGE_NOT_FOUND for an unknown image and has a man-like --help', async () => {
    const r = await run('sbom', 'example/nothere');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^Error \[IMAGE_NOT_FOUND\]/);
    const help = await run('sbom', '--help');
    expect(help.exitCode).toBe(0);
    expect(text(help.stdout)).toMatch(/Usage: cerro-torre sbom/);
    expect(text(help.stdout)).toMatch(/Exit status:/);
  });
});
