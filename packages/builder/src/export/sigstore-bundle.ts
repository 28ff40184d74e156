// SPDX-License-Identifier: Apache-2.0
// `export --format sigstore-bundle` (02 §12): one Sigstore bundle v0.3 (DSSE, public-key hint) per
// attestation and signature, for `@sigstore/verify` and other DSSE tooling.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { parseBundle, type DsseEnvelope } from '@verified-container/shared/attestation';
import { decodeBase64, encodeBase64 } from '@verified-container/shared/crypto';

/** Media type of the bundles we write: Sigstore bundle v0.3. */
export const SIGSTORE_BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** File name suffix of an exported Sigstore bundle. */
export const SIGSTORE_BUNDLE_SUFFIX = '.sigstore.json';
/** How many hex digits of the key id a file name carries. */
const KEYID_HEX_IN_NAME = 12;

/**
 * A Sigstore bundle v0.3 with a DSSE envelope of one signature, in the member order
 * `@sigstore/sign`'s `DSSEBundleBuilder` writes with no witnesses (02 §12): the verifier finds the
 * public key by `hint` (our key id); no transparency-log entries, no timestamps.
 */
export interface SigstoreDsseBundle {
  readonly mediaType: typeof SIGSTORE_BUNDLE_MEDIA_TYPE;
  readonly verificationMaterial: {
    readonly publicKey: { readonly hint: string };
    readonly tlogEntries: readonly [];
  };
  readonly dsseEnvelope: {
    readonly payload: string;
    readonly payloadType: string;
    readonly signatures: readonly [{ readonly sig: string; readonly keyid: string }];
  };
}

/** One file of the export: its name in `--output DIR`, the bundle and its bytes. */
export interface SigstoreBundleFile {
  /** `<n>-<i>-<keyid hex first 12>.sigstore.json`. */
  readonly fileName: string;
  /** Index of the attestation in the bundle (`$.attestations[i]`). */
  readonly attestation: number;
  readonly keyid: string;
  readonly bundle: SigstoreDsseBundle;
  /** 2-space indented JSON with a final LF (02 §1, files we write for people). */
  readonly text: string;
}

/**
 * The Sigstore bundles of an attestation bundle (02 §12): for attestation `i` and each of its
 * signatures (a key id that repeats in an envelope counts once, 02 §7) the file
 * `<n>-<i>-<keyid hex first 12>.sigstore.json`, `<n>` = `name` with `/` → `_`, `i` counted from 0.
 * Payload and signatures are carried over byte for byte (base64 re-encoded in the standard
 * alphabet with padding). A bundle that fails the structure checks → MALFORMED_BUNDLE; an envelope
 * without signatures → INVALID_SIGNATURE (an unsigned bundle has nothing to export). Pure.
 */
export function toSigstoreBundles(
  bundleBytes: Uint8Array,
  name: string,
  where: string,
): SigstoreBundleFile[] {
  const parsed = parseBundle(bundleBytes);
  if (parsed.bundle === undefined) {
    const first = parsed.errors[0];
    throw new VcError(
      'MALFORMED_BUNDLE',
      `${where}: ${first?.path ?? '$'}: ${first?.message ?? 'invalid'}`,
      { errors: parsed.errors },
    );
  }
  const stem = name.replaceAll('/', '_');
  const files: SigstoreBundleFile[] = [];
  for (const [i, envelope] of parsed.bundle.attestations.entries()) {
    if (envelope.signatures.length === 0) {
      throw new VcError('INVALID_SIGNATURE', `${where}: $.attestations[${i}] has no signatures`, {
        hint: 'sign the image first (cerro-torre sign --key <key> <image>); an unsigned bundle has nothing to export',
      });
    }
    const seen = new Set<string>();
    for (const signature of envelope.signatures) {
      if (seen.has(signature.keyid)) continue;
      seen.add(signature.keyid);
      const bundle = sigstoreBundleOf(envelope, signature.keyid, signature.sig, where, i);
      const fileName = `${stem}-${i}-${keyidStem(signature.keyid)}${SIGSTORE_BUNDLE_SUFFIX}`;
      if (files.some((f) => f.fileName === fileName)) {
        throw new VcError(
          'MALFORMED_BUNDLE',
          `${where}: $.attestations[${i}]: two key ids share the file name ${fileName}`,
        );
      }
      files.push({
        fileName,
        attestation: i,
        keyid: signature.keyid,
        bundle,
        text: `${JSON.stringify(bundle, null, 2)}\n`,
      });
    }
  }
  return files;
}

/** Writes each file into `dir` (an empty directory the caller publishes), mode 0644. */
export async function writeSigstoreBundles(
  dir: string,
  files: readonly SigstoreBundleFile[],
): Promise<void> {
  for (const file of files) {
    await fs.writeFile(join(dir, file.fileName), file.text, { mode: 0o644, flag: 'wx' });
  }
}

function sigstoreBundleOf(
  envelope: DsseEnvelope,
  keyid: string,
  sig: string,
  where: string,
  i: number,
): SigstoreDsseBundle {
  // parseBundle has checked that the payload is base64; sig lengths are a later step (02 §7).
  const payload = decodeBase64(envelope.payload);
  const signature = decodeBase64(sig);
  if (payload === null || signature === null) {
    throw new VcError(
      'MALFORMED_BUNDLE',
      `${where}: $.attestations[${i}]: ${payload === null ? 'payload' : 'a sig'} is not base64`,
    );
  }
  return {
    mediaType: SIGSTORE_BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: keyid }, tlogEntries: [] },
    dsseEnvelope: {
      payload: encodeBase64(payload),
      payloadType: envelope.payloadType,
      signatures: [{ sig: encodeBase64(signature), keyid }],
    },
  };
}

/** The first 12 hex digits of a `sha256:<hex>` key id; other key ids, made file-name safe. */
function keyidStem(keyid: string): string {
  const hex = keyid.startsWith('sha256:') ? keyid.slice('sha256:'.length) : keyid;
  return hex.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, KEYID_HEX_IN_NAME);
}
