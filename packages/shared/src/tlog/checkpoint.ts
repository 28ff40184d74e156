// SPDX-License-Identifier: Apache-2.0
import type { Problem } from '../errors.js';
import { VcError } from '../errors.js';
import {
  decodeBase64,
  encodeBase64,
  fromHex,
  sha256,
  signBytes,
  toHex,
  verifyBytes,
  type Ed25519PrivateKey,
  type Ed25519PublicKey,
} from '../crypto/index.js';
import { malformed } from '../attestation/check-helpers.js';

/** Largest checkpoint a reader accepts (03 §5.2), in bytes. */
export const CHECKPOINT_MAX_BYTES = 1024 * 1024;
/** Most signature lines a reader accepts (03 §5.2). */
export const CHECKPOINT_MAX_SIGNATURES = 16;

/** Signed-note signature type of Ed25519. */
const ED25519_NOTE_TYPE = 0x01;
const EM_DASH = '\u2014';
/** A key name: non-empty, no whitespace, no `+` (signed-note). */
const KEY_NAME = /^[^\s+]+$/u;
/** Standard base64 with padding, as checkpoints write it. */
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface NoteSignature {
  /** Key name of the signature line. */
  name: string;
  /** Key ID: 8 lowercase hex (4 bytes). */
  keyId: string;
  /** The signature bytes after the key ID. */
  signature: Uint8Array;
}

/** A parsed C2SP checkpoint (03 §5.2); signatures are not verified. */
export interface Checkpoint {
  origin: string;
  treeSize: number;
  /** The 32-byte root hash. */
  rootHash: Uint8Array;
  /** The signed note text: the three lines with their final LF. */
  noteText: string;
  signatures: NoteSignature[];
}

/** Result of {@link parseCheckpoint}: `checkpoint` is set iff `problems` is empty. */
export interface ParsedCheckpoint {
  checkpoint?: Checkpoint;
  problems: Problem[];
}

export interface CheckpointVerification {
  valid: boolean;
  /** `MALFORMED_BUNDLE` for structure, `LOG_PROOF_INVALID` for origin and signatures. */
  problems: Problem[];
  checkpoint?: Checkpoint;
}

/** True when the text holds a control character (C0, DEL, C1) other than LF. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

function rawKey(publicKey: Ed25519PublicKey | Uint8Array): Uint8Array {
  return publicKey instanceof Uint8Array ? publicKey : publicKey.raw;
}

/**
 * Signed-note key ID (03 §5.2): the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ raw key), as
 * 8 lowercase hex. `publicKey` is a key or its 32 raw bytes.
 */
export function noteKeyId(name: string, publicKey: Ed25519PublicKey | Uint8Array): string {
  const nameBytes = encoder.encode(name);
  const key = rawKey(publicKey);
  const input = new Uint8Array(nameBytes.byteLength + 2 + key.byteLength);
  input.set(nameBytes, 0);
  input.set([0x0a, ED25519_NOTE_TYPE], nameBytes.byteLength);
  input.set(key, nameBytes.byteLength + 2);
  return toHex(sha256(input).subarray(0, 4));
}

/** Note verifier key `<name>+<hex key ID>+<base64(0x01 ‖ raw key)>`. */
export function noteVerifierKey(name: string, publicKey: Ed25519PublicKey | Uint8Array): string {
  const key = rawKey(publicKey);
  const typed = new Uint8Array(1 + key.byteLength);
  typed[0] = ED25519_NOTE_TYPE;
  typed.set(key, 1);
  return `${name}+${noteKeyId(name, key)}+${encodeBase64(typed)}`;
}

/**
 * The checkpoint of a tree (03 §5.2) signed by the log key with key name = origin. Throws
 * `INVALID_ARGUMENT` for an origin that cannot be a key name, a size that is not a safe integer
 * ≥ 0, or a root that is not 32 bytes.
 */
export function formatCheckpoint(
  logKey: Ed25519PrivateKey,
  origin: string,
  treeSize: number,
  rootHash: Uint8Array,
): string {
  if (!KEY_NAME.test(origin) || hasControl(origin)) {
    throw new VcError('INVALID_ARGUMENT', `origin ${JSON.stringify(origin)} is not a key name`);
  }
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) {
    throw new VcError('INVALID_ARGUMENT', `tree size ${treeSize} is not an integer ≥ 0`);
  }
  if (rootHash.byteLength !== 32) {
    throw new VcError('INVALID_ARGUMENT', 'a root hash has 32 bytes');
  }
  const noteText = `${origin}\n${treeSize}\n${encodeBase64(rootHash)}\n`;
  const signature = signBytes(logKey, encoder.encode(noteText));
  const keyId = fromHex(noteKeyId(origin, logKey.publicKey)) ?? new Uint8Array();
  const blob = new Uint8Array(keyId.byteLength + signature.byteLength);
  blob.set(keyId, 0);
  blob.set(signature, keyId.byteLength);
  return `${noteText}\n${EM_DASH} ${origin} ${encodeBase64(blob)}\n`;
}

/**
 * Parses a checkpoint with every reader rule of 03 §5.2: at most 1 MiB of UTF-8, LF line ends and
 * no other control characters, split at the last empty line, exactly three note lines (no
 * extension lines), a decimal size without leading zeros, a 32-byte standard-base64 root, and
 * 1–16 well-formed signature lines (`— <name> <base64(key ID ‖ signature)>`). Signatures are not
 * verified (see {@link verifyCheckpoint}). Problems carry `MALFORMED_BUNDLE` and path `$`.
 */
export function parseCheckpoint(input: string | Uint8Array): ParsedCheckpoint {
  const fail = (message: string): ParsedCheckpoint => ({ problems: [malformed('$', message)] });
  let text: string;
  if (typeof input === 'string') {
    if (encoder.encode(input).byteLength > CHECKPOINT_MAX_BYTES) {
      return fail(`a checkpoint is at most ${CHECKPOINT_MAX_BYTES} bytes`);
    }
    text = input;
  } else {
    if (input.byteLength > CHECKPOINT_MAX_BYTES) {
      return fail(`a checkpoint is at most ${CHECKPOINT_MAX_BYTES} bytes`);
    }
    try {
      text = utf8.decode(input);
    } catch {
      return fail('a checkpoint is UTF-8 text');
    }
  }
  if (hasControl(text)) {
    return fail('a checkpoint has LF line ends and no other control characters (CR, tab, …)');
  }
  if (!text.endsWith('\n')) return fail('a checkpoint ends with LF');
  const split = text.lastIndexOf('\n\n');
  if (split < 0) return fail('no empty line separates the note text from its signatures');
  const noteText = text.slice(0, split + 1);
  const signatureLines = text.slice(split + 2, -1);
  const problems: Problem[] = [];

  const lines = noteText.slice(0, -1).split('\n');
  const [origin = '', sizeText = '', rootText = ''] = lines;
  if (lines.length < 3) {
    problems.push(malformed('$', 'the note text has fewer than three lines (origin, size, root)'));
  } else if (lines.length > 3) {
    problems.push(malformed('$', 'extension lines are not allowed after the root hash'));
  }
  if (origin === '') problems.push(malformed('$', 'line 1: the origin is empty'));
  let treeSize = 0;
  if (!DECIMAL.test(sizeText)) {
    problems.push(malformed('$', 'line 2: the tree size is decimal without sign or leading zeros'));
  } else {
    treeSize = Number(sizeText);
    if (!Number.isSafeInteger(treeSize)) {
      problems.push(malformed('$', 'line 2: the tree size is larger than 2^53−1'));
    }
  }
  const rootHash = STD_BASE64.test(rootText) ? decodeBase64(rootText) : null;
  if (rootHash?.byteLength !== 32) {
    problems.push(malformed('$', 'line 3: the root hash is standard base64 of 32 bytes'));
  }

  const signatures: NoteSignature[] = [];
  const sigLines = signatureLines === '' ? [] : signatureLines.split('\n');
  if (sigLines.length === 0) problems.push(malformed('$', 'the checkpoint has no signature line'));
  if (sigLines.length > CHECKPOINT_MAX_SIGNATURES) {
    problems.push(
      malformed('$', `more than ${CHECKPOINT_MAX_SIGNATURES} signature lines (${sigLines.length})`),
    );
  }
  const firstSigLine = lines.length + 2;
  sigLines.slice(0, CHECKPOINT_MAX_SIGNATURES + 1).forEach((line, i) => {
    const where = `line ${firstSigLine + i}`;
    const parts = line.split(' ');
    const [dash, name = '', blobText = ''] = parts;
    if (dash !== EM_DASH || parts.length !== 3 || !KEY_NAME.test(name)) {
      problems.push(malformed('$', `${where}: a signature line is "— <key name> <base64>"`));
      return;
    }
    const blob = STD_BASE64.test(blobText) ? decodeBase64(blobText) : null;
    if (blob === null || blob.byteLength < 5) {
      problems.push(
        malformed('$', `${where}: the signature is standard base64 of a key ID and a signature`),
      );
      return;
    }
    signatures.push({ name, keyId: toHex(blob.subarray(0, 4)), signature: blob.slice(4) });
  });

  if (problems.length > 0 || rootHash === null) return { problems };
  return { checkpoint: { origin, treeSize, rootHash, noteText, signatures }, problems: [] };
}

/**
 * Verifies a checkpoint of the log `origin` (03 §5.2): parsed as {@link parseCheckpoint}; the
 * origin must match; lines whose (name, key ID) is not the log's are ignored; at least one line
 * from the log's key must verify and any line from it that fails rejects the checkpoint.
 */
export function verifyCheckpoint(
  input: string | Uint8Array,
  origin: string,
  logPublicKey: Ed25519PublicKey,
): CheckpointVerification {
  const { checkpoint, problems } = parseCheckpoint(input);
  if (checkpoint === undefined) return { valid: false, problems };
  const invalid = (message: string): CheckpointVerification => ({
    valid: false,
    problems: [{ code: 'LOG_PROOF_INVALID', path: '$', message }],
    checkpoint,
  });
  if (checkpoint.origin !== origin) {
    return invalid(`the checkpoint is of ${JSON.stringify(checkpoint.origin)}, not ${origin}`);
  }
  const keyId = noteKeyId(origin, logPublicKey);
  const ours = checkpoint.signatures.filter((s) => s.name === origin && s.keyId === keyId);
  if (ours.length === 0) return invalid(`no signature line by the key of ${origin} (${keyId})`);
  const message = encoder.encode(checkpoint.noteText);
  if (!ours.every((s) => verifyBytes(logPublicKey, message, s.signature))) {
    return invalid(`a signature line by the key of ${origin} does not verify`);
  }
  return { valid: true, problems: [], checkpoint };
}
