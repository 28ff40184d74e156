// SPDX-License-Identifier: Apache-2.0
import { childPath, isJsonObject } from '../attestation/check-helpers.js';
import { parseBundle, type AttestationBundle } from '../attestation/bundle.js';
import { attestationDigest, pae, type DsseEnvelope } from '../attestation/dsse.js';
import {
  decodeStatement,
  SLSA_PROVENANCE_PREDICATE_TYPE,
  SPDX_PREDICATE_TYPE,
  type Statement,
} from '../attestation/statement.js';
import {
  findKey,
  keyStatusAt,
  parseTrustStore,
  signingGroups,
  type TrustedKey,
} from '../attestation/trust-store.js';
import type { TrustStore } from '../attestation/trust-store-schema.js';
import {
  decodeBase64,
  publicKeyFromBase64,
  sha256Digest,
  sha256Hex,
  sha256HexOf,
  verifyBytes,
  type Ed25519PublicKey,
} from '../crypto/index.js';
import { VcError, type Problem } from '../errors.js';
import { hashFromHex, hashToHex, leafHash, verifyInclusion } from '../merkle/index.js';
import { parseRfc3339 } from '../time/rfc3339.js';
import { leafBytes, type AttestationLeaf } from '../tlog/leaf.js';
import { setInputOfEntry, type BundleLogEntry } from '../tlog/log-entry.js';
import { verifySet } from '../tlog/set.js';
import { checkContentGates, type LocatedStatement } from './content-gates.js';
import { logQuorum } from './log-quorum.js';
import { decide } from './decision.js';
import type {
  SbomSummary,
  VerifyInput,
  VerifyRequirements,
  VerifyResult,
  VulnerabilityGateInput,
} from './types.js';
import {
  checkVulnerabilities,
  debianPackagesOfSbom,
  findVulnerabilities,
  type VulnFinding,
  type VulnerabilityPolicy,
} from './vulnerabilities.js';

// In its own module so that `./verify/cache` (a cached result) loads it without this one.
export { DEFAULT_LOG_QUORUM, logQuorum } from './log-quorum.js';

/**
 * Reads the trust store for verification (04 §1): validated under the profile it declares.
 * Throws the setup error `TRUST_STORE_INVALID` or `INSUFFICIENT_LOG_OPERATORS`.
 */
export function readTrustStoreForVerify(bytes: Uint8Array): {
  store: TrustStore;
  digest: string;
} {
  const read = parseTrustStore(bytes);
  const first = read.errors[0];
  if (!read.ok || read.trustStore === undefined || first !== undefined) {
    const code = first?.code ?? 'TRUST_STORE_INVALID';
    throw new VcError(
      code,
      `trust store: ${first?.message ?? 'invalid'} at ${first?.path ?? '$'}`,
      {
        errors: read.errors,
        ...(code === 'INSUFFICIENT_LOG_OPERATORS'
          ? {
              hint: 'a production trust store names at least 3 logs; a local one says "profile": "dev"',
            }
          : { hint: 'check it with cerro-torre validate --type trust-store --input <file>' }),
      },
    );
  }
  return { store: read.trustStore, digest: read.digest };
}

/** Per-envelope state carried from step to step. */
interface EnvelopeState {
  readonly envelope: DsseEnvelope;
  readonly path: string;
  readonly digest: string;
  /** Entries counted in step 4 (index into logEntries, entry). */
  readonly entries: { index: number; entry: BundleLogEntry }[];
  /** Keys that passed step 6, by signature index. */
  readonly passedKeys: Map<number, TrustedKey>;
  /** Computed key ids with a valid signature (step 7). */
  readonly validSigners: Map<string, TrustedKey>;
  invalidSignature: boolean;
  logProofFailed: boolean;
}

/**
 * An envelope's payload decoded once (step 5) and used by every later step: the statement, and
 * the payload bytes the signatures (step 7) are checked over.
 */
interface DecodedPayload {
  readonly statement: Statement;
  readonly payloadBytes: Uint8Array;
}

/**
 * The ordered verification algorithm of 04 §3, pure and synchronous. Steps 1 (package), the
 * layout part of 5 and 11 (rebuild) take what the adapter found (`input.image`, `input.rebuild`);
 * without them this is steps 2–10 and D is `input.imageDigest` or the first statement's subject.
 * Every failure is collected in step order; steps 2, 3 and 5 (decoding) stop the run. Setup
 * errors (`TRUST_STORE_INVALID`, `INSUFFICIENT_LOG_OPERATORS`, `THRESHOLD_GROUP_UNKNOWN`) throw a
 * {@link VcError}; everything else is a value.
 */
export function verifyBundle(input: VerifyInput): VerifyResult {
  const { store, digest: trustStoreDigest } = readTrustStoreForVerify(input.trustStoreBytes);
  const mode = input.mode ?? 'strict';
  const quorum = logQuorum(input);
  const groups = resolveGroups(store, input.thresholdGroups);
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const countedKeyIds = new Set<string>();
  let keysValidUntil: number | null = null;
  const bundleDigest = input.bundleBytes !== undefined ? sha256Digest(input.bundleBytes) : null;
  let attestationsVerified = 0;
  let logEntriesVerified = 0;
  const thresholdsMet: string[] = [];
  const evidence = input.image ?? {};
  let imageDigest: string | null = input.imageDigest ?? evidence.layoutDigest ?? null;
  const signers: string[] = [];
  const verifiedLogIds = new Set<string>();
  let sbom: SbomSummary | null = null;
  let attestationCount = 0;
  // For `details`: the envelopes with their decoded statements, and the 04 §6.5 findings.
  let envelopes: { state: EnvelopeState; predicateType: string | null }[] = [];
  const findings: VulnFinding[] = [];

  const finish = (stoppedAt?: number): VerifyResult => {
    const decision = decide(errors, mode);
    const first = errors[0];
    return {
      decision,
      ...(first !== undefined ? { errorCode: first.code, message: first.message } : {}),
      errors,
      attestationsVerified,
      logEntriesVerified,
      thresholdsMet,
      imageDigest,
      warnings,
      details: {
        quorum,
        groups,
        trustStoreDigest,
        bundleDigest,
        countedKeyIds: [...countedKeyIds],
        keysValidUntil,
        ...(stoppedAt !== undefined ? { stoppedAt } : {}),
        signers,
        attestationCount,
        verifiedLogIds: [...verifiedLogIds],
        sbom,
        attestations: envelopes.map(({ state, predicateType }, index) => ({
          index,
          predicateType,
          digest: state.digest,
          validSigners: [...state.validSigners.values()].map((k) => ({
            keyid: k.computedKeyId,
            owner: k.key.metadata?.owner ?? null,
          })),
        })),
        findings,
      },
    };
  };

  // Step 1: the package (`.ctp` only), read by the adapter.
  if (evidence.packageProblems !== undefined && evidence.packageProblems.length > 0) {
    errors.push(...evidence.packageProblems);
    return finish(1);
  }

  // Step 2: attestations present.
  if (input.bundleBytes === undefined) {
    errors.push({
      code: 'MISSING_ATTESTATION',
      path: '$',
      message: 'the attestation bundle does not exist',
    });
    return finish(2);
  }

  // Step 3: parse.
  const parsed = parseBundle(input.bundleBytes);
  warnings.push(...parsed.warnings);
  if (parsed.bundle === undefined || parsed.errors.length > 0) {
    errors.push(...parsed.errors);
    return finish(3);
  }
  const bundle: AttestationBundle = parsed.bundle;
  attestationCount = bundle.attestations.length;
  const states: EnvelopeState[] = bundle.attestations.map((envelope, i) => ({
    envelope,
    path: childPath('$', 'attestations', i),
    digest: attestationDigest(envelope),
    entries: [],
    passedKeys: new Map(),
    validSigners: new Map(),
    invalidSignature: false,
    logProofFailed: false,
  }));

  // Step 5 (decoding) comes before step 4's message needs the predicate type; decoding problems
  // stop the run after step 4 has reported.
  const decoded = states.map((s) => decodeStatement(s.envelope, s.path));
  envelopes = states.map((state, i) => ({
    state,
    predicateType: decoded[i]!.statement?.predicateType ?? null,
  }));

  // Step 4: log coverage.
  const byDigest = new Map<string, EnvelopeState>();
  for (const s of states) if (!byDigest.has(s.digest)) byDigest.set(s.digest, s);
  bundle.logEntries.forEach((entry, index) => {
    const path = childPath('$', 'logEntries', index);
    if (entry.attestationDigest === undefined) return; // warned in step 3
    const state = byDigest.get(entry.attestationDigest);
    if (state === undefined) {
      warnings.push({
        code: 'LOG_ENTRY_IGNORED',
        path,
        message: `log entry ${index} names no attestation of this bundle (ignored)`,
      });
      return;
    }
    if (!Object.hasOwn(store.logs, entry.logId)) {
      warnings.push({
        code: 'LOG_ENTRY_IGNORED',
        path,
        message: `log entry ${index} is from log ${entry.logId}, which is not in the trust store (ignored)`,
      });
      return;
    }
    state.entries.push({ index, entry });
  });
  states.forEach((s, i) => {
    const logs = new Set(s.entries.map((e) => e.entry.logId)).size;
    if (logs >= quorum) return;
    const type = decoded[i]?.statement?.predicateType;
    errors.push({
      code: 'INSUFFICIENT_LOG_COVERAGE',
      path: s.path,
      message: `attestation ${i}${type !== undefined ? ` (${type})` : ''} is in ${logs} ${logs === 1 ? 'log' : 'logs'}, ${quorum} required`,
    });
  });

  // Step 5: subject.
  const decodeProblems = decoded.flatMap((d) => d.problems);
  if (decodeProblems.length > 0) {
    errors.push(...decodeProblems);
    return finish(5);
  }
  const payloads: DecodedPayload[] = decoded.map((d) => ({
    statement: d.statement as Statement,
    payloadBytes: d.payloadBytes as Uint8Array,
  }));
  const statements: LocatedStatement[] = payloads.map((d, i) => ({
    statement: d.statement,
    path: (states[i] as EnvelopeState).path,
  }));
  const firstSbom = statements.find((s) => s.statement.predicateType === SPDX_PREDICATE_TYPE);
  if (firstSbom !== undefined) sbom = summariseSbom(firstSbom.statement.predicate);
  if (evidence.layoutProblems !== undefined && evidence.layoutProblems.length > 0) {
    errors.push(...evidence.layoutProblems);
    return finish(5);
  }
  if (
    input.imageDigest !== undefined &&
    evidence.layoutDigest !== undefined &&
    input.imageDigest !== evidence.layoutDigest
  ) {
    errors.push({
      code: 'SUBJECT_MISMATCH',
      path: '$',
      message: `--image-digest ${input.imageDigest} is not the layout's image ${evidence.layoutDigest}`,
    });
  }
  if (evidence.packageImageDigest !== undefined && evidence.packageImageDigest !== imageDigest) {
    errors.push({
      code: 'SUBJECT_MISMATCH',
      path: '$',
      message: `manifest.toml names image_digest ${evidence.packageImageDigest}, the image is ${imageDigest ?? '(unknown)'}`,
    });
  }
  if (imageDigest === null) {
    const hex = statements[0]?.statement.subject[0]?.digest.sha256;
    imageDigest = hex !== undefined ? `sha256:${hex}` : null;
  }
  const imageHex = imageDigest !== null ? sha256HexOf(imageDigest) : null;
  statements.forEach(({ statement, path }) => {
    statement.subject.forEach((subject, j) => {
      if (subject.digest.sha256 === imageHex) return;
      errors.push({
        code: 'SUBJECT_MISMATCH',
        path: childPath(path, 'payload', 'subject', j, 'digest', 'sha256'),
        message: `subject sha256:${subject.digest.sha256} is not the image ${imageDigest ?? '(unknown)'}`,
      });
    });
  });
  if (input.manifestBytes !== undefined) {
    const actual = sha256Hex(input.manifestBytes);
    for (const { statement, path } of statements) {
      if (statement.predicateType !== SLSA_PROVENANCE_PREDICATE_TYPE) continue;
      const recorded = provenanceManifestDigest(statement.predicate);
      if (recorded === actual) continue;
      errors.push({
        code: 'SUBJECT_MISMATCH',
        path: childPath(
          path,
          'payload',
          'predicate',
          'buildDefinition',
          'externalParameters',
          'manifest',
          'digest',
          'sha256',
        ),
        message: `the manifest (sha256:${actual}) is not the one the provenance records (${recorded === undefined ? 'none' : `sha256:${recorded}`})`,
      });
    }
  }

  // Step 6: keys.
  const revoked = new Map((store.revocations ?? []).map((r) => [r.digest, r] as const));
  const imageRevocation = imageDigest !== null ? revoked.get(imageDigest) : undefined;
  if (imageRevocation !== undefined) {
    errors.push({
      code: 'REVOKED',
      path: '$',
      message: `image ${imageRevocation.digest} is revoked (${imageRevocation.reason}, ${imageRevocation.revokedAt})`,
    });
  }
  for (const s of states) {
    const r = revoked.get(s.digest);
    if (r !== undefined) {
      errors.push({
        code: 'REVOKED',
        path: s.path,
        message: `attestation ${s.digest} is revoked (${r.reason}, ${r.revokedAt})`,
      });
    }
    s.envelope.signatures.forEach((sig, j) => {
      const path = childPath(s.path, 'signatures', j, 'keyid');
      const found = findKey(store, sig.keyid);
      if (found === undefined) {
        errors.push({
          code: 'UNKNOWN_KEY',
          path,
          message: `key ${sig.keyid} is not in the trust store`,
        });
        return;
      }
      const status = keyStatusAt(found.key, input.now);
      switch (status) {
        case 'valid':
          s.passedKeys.set(j, found);
          return;
        case 'revoked':
          errors.push({
            code: 'REVOKED',
            path,
            message: `key ${sig.keyid} was revoked ${found.key.revokedAt ?? ''}`.trimEnd(),
          });
          return;
        case 'expired':
          errors.push({
            code: 'EXPIRED_KEY',
            path,
            message: `key ${sig.keyid} expired ${found.key.validUntil ?? ''}`.trimEnd(),
          });
          return;
        case 'not-yet-valid':
          errors.push({
            code: 'KEY_NOT_YET_VALID',
            path,
            message: `key ${sig.keyid} is valid from ${found.key.validFrom}`,
          });
          return;
      }
    });
  }

  // Step 7: signatures, over the payload bytes decoded in step 5.
  states.forEach((s, i) => {
    const payload = payloads[i] as DecodedPayload;
    if (s.envelope.signatures.length === 0) {
      s.invalidSignature = true;
      errors.push({
        code: 'INVALID_SIGNATURE',
        path: childPath(s.path, 'signatures'),
        message: `attestation ${s.path} has no signatures`,
      });
      return;
    }
    s.envelope.signatures.forEach((sig, j) => {
      const key = s.passedKeys.get(j);
      if (key === undefined) return;
      // A store may name a key by an alias id (a warning there): the key itself verifies.
      if (
        verifyPayloadSignature(s.envelope.payloadType, payload.payloadBytes, sig.sig, key.publicKey)
      ) {
        s.validSigners.set(key.computedKeyId, key);
        return;
      }
      s.invalidSignature = true;
      errors.push({
        code: 'INVALID_SIGNATURE',
        path: childPath(s.path, 'signatures', j, 'sig'),
        message: `the signature by key ${sig.keyid} does not verify`,
      });
    });
  });

  // Step 8: log proofs and SETs.
  states.forEach((s, i) => {
    const { statement } = payloads[i] as DecodedPayload;
    for (const { index, entry } of s.entries) {
      const problem = checkEntryProof(s.digest, statement, entry, store);
      if (problem === undefined) {
        logEntriesVerified++;
        verifiedLogIds.add(entry.logId);
        continue;
      }
      s.logProofFailed = true;
      errors.push({
        code: 'LOG_PROOF_INVALID',
        path: childPath('$', 'logEntries', index),
        message: `log entry ${index} (${entry.logId}): ${problem}`,
      });
    }
  });

  // Step 9: threshold.
  const counting = states.map((s) =>
    s.invalidSignature ? new Map<string, TrustedKey>() : s.validSigners,
  );
  for (const group of groups) {
    const g = store.thresholds[group];
    if (g === undefined) continue;
    const members = new Set(g.members);
    let shortfall: { index: number; have: number } | undefined;
    counting.forEach((signers, i) => {
      const have = [...signers.values()].filter((k) => members.has(k.key.id)).length;
      if (have < g.k && shortfall === undefined) shortfall = { index: i, have };
    });
    if (shortfall === undefined) {
      thresholdsMet.push(group);
      continue;
    }
    errors.push({
      code: 'THRESHOLD_NOT_MET',
      path: childPath('$', 'attestations', shortfall.index, 'signatures'),
      message: `group '${group}' requires ${g.k} distinct ${g.k === 1 ? 'signature' : 'signatures'} on every attestation, attestation ${shortfall.index} has ${shortfall.have}`,
    });
  }
  const holders = input.requirements?.keyholders;
  if (holders !== undefined) {
    const owners = new Set(holders.owners);
    let shortfall: { index: number; have: number } | undefined;
    counting.forEach((signers, i) => {
      const have = [...signers.values()].filter((k) =>
        owners.has(k.key.metadata?.owner ?? ''),
      ).length;
      if (have < holders.minimum && shortfall === undefined) shortfall = { index: i, have };
    });
    if (shortfall === undefined) thresholdsMet.push('keyholders');
    else {
      errors.push({
        code: 'THRESHOLD_NOT_MET',
        path: childPath('$', 'attestations', shortfall.index, 'signatures'),
        message: `the manifest requires ${holders.minimum} keyholder ${holders.minimum === 1 ? 'signature' : 'signatures'} (${holders.owners.join(', ')}) on every attestation, attestation ${shortfall.index} has ${shortfall.have}`,
      });
    }
  }
  for (const counted of counting) {
    for (const key of counted.values()) {
      if (!countedKeyIds.has(key.computedKeyId)) {
        signers.push(key.key.metadata?.owner ?? key.key.id);
      }
      countedKeyIds.add(key.computedKeyId);
      for (const t of [key.key.validUntil, key.key.revokedAt]) {
        const ms = t !== undefined ? parseRfc3339(t) : null;
        if (ms !== null && (keysValidUntil === null || ms < keysValidUntil)) keysValidUntil = ms;
      }
    }
  }
  attestationsVerified = states.filter(
    (s) => !s.invalidSignature && !s.logProofFailed && s.validSigners.size > 0,
  ).length;

  // Step 10: content gates.
  errors.push(
    ...checkContentGates({
      statements,
      imageDigestHex: imageHex,
      requirements: input.requirements ?? {},
      hasManifest: input.manifestBytes !== undefined,
    }),
  );
  if (input.vulnerabilities !== undefined) {
    checkVulnerabilityGate(input.vulnerabilities, statements, input.requirements, {
      errors,
      warnings,
      findings,
    });
  }

  // Step 11: reproducibility (the adapter rebuilt and compared).
  if (input.rebuild?.kind === 'differs') {
    errors.push({ code: 'NOT_REPRODUCIBLE', path: '$', message: input.rebuild.message });
  }
  return finish();
}

/** Package count and purl types of an SPDX document, for people-facing output. */
function summariseSbom(doc: unknown): SbomSummary {
  const packages = isJsonObject(doc) && Array.isArray(doc.packages) ? doc.packages : [];
  const purlTypes: Record<string, number> = {};
  for (const pkg of packages) {
    if (!isJsonObject(pkg)) continue;
    const purpose = pkg.primaryPackagePurpose;
    if (purpose === 'CONTAINER' || purpose === 'OPERATING_SYSTEM') continue;
    const refs: unknown[] = Array.isArray(pkg.externalRefs) ? (pkg.externalRefs as unknown[]) : [];
    const purl = refs.find((r) => isJsonObject(r) && r.referenceType === 'purl');
    const locator = isJsonObject(purl) ? purl.referenceLocator : undefined;
    const type =
      typeof locator === 'string' ? /^pkg:([a-z0-9.+-]+)\//i.exec(locator)?.[1] : undefined;
    if (type === undefined) continue;
    const key = type.toLowerCase();
    purlTypes[key] = (purlTypes[key] ?? 0) + 1;
  }
  return { packages: packages.length, purlTypes };
}

/** 04 §6.5 over every SPDX statement; pushes onto `errors`, `warnings` and `findings`. */
function checkVulnerabilityGate(
  gate: VulnerabilityGateInput,
  statements: readonly LocatedStatement[],
  requirements: VerifyRequirements | undefined,
  out: { errors: Problem[]; warnings: Problem[]; findings: VulnFinding[] },
): void {
  const { errors, warnings } = out;
  if (gate.db === undefined) {
    (gate.requireDb ? errors : warnings).push({
      code: 'VULNERABILITY_DB_MISSING',
      path: '$',
      message: 'not checked: no vulnerability database configured',
      hint: 'use --vuln-db FILE or VC_VULN_DB',
    });
    return;
  }
  const policy = requirements?.vulnerabilityPolicy ?? DEFAULT_VULNERABILITY_POLICY;
  for (const s of statements) {
    if (s.statement.predicateType !== SPDX_PREDICATE_TYPE) continue;
    const findings = findVulnerabilities(gate.db, debianPackagesOfSbom(s.statement.predicate));
    out.findings.push(...findings);
    const gated = checkVulnerabilities(findings, policy, childPath(s.path, 'payload', 'predicate'));
    errors.push(...gated.errors);
    warnings.push(...gated.warnings);
  }
}

/** The manifest defaults of `[verification.vulnerability-scanning]` (01). */
export const DEFAULT_VULNERABILITY_POLICY: VulnerabilityPolicy = {
  maxSeverity: 'high',
  ignore: [],
  ignoreUnfixed: false,
};

/** 04 §2: the named groups (unknown → setup error), else every signing group of the store. */
function resolveGroups(store: TrustStore, named: readonly string[] | undefined): string[] {
  if (named === undefined || named.length === 0) return signingGroups(store);
  for (const g of named) {
    if (!Object.hasOwn(store.thresholds, g)) {
      throw new VcError(
        'THRESHOLD_GROUP_UNKNOWN',
        `the trust store has no threshold group '${g}'`,
        {
          hint: `groups: ${Object.keys(store.thresholds).join(', ') || '(none)'}`,
        },
      );
    }
  }
  return [...new Set(named)];
}

/**
 * Step 7 for one signature: the DSSE signature (base64 of 64 bytes) over PAE(payloadType, body),
 * with the payload decoded once for all signatures.
 */
function verifyPayloadSignature(
  payloadType: string,
  body: Uint8Array,
  sigBase64: string,
  publicKey: Ed25519PublicKey,
): boolean {
  const sig = decodeBase64(sigBase64);
  if (sig === null || sig.byteLength !== SIGNATURE_BYTES) return false;
  return verifyBytes(publicKey, pae(payloadType, body), sig);
}

const SIGNATURE_BYTES = 64;

/**
 * The attestation leaf of 03 §3 (what `attestationLeaf` of tlog/leaf.ts builds from the envelope),
 * from the digest of step 3 and the statement decoded in step 5: no payload is decoded again.
 */
function attestationLeafOf(
  attestationDigest: string,
  statement: Statement,
  integratedTime: string,
): AttestationLeaf {
  return {
    version: 1,
    timestamp: integratedTime,
    entryType: 'attestation',
    body: {
      attestationDigest,
      // checkStatement (step 5) guarantees a first subject
      subjectDigest: `sha256:${statement.subject[0]?.digest.sha256 ?? ''}`,
      predicateType: statement.predicateType,
    },
  };
}

/** Step 8 for one entry: why it fails, or undefined when proof and SET verify. */
function checkEntryProof(
  attestationDigest: string,
  statement: Statement,
  entry: BundleLogEntry,
  store: TrustStore,
): string | undefined {
  const proof = entry.inclusionProof;
  if (proof.logIndex !== entry.logIndex) {
    return `inclusionProof.logIndex ${proof.logIndex} is not the entry's logIndex ${entry.logIndex}`;
  }
  const leaf = leafHash(
    leafBytes(attestationLeafOf(attestationDigest, statement, entry.integratedTime)),
  );
  const root = hashFromHex(proof.rootHash);
  const hashes = proof.hashes.map((h) => hashFromHex(h));
  if (root === null || hashes.some((h) => h === null)) return 'a proof hash is not 64 hex';
  const included = verifyInclusion({
    index: entry.logIndex,
    treeSize: proof.treeSize,
    leafHash: leaf,
    hashes: hashes as Uint8Array[],
    rootHash: root,
  });
  if (!included) {
    return `the inclusion proof does not lead to root ${hashToHex(root)} at tree size ${proof.treeSize}`;
  }
  const log = store.logs[entry.logId];
  if (log === undefined) return 'the log is not in the trust store';
  const ok = verifySet(
    publicKeyFromBase64(log.publicKey),
    setInputOfEntry(entry, hashToHex(leaf)),
    entry.signedEntryTimestamp,
  );
  return ok ? undefined : 'the signed entry timestamp does not verify with the log key';
}

function provenanceManifestDigest(predicate: unknown): string | undefined {
  const def = isJsonObject(predicate) ? predicate.buildDefinition : undefined;
  const ext = isJsonObject(def) ? def.externalParameters : undefined;
  const manifest = isJsonObject(ext) ? ext.manifest : undefined;
  const digest = isJsonObject(manifest) ? manifest.digest : undefined;
  const sha = isJsonObject(digest) ? digest.sha256 : undefined;
  return typeof sha === 'string' ? sha : undefined;
}
