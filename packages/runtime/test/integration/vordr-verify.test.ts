// SPDX-License-Identifier: Apache-2.0
// `vordr verify IMAGE` (05 §9) on a real signed store image built by the builder CLI: the check
// lines and ALLOW, the audit record (tool "vordr") and the cache hit, REJECT THRESHOLD_NOT_MET
// (1-of-3 signed), MALFORMED_BUNDLE (a layer byte changed, exit 2), permissive WARN, and the
// setup error of a missing trust store (exit 125 with the hint).
import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { testDeps } from '../../src/cli/test-deps.js';
import {
  BUILDER_BIN,
  buildSignedStoreImage,
  type SignedStoreImage,
} from '../support/signed-store-image.js';

const built = existsSync(BUILDER_BIN);
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vordr-verify-'));
  dirs.push(dir);
  return dir;
}

async function vordr(image: SignedStoreImage, ...argv: string[]) {
  const deps = testDeps({
    env: { VC_ROOT: image.root },
    cwd: join(image.root, '..'),
    clock: { now: () => new Date() },
  });
  const r = await runCli(['verify', ...argv], deps);
  const err = (r.stderr ?? '') + deps.stderr.text();
  const out =
    (typeof r.stdout === 'string' ? r.stdout : Buffer.from(r.stdout ?? '').toString()) +
    deps.stdout.text();
  return { exitCode: r.exitCode, out, err, lines: err.trimEnd().split('\n') };
}

async function auditLines(image: SignedStoreImage): Promise<Record<string, unknown>[]> {
  const text = await fs.readFile(join(image.root, 'audit', 'verify.jsonl'), 'utf8');
  return text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!built)('vordr verify (05 §9) on a signed store image', () => {
  let image: SignedStoreImage;

  beforeAll(async () => {
    image = await buildSignedStoreImage(tempDir());
  });

  it('ALLOW, exit 0, the 04 §9 lines without reproducibility; audited; the second run is a cache hit', async () => {
    const r = await vordr(image, image.ref);
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
    const again = await vordr(image, image.ref, '--json');
    expect(again.exitCode).toBe(0);
    const doc = JSON.parse(again.out) as Record<string, unknown>;
    expect(doc).toMatchObject({
      decision: 'ALLOW',
      attestationsVerified: 3,
      logEntriesVerified: 6,
      imageDigest: image.digest,
    });
    expect(doc['checks']).toContainEqual({
      name: 'Threshold signatures (2-of-3)',
      status: 'pass',
      detail: 'm1, m2, bot',
      codes: [],
    });
    const audit = await auditLines(image);
    expect(audit.slice(-2)).toEqual([
      expect.objectContaining({
        tool: 'vordr',
        decision: 'ALLOW',
        cached: false,
        imageDigest: image.digest,
        mode: 'strict',
      }),
      expect.objectContaining({ tool: 'vordr', decision: 'ALLOW', cached: true }),
    ]);
    // --no-cache and --now never use the cache.
    await vordr(image, image.ref, '--no-cache');
    expect((await auditLines(image)).at(-1)).toMatchObject({ cached: false });
  });

  it('no trust store → setup error, exit 125, hint cerro-torre trust init, no audit record', async () => {
    const before = (await auditLines(image)).length;
    const r = await vordr(image, image.ref, '--trust-store', join(image.root, 'missing.json'));
    expect(r.exitCode).toBe(125);
    expect(r.err).toContain('Error [TRUST_STORE_INVALID]: no trust store at');
    expect(r.err).toContain('hint: create one with cerro-torre trust init');
    expect(await auditLines(image)).toHaveLength(before);
  });

  it('one changed byte of a layer blob → MALFORMED_BUNDLE, exit 2, in every mode', async () => {
    const blob = image.layerBlobs[0]!;
    const original = await fs.readFile(blob);
    try {
      const changed = Buffer.from(original);
      changed[changed.length - 1] = (changed[changed.length - 1]! ^ 1) & 0xff;
      await fs.writeFile(blob, changed);
      for (const mode of ['strict', 'permissive', 'audit']) {
        const r = await vordr(image, image.ref, '--mode', mode);
        expect(r.exitCode, r.err).toBe(2);
        expect(r.lines.at(-1)).toBe('REJECT MALFORMED_BUNDLE');
        expect(r.err).toContain('has the digest sha256:');
      }
    } finally {
      await fs.writeFile(blob, original);
    }
    expect((await vordr(image, image.ref)).exitCode).toBe(0);
  });

  it('1-of-3 signed against a 2-of-3 group → REJECT THRESHOLD_NOT_MET, exit 1', async () => {
    const dir = tempDir();
    const one = await buildSignedStoreImage(dir, { threshold: '1-of-3', signers: ['m1'] });
    // The dev trust store took the manifest's 1-of-3; the group now asks for 2.
    const store = JSON.parse(await fs.readFile(one.trustStore, 'utf8'));
    store.thresholds['release-signers'].k = 2;
    const strict = join(dir, 'strict-trust-store.json');
    await fs.writeFile(strict, JSON.stringify(store, null, 2));
    const r = await vordr(one, one.ref, '--trust-store', strict);
    expect(r.exitCode, r.err).toBe(1);
    expect(r.lines).toContain('✗ Threshold signatures (1-of-3)');
    expect(r.err).toMatch(
      / {2}THRESHOLD_NOT_MET: group 'release-signers' requires 2 distinct signatures/,
    );
    expect(r.lines.at(-1)).toBe('REJECT THRESHOLD_NOT_MET');

    const permissive = await vordr(one, one.ref, '--trust-store', strict, '--mode', 'permissive');
    expect(permissive.exitCode).toBe(0);
    expect(permissive.lines).toContain('! Threshold signatures (1-of-3)');
    expect(permissive.lines.at(-1)).toBe('WARN THRESHOLD_NOT_MET');
    const audit = await vordr(one, one.ref, '--trust-store', strict, '--mode', 'audit');
    expect(audit.exitCode).toBe(0);
    expect(audit.lines.at(-1)).toBe('LOG THRESHOLD_NOT_MET');
    expect((await auditLines(one)).map((a) => [a['tool'], a['mode'], a['decision']])).toEqual([
      ['vordr', 'strict', 'REJECT'],
      ['vordr', 'permissive', 'WARN'],
      ['vordr', 'audit', 'LOG'],
    ]);
  });
});
