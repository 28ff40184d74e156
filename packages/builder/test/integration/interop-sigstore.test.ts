// SPDX-License-Identifier: Apache-2.0
// Interop (02 §12): a built image, signed by two keyholders, exported with
// `export --format sigstore-bundle`; every file verifies with @sigstore/verify 3.1 offline and every
// DSSE envelope with Debian's python3-securesystemslib; a tampered payload fails in both.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addSignature,
  parseBundle,
  serializeBundle,
  type AttestationBundle,
  type DsseEnvelope,
} from '@verified-container/shared/attestation';
import { SPEC_KEYS } from '@verified-container/testkit';
import type { BuildResult } from '../../src/build/build-types.js';
import { buildTestImage } from '../../src/build/test-support.js';
import { runCli } from '../../src/cli.js';
import { makeDeps, text } from '../support.js';
import {
  hasSecuresystemslib,
  verifyWithSecuresystemslib,
  verifyWithSigstore,
  type DsseCheck,
} from './interop-support.js';

const REF = 'example/hello:1.0.0';
const SIGNERS = [SPEC_KEYS['maintainer-1'], SPEC_KEYS['maintainer-2']];
const PUBLIC_KEYS = SIGNERS.map((k) => k.publicKey);

interface SigstoreFile {
  verificationMaterial: { publicKey: { hint: string } };
  dsseEnvelope: {
    payload: string;
    payloadType: string;
    signatures: { sig: string; keyid: string }[];
  };
}

/** One payload byte flipped (inside the JSON, so it still decodes). */
function tamper(payloadB64: string): string {
  const bytes = Buffer.from(payloadB64, 'base64');
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  return bytes.toString('base64');
}

function checksOf(envelope: DsseEnvelope, payload = envelope.payload): DsseCheck[] {
  return envelope.signatures.map((s) => ({
    payloadType: envelope.payloadType,
    payload,
    keyid: s.keyid,
    sig: s.sig,
    publicKey: PUBLIC_KEYS.find((k) => k.keyId === s.keyid)!,
  }));
}

describe('export --format sigstore-bundle, verified by @sigstore/verify', () => {
  let dir: string;
  let built: BuildResult;
  let signed: AttestationBundle;
  const run = (...argv: string[]) => runCli(argv, makeDeps(dir));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ct-it-interop-'));
    built = await buildTestImage(dir, { sourceDateEpoch: '1700000000' });
    // Sign the store bundle with two keyholder keys, as `cerro-torre sign` does (02 §10).
    const file = join(built.bundleDir, 'attestations', 'bundle.json');
    const parsed = parseBundle(readFileSync(file));
    expect(parsed.errors).toEqual([]);
    const bundle = parsed.bundle!;
    bundle.attestations = bundle.attestations.map((envelope) =>
      SIGNERS.reduce((e, key) => addSignature(e, key), envelope),
    );
    writeFileSync(file, serializeBundle(bundle));
    signed = bundle;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one file per attestation and signature; each verifies offline by key hint', async () => {
    const r = await run('export', REF, '--format', 'sigstore-bundle', '--output', 'sig', '--json');
    expect(r.exitCode).toBe(0);
    const result = JSON.parse(text(r.stdout));
    const n = signed.attestations.length;
    expect(n).toBeGreaterThanOrEqual(2);
    const expected = signed.attestations.flatMap((_, i) =>
      SIGNERS.map((k) => `example_hello-${i}-${k.publicKey.keyId.slice(7, 19)}.sigstore.json`),
    );
    expect(result).toMatchObject({ format: 'sigstore-bundle', ref: REF, files: expected });
    expect(readdirSync(join(dir, 'sig')).sort()).toEqual([...expected].sort());
    for (const name of expected) {
      const json = readFileSync(join(dir, 'sig', name), 'utf8');
      expect(verifyWithSigstore(json, PUBLIC_KEYS), name).toEqual({ ok: true });
      const parsed = JSON.parse(json) as SigstoreFile;
      const statement = JSON.parse(Buffer.from(parsed.dsseEnvelope.payload, 'base64').toString());
      expect(statement.subject[0].digest.sha256).toBe(built.image.digest.slice(7));
    }
  });

  it('rejects a tampered payload and a key it was not given', () => {
    const name = readdirSync(join(dir, 'sig')).sort()[0]!;
    const original = readFileSync(join(dir, 'sig', name), 'utf8');
    const parsed = JSON.parse(original) as SigstoreFile;
    parsed.dsseEnvelope.payload = tamper(parsed.dsseEnvelope.payload);
    expect(verifyWithSigstore(JSON.stringify(parsed), PUBLIC_KEYS)).toMatchObject({
      ok: false,
      code: 'SIGNATURE_ERROR',
    });
    expect(verifyWithSigstore(original, [SPEC_KEYS['release-bot'].publicKey]).ok).toBe(false);
  });

  it('refuses an existing output and leaves it alone', async () => {
    const r = await run('export', REF, '--format', 'sigstore-bundle', '--output', 'sig');
    expect(r.exitCode).toBe(1);
    expect(text(r.stderr)).toMatch(/^Error \[FILE_EXISTS\]: /);
  });

  describe.skipIf(!hasSecuresystemslib())("Debian's python3-securesystemslib", () => {
    it('verifies every envelope of the bundle and of the export over the PAE', () => {
      const checks = signed.attestations.flatMap((e) => checksOf(e));
      expect(checks).toHaveLength(signed.attestations.length * SIGNERS.length);
      expect(verifyWithSecuresystemslib(checks)).toEqual(checks.map(() => ({ ok: true })));

      const exported = readdirSync(join(dir, 'sig')).map(
        (name) => JSON.parse(readFileSync(join(dir, 'sig', name), 'utf8')) as SigstoreFile,
      );
      const fromExport = exported.flatMap((f) => checksOf(f.dsseEnvelope));
      expect(verifyWithSecuresystemslib(fromExport)).toEqual(fromExport.map(() => ({ ok: true })));
    });

    it('rejects a tampered payload', () => {
      const checks = signed.attestations.flatMap((e) => checksOf(e, tamper(e.payload)));
      expect(verifyWithSecuresystemslib(checks)).toEqual(
        checks.map(() => ({
          ok: false,
          code: 'UnverifiedSignatureError',
          message: 'UnverifiedSignatureError',
        })),
      );
    });
  });
});
