// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON, bundleToJSON, toDSSEBundle } from '@sigstore/bundle';
import { describe, expect, it } from 'vitest';
import { addSignature, serializeBundle } from '@verified-container/shared/attestation';
import type { AttestationBundle } from '@verified-container/shared/attestation';
import { SPEC_KEYS, workedExampleBundle } from '@verified-container/testkit';
import { verifyWithSigstore } from '../../test/integration/interop-support.js';
import {
  SIGSTORE_BUNDLE_MEDIA_TYPE,
  toSigstoreBundles,
  writeSigstoreBundles,
} from './sigstore-bundle.js';

const encoder = new TextEncoder();
const bytesOf = (bundle: object) =>
  encoder.encode(serializeBundle(bundle as unknown as AttestationBundle));
const maintainers = [SPEC_KEYS['maintainer-1'].publicKey, SPEC_KEYS['maintainer-2'].publicKey];
const M1 = '503d8ee46d58';
const M2 = '00d6fd7a8269';

describe('toSigstoreBundles', () => {
  it('writes one bundle per attestation and signature, named <n>-<i>-<keyid hex 12>', () => {
    const files = toSigstoreBundles(bytesOf(workedExampleBundle()), 'example/hello', 'b.json');
    expect(files.map((f) => f.fileName)).toEqual([
      `example_hello-0-${M1}.sigstore.json`,
      `example_hello-0-${M2}.sigstore.json`,
      `example_hello-1-${M1}.sigstore.json`,
      `example_hello-1-${M2}.sigstore.json`,
    ]);
    expect(files.map((f) => f.attestation)).toEqual([0, 0, 1, 1]);
  });

  it('has exactly the structure of 02 §12, envelope bytes carried over', () => {
    const source = workedExampleBundle();
    const [first] = toSigstoreBundles(bytesOf(source), 'hello', 'b.json');
    const envelope = source.attestations[0]!;
    const signature = envelope.signatures[0]!;
    expect(first?.text).toBe(
      `${JSON.stringify(
        {
          mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          verificationMaterial: { publicKey: { hint: signature.keyid }, tlogEntries: [] },
          dsseEnvelope: {
            payload: envelope.payload,
            payloadType: 'application/vnd.in-toto+json',
            signatures: [{ sig: signature.sig, keyid: signature.keyid }],
          },
        },
        null,
        2,
      )}\n`,
    );
    expect(first?.bundle.mediaType).toBe(SIGSTORE_BUNDLE_MEDIA_TYPE);
  });

  it('is what @sigstore/bundle builds for the same DSSE signature with no witnesses', () => {
    const source = workedExampleBundle();
    const files = toSigstoreBundles(bytesOf(source), 'hello', 'b.json');
    for (const file of files) {
      const envelope = source.attestations[file.attestation]!;
      const sig = envelope.signatures.find((s) => s.keyid === file.keyid)!;
      const theirs = toDSSEBundle({
        artifact: Buffer.from(envelope.payload, 'base64'),
        artifactType: envelope.payloadType,
        signature: Buffer.from(sig.sig, 'base64'),
        keyHint: sig.keyid,
      });
      const ours = bundleFromJSON(JSON.parse(file.text));
      expect(ours.mediaType).toBe(theirs.mediaType);
      expect(ours.content).toEqual(theirs.content);
      expect(ours.verificationMaterial.content).toEqual(theirs.verificationMaterial.content);
      expect(ours.verificationMaterial.tlogEntries).toEqual([]);
      expect(bundleToJSON(ours).dsseEnvelope).toEqual(JSON.parse(file.text).dsseEnvelope);
    }
  });

  it('verifies with @sigstore/verify offline; a tampered payload or unknown key does not', () => {
    const files = toSigstoreBundles(bytesOf(workedExampleBundle()), 'hello', 'b.json');
    for (const file of files)
      expect(verifyWithSigstore(file.text, maintainers)).toEqual({ ok: true });

    const tampered = JSON.parse(files[0]!.text);
    const payload = Buffer.from(tampered.dsseEnvelope.payload, 'base64');
    payload[payload.length - 2]! ^= 1;
    tampered.dsseEnvelope.payload = payload.toString('base64');
    expect(verifyWithSigstore(JSON.stringify(tampered), maintainers)).toMatchObject({
      ok: false,
      code: 'SIGNATURE_ERROR',
    });
    const other = verifyWithSigstore(files[0]!.text, [SPEC_KEYS['release-bot'].publicKey]);
    expect(other.ok).toBe(false);
  });

  it('counts a key id once per envelope and normalises base64 to the standard alphabet', () => {
    const source = workedExampleBundle();
    const envelope = source.attestations[0]!;
    const urlSafe = (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    envelope.signatures.push({ ...envelope.signatures[0]! });
    const original = envelope.signatures[0]!.sig;
    envelope.signatures[0]!.sig = urlSafe(original);
    const files = toSigstoreBundles(bytesOf(source), 'hello', 'b.json');
    expect(files).toHaveLength(4);
    expect(files[0]?.bundle.dsseEnvelope.signatures[0].sig).toBe(original);
    expect(verifyWithSigstore(files[0]!.text, maintainers)).toEqual({ ok: true });
  });

  it('refuses an unsigned attestation (INVALID_SIGNATURE) and a broken bundle (MALFORMED_BUNDLE)', () => {
    const source = workedExampleBundle();
    source.attestations[1]!.signatures = [];
    expect(() => toSigstoreBundles(bytesOf(source), 'hello', 'b.json')).toThrow(
      expect.objectContaining({
        code: 'INVALID_SIGNATURE',
        message: 'b.json: $.attestations[1] has no signatures',
      }),
    );
    expect(() => toSigstoreBundles(encoder.encode('{"mediaType":1}'), 'hello', 'b.json')).toThrow(
      expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
    );
  });

  it('keeps a signature added later by another key apart from the others', () => {
    const source = workedExampleBundle();
    source.attestations = source.attestations.map((e) => addSignature(e, SPEC_KEYS['release-bot']));
    const files = toSigstoreBundles(bytesOf(source), 'hello', 'b.json');
    expect(files).toHaveLength(6);
    const bot = files.filter((f) => f.keyid === SPEC_KEYS['release-bot'].publicKey.keyId);
    expect(bot.map((f) => f.fileName)).toEqual([
      'hello-0-ed7204998d19.sigstore.json',
      'hello-1-ed7204998d19.sigstore.json',
    ]);
    for (const f of bot) {
      expect(verifyWithSigstore(f.text, [SPEC_KEYS['release-bot'].publicKey]).ok).toBe(true);
    }
  });
});

describe('writeSigstoreBundles', () => {
  it('writes each file as its text, 0644', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-sigstore-'));
    try {
      const files = toSigstoreBundles(bytesOf(workedExampleBundle()), 'hello', 'b.json');
      await writeSigstoreBundles(dir, files);
      expect(readdirSync(dir).sort()).toEqual(files.map((f) => f.fileName).sort());
      for (const f of files) {
        expect(readFileSync(join(dir, f.fileName), 'utf8')).toBe(f.text);
        expect(statSync(join(dir, f.fileName)).mode & 0o777).toBe(0o644);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
