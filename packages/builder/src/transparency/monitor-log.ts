// SPDX-License-Identifier: Apache-2.0
// The online part of `check-transparency` for one log (03 §12 step 2).
import { VcError, formatRfc3339Utc } from '@verified-container/shared';
import {
  findKey,
  verifySignature,
  type DsseEnvelope,
  type TrustStore,
} from '@verified-container/shared/attestation';
import { decodeBase64, type Ed25519PublicKey } from '@verified-container/shared/crypto';
import {
  hashFromHex,
  hashToHex,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from '@verified-container/shared/merkle';
import {
  checkTreeHead,
  decodeRevocation,
  leafBytes,
  revocationLeaf,
  verifyCheckpoint,
  verifyTreeHead,
  type SignedTreeHead,
} from '@verified-container/shared/tlog';
import type { LogReader } from './log-reader.js';
import type { TransparencyProblem } from './offline-check.js';
import type { StoredHead } from './stored-heads.js';

export interface MonitorLogInput {
  readonly logId: string;
  readonly publicKey: Ed25519PublicKey;
  readonly reader: LogReader;
  /** The head stored by an earlier run, if any. */
  readonly previous: StoredHead | undefined;
  /** `(treeSize, rootHash)` of every verified bundle entry of this log. */
  readonly entryTrees: ReadonlyArray<{ logIndex: number; treeSize: number; rootHash: string }>;
  /** Digests whose revocation is looked up: every attestation digest, then the image digest. */
  readonly revocationDigests: readonly string[];
  /** Which of {@link revocationDigests} is the image (for messages). */
  readonly imageDigest: string | undefined;
  readonly store: TrustStore;
  readonly now: Date;
}

export interface MonitorLogResult {
  /** The new head, verified (set once the STH and checkpoint verified). */
  head?: StoredHead;
  /** `LOG_PROOF_INVALID`, `LOG_INCONSISTENT`, `LOG_ROLLBACK`, `REVOKED`. */
  errors: TransparencyProblem[];
  /** Set when the log could not be read: the reason. */
  unavailable?: string;
  warnings: string[];
  /** True when the head may be stored: read fully, no error. */
  storable: boolean;
}

/**
 * 03 §12 step 2 for one log: STH and checkpoint verified with the trust-store key and naming the
 * same tree; the stored head h against the new head H (smaller → `LOG_ROLLBACK`, same size and
 * another root → `LOG_INCONSISTENT`, a consistency proof h → H that fails → `LOG_INCONSISTENT`);
 * every bundle entry's tree consistent with H; revocations of the given digests looked up. A
 * revocation counts (`REVOKED`) only when its entry proves into H and its envelope is signed by
 * its `revokedBy` key from the trust store; other hits are warnings. Read failures end the check
 * with `unavailable`.
 */
export async function monitorLog(input: MonitorLogInput): Promise<MonitorLogResult> {
  const result: MonitorLogResult = { errors: [], warnings: [], storable: false };
  const fail = (code: string, message: string): MonitorLogResult => {
    result.errors.push({ code, logId: input.logId, message });
    return result;
  };
  try {
    // An HTTP log serves the STH and the checkpoint on two requests: an append between them makes
    // them differ honestly, so a mismatch is only a failure when it persists.
    let read = await readVerifiedHead(input);
    for (let attempt = 1; attempt < HEAD_ATTEMPTS && isMismatch(read.head); attempt++) {
      read = await readVerifiedHead(input);
    }
    const { head, checkpoint } = read;
    if (typeof head === 'string') return fail('LOG_PROOF_INVALID', head);
    if ('mismatch' in head) return fail('LOG_INCONSISTENT', head.mismatch);
    result.head = { ...head.sth, checkpoint, verifiedAt: formatRfc3339Utc(input.now) };
    const H = result.head;

    const h = input.previous;
    if (h !== undefined) {
      const seen = `head ${h.treeSize} seen ${h.verifiedAt}`;
      if (H.treeSize < h.treeSize) {
        return fail(
          'LOG_ROLLBACK',
          `head ${H.treeSize} is smaller than ${seen} (the log was rolled back)`,
        );
      }
      if (H.treeSize === h.treeSize && H.rootHash !== h.rootHash) {
        return fail(
          'LOG_INCONSISTENT',
          `head ${H.treeSize} has root ${H.rootHash}, not the root ${h.rootHash} of ${seen} (forked)`,
        );
      }
      if (!(await consistent(input.reader, h, H))) {
        return fail(
          'LOG_INCONSISTENT',
          `head ${H.treeSize} is not an extension of ${seen} (history rewritten or forked)`,
        );
      }
    }

    const trees = new Map<string, { logIndex: number; treeSize: number; rootHash: string }>();
    for (const t of input.entryTrees) trees.set(`${t.treeSize}/${t.rootHash}`, t);
    for (const t of trees.values()) {
      if (t.treeSize > H.treeSize) {
        fail(
          'LOG_ROLLBACK',
          `the bundle's entry #${t.logIndex} was logged at tree size ${t.treeSize}, but the log's head is ${H.treeSize} (rolled back)`,
        );
      } else if (!(await consistent(input.reader, t, H))) {
        fail(
          'LOG_INCONSISTENT',
          `head ${H.treeSize} is not an extension of tree ${t.treeSize} of the bundle's entry #${t.logIndex} (history rewritten or forked)`,
        );
      }
    }
    if (result.errors.length > 0) return result;

    for (const digest of input.revocationDigests) {
      await lookUpRevocations(input, H, digest, result);
    }
    result.storable = result.errors.every((e) => e.code === 'REVOKED');
    return result;
  } catch (err) {
    if (err instanceof VcError && (err.code === 'LOG_UNAVAILABLE' || err.code === 'LOG_REJECTED')) {
      if (err.code === 'LOG_REJECTED' && result.head !== undefined) {
        // The log answered but would not prove what its own head implies.
        return fail('LOG_INCONSISTENT', `the log refused a proof: ${err.message}`);
      }
      result.unavailable = err.message;
      return result;
    }
    throw err;
  }
}

type HeadCheck = { sth: SignedTreeHead } | { mismatch: string } | string;

/** Reads of the STH and the checkpoint before a persisting mismatch is reported. */
const HEAD_ATTEMPTS = 3;

async function readVerifiedHead(
  input: MonitorLogInput,
): Promise<{ head: HeadCheck; checkpoint: string }> {
  const { sth, checkpoint } = await input.reader.readTreeHead();
  return { head: checkHead(input, sth, checkpoint), checkpoint };
}

function isMismatch(head: HeadCheck): boolean {
  return typeof head !== 'string' && 'mismatch' in head;
}

/** The STH and the checkpoint, both by the trust-store key, naming one tree (03 §5). */
function checkHead(input: MonitorLogInput, sth: unknown, checkpoint: string): HeadCheck {
  const problems = checkTreeHead(sth, '$');
  if (problems.length > 0) {
    return `the signed tree head is malformed: ${problems[0]?.path ?? '$'}: ${problems[0]?.message ?? ''}`;
  }
  const head = sth as SignedTreeHead;
  if (head.logId !== input.logId) return `the signed tree head is of ${head.logId}`;
  if (!verifyTreeHead(input.publicKey, head)) {
    return 'the signed tree head does not verify with the trust-store key';
  }
  const note = verifyCheckpoint(checkpoint, input.logId, input.publicKey);
  if (!note.valid || note.checkpoint === undefined) {
    return `the checkpoint does not verify: ${note.problems[0]?.message ?? 'invalid'}`;
  }
  const root = hashToHex(note.checkpoint.rootHash);
  if (note.checkpoint.treeSize !== head.treeSize || root !== bareHex(head.rootHash)) {
    return {
      mismatch: `the signed tree head (size ${head.treeSize}) and the checkpoint (size ${note.checkpoint.treeSize}) name different trees`,
    };
  }
  return { sth: { ...head, rootHash: root } };
}

/** A consistency proof from `(from.treeSize, from.rootHash)` to H, fetched and verified. */
async function consistent(
  reader: LogReader,
  from: { treeSize: number; rootHash: string },
  to: StoredHead,
): Promise<boolean> {
  const firstRoot = hashFromHex(from.rootHash);
  const secondRoot = hashFromHex(to.rootHash);
  if (firstRoot === null || secondRoot === null) return false;
  if (from.treeSize === to.treeSize) return bareHex(from.rootHash) === to.rootHash;
  const proof = await reader.readConsistencyProof(from.treeSize, to.treeSize);
  const hashes = hashList(proof);
  if (hashes === null) return false;
  return verifyConsistency({
    first: from.treeSize,
    second: to.treeSize,
    firstRoot,
    secondRoot,
    hashes,
  });
}

/** Revocations of `digest` in the log, each verified before it counts (see {@link monitorLog}). */
async function lookUpRevocations(
  input: MonitorLogInput,
  H: StoredHead,
  digest: string,
  result: MonitorLogResult,
): Promise<void> {
  const answer = await input.reader.findRevocations(digest);
  const hits = isObject(answer) && Array.isArray(answer.entries) ? answer.entries : null;
  if (hits === null) {
    throw new VcError('LOG_REJECTED', `the revocation lookup of ${digest} is not {entries: […]}`);
  }
  const what = digest === input.imageDigest ? 'image' : 'attestation';
  for (const hit of hits) {
    const index = isObject(hit) ? hit.logIndex : undefined;
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) continue;
    // Appended after the head this run verified: the next run sees it.
    if (index >= H.treeSize) continue;
    const why = await revocationProblem(input, H, digest, index);
    if (typeof why === 'string') {
      result.warnings.push(
        `${input.logId}: revocation #${index} of ${what} ${digest} does not verify (${why}); ignored`,
      );
      continue;
    }
    result.errors.push({
      code: 'REVOKED',
      logId: input.logId,
      message: `${what} ${digest} is revoked (#${index}, ${why.reason}, ${why.revokedAt}, by ${why.revokedBy})`,
    });
  }
}

/** The revocation at `index`, proven into H and signed by its trust-store key; or why not. */
async function revocationProblem(
  input: MonitorLogInput,
  H: StoredHead,
  digest: string,
  index: number,
): Promise<string | { reason: string; revokedAt: string; revokedBy: string }> {
  const view = await input.reader.readEntry(index);
  if (!isObject(view) || view.entryType !== 'revocation' || typeof view.revocation !== 'string') {
    return 'the entry is not a revocation';
  }
  if (typeof view.integratedTime !== 'string') return 'the entry has no integratedTime';
  const bytes = decodeBase64(view.revocation);
  let envelope: DsseEnvelope;
  try {
    envelope = JSON.parse(new TextDecoder().decode(bytes ?? new Uint8Array())) as DsseEnvelope;
  } catch {
    return 'the envelope is not JSON';
  }
  const { revocation } = decodeRevocation(envelope, '$');
  if (revocation === undefined) return 'the envelope does not hold a revocation';
  if (revocation.revokedDigest !== digest) return `it revokes ${revocation.revokedDigest}`;
  let leaf: Uint8Array;
  try {
    leaf = leafHash(leafBytes(revocationLeaf(envelope, view.integratedTime)));
  } catch {
    return 'its leaf cannot be rebuilt';
  }
  const proof = await input.reader.readInclusionProof(index, H.treeSize);
  const hashes = hashList(proof);
  const root = hashFromHex(H.rootHash);
  const included =
    hashes !== null &&
    root !== null &&
    verifyInclusion({ index, treeSize: H.treeSize, leafHash: leaf, hashes, rootHash: root });
  if (!included) return `it does not prove into head ${H.treeSize}`;
  const key = findKey(input.store, revocation.revokedBy);
  if (key === undefined) return `its key ${revocation.revokedBy} is not in the trust store`;
  const signed = (Array.isArray(envelope.signatures) ? envelope.signatures : []).some(
    (s) =>
      isObject(s) &&
      s.keyid === revocation.revokedBy &&
      verifySignature(envelope, { keyid: key.computedKeyId, sig: String(s.sig) }, key.publicKey),
  );
  if (!signed) return `it is not signed by ${revocation.revokedBy}`;
  return revocation;
}

function hashList(proof: unknown): Uint8Array[] | null {
  if (!isObject(proof) || !Array.isArray(proof.hashes)) return null;
  const hashes: Uint8Array[] = [];
  for (const h of proof.hashes as unknown[]) {
    const hash = typeof h === 'string' ? hashFromHex(h) : null;
    if (hash === null) return null;
    hashes.push(hash);
  }
  return hashes;
}

function bareHex(hash: string): string {
  return hash.replace(/^sha256:/, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
