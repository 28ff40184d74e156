// SPDX-License-Identifier: Apache-2.0
// Third-party verifiers of our exports (02 §12): `@sigstore/verify` 3.1 offline, and Debian's
// python3-securesystemslib over the DSSE PAE.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bundleFromJSON } from '@sigstore/bundle';
import { Verifier, toSignedEntity, type TrustMaterial } from '@sigstore/verify';
import { decodeBase64 } from '@verified-container/shared/crypto';
import type { Ed25519PublicKey } from '@verified-container/shared/crypto';

/** What a third-party verifier said of one signature: ok, or its error code and message. */
export type InteropVerdict =
  { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * Trust material with no CAs, logs or timestamp authorities: the public key is found by the
 * bundle's hint among `keys` (our key ids); an unknown hint throws, as sigstore-js expects.
 */
export function keyFinderTrust(keys: readonly Ed25519PublicKey[]): TrustMaterial {
  return {
    certificateAuthorities: [],
    timestampAuthorities: [],
    tlogs: [],
    ctlogs: [],
    publicKey: (hint: string) => {
      const key = keys.find((k) => k.keyId === hint);
      if (key === undefined) throw new Error(`no public key with hint ${hint}`);
      return { publicKey: key.keyObject, validFor: () => true };
    },
  };
}

/**
 * Verifies one Sigstore bundle (JSON text) with `@sigstore/verify` offline: key found by hint,
 * tlog/ctlog/timestamp thresholds 0 (02 §12).
 */
export function verifyWithSigstore(
  bundleJson: string,
  keys: readonly Ed25519PublicKey[],
): InteropVerdict {
  try {
    const bundle = bundleFromJSON(JSON.parse(bundleJson));
    new Verifier(keyFinderTrust(keys), {
      tlogThreshold: 0,
      ctlogThreshold: 0,
      timestampThreshold: 0,
    }).verify(toSignedEntity(bundle));
    return { ok: true };
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown; name?: unknown };
    return {
      ok: false,
      code: typeof e.code === 'string' ? e.code : String(e.name),
      message: String(e.message),
    };
  }
}

/** Debian's interpreter (not a pyenv one): python3-securesystemslib is installed for it. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Whether `/usr/bin/python3` can import securesystemslib. */
export function hasSecuresystemslib(): boolean {
  if (!existsSync(DEBIAN_PYTHON)) return false;
  const r = spawnSync(DEBIAN_PYTHON, ['-c', 'import securesystemslib.signer'], {
    stdio: 'ignore',
  });
  return r.status === 0;
}

/** One DSSE signature to check: the envelope's payload type and payload, a keyid, sig and key. */
export interface DsseCheck {
  readonly payloadType: string;
  /** Base64 payload as in the envelope. */
  readonly payload: string;
  readonly keyid: string;
  /** Base64 signature as in the envelope. */
  readonly sig: string;
  readonly publicKey: Ed25519PublicKey;
}

// Reads [{payloadType, payloadHex, keyid, sigHex, publicHex}] on stdin; prints one line per item:
// "ok" or the exception's class name. The PAE is built here, by hand, from the decoded payload.
// securesystemslib 0.26 accepts only bare hex key ids (ANYKEY_SCHEMA), so `sha256:` is dropped.
const SSLIB_SCRIPT = String.raw`
import json, sys
from securesystemslib.signer import SSlibKey, Signature
for item in json.load(sys.stdin):
    t = item["payloadType"].encode()
    body = bytes.fromhex(item["payloadHex"])
    pae = b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)
    keyid = item["keyid"].removeprefix("sha256:")
    key = SSlibKey.from_dict(keyid, {"keytype": "ed25519", "scheme": "ed25519",
        "keyval": {"public": item["publicHex"]}})
    try:
        key.verify_signature(Signature(keyid, item["sigHex"]), pae)
        print("ok")
    except Exception as e:
        print(type(e).__name__)
`;

/**
 * Verifies each signature with `SSlibKey.verify_signature` over the PAE (02 §12) in one run of
 * Debian's python3; the verdict per check, in order (the code is the Python exception's name).
 */
export function verifyWithSecuresystemslib(checks: readonly DsseCheck[]): InteropVerdict[] {
  const hex = (b64: string) => Buffer.from(decodeBase64(b64) ?? new Uint8Array()).toString('hex');
  const input = checks.map((c) => ({
    payloadType: c.payloadType,
    payloadHex: hex(c.payload),
    keyid: c.keyid,
    sigHex: hex(c.sig),
    publicHex: Buffer.from(c.publicKey.raw).toString('hex'),
  }));
  const r = spawnSync(DEBIAN_PYTHON, ['-c', SSLIB_SCRIPT], {
    input: JSON.stringify(input),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`python3 securesystemslib failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  if (lines.length !== checks.length) throw new Error(`unexpected output: ${r.stdout}`);
  return lines.map((line) =>
    line === 'ok' ? { ok: true } : { ok: false, code: line, message: line },
  );
}
