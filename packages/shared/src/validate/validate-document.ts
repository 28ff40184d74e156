// SPDX-License-Identifier: Apache-2.0
import { checkBundle } from '../attestation/bundle.js';
import { isJsonObject, malformed } from '../attestation/check-helpers.js';
import { checkEnvelope } from '../attestation/dsse.js';
import { checkSbom } from '../attestation/sbom.js';
import { checkStatement, SPDX_PREDICATE_TYPE } from '../attestation/statement.js';
import type { TrustStore } from '../attestation/trust-store-schema.js';
import { parseTrustStore } from '../attestation/trust-store.js';
import { publicKeyFromBase64, type Ed25519PublicKey } from '../crypto/index.js';
import { VcError, type Problem } from '../errors.js';
import { JsonError, parseJson } from '../json/index.js';
import { verifyCheckpoint, parseCheckpoint } from '../tlog/checkpoint.js';
import { checkTlogLeaf } from '../tlog/leaf.js';
import { checkLogEntry } from '../tlog/log-entry.js';
import { checkTreeHead, verifyTreeHead, type SignedTreeHead } from '../tlog/tree-head.js';

/** Document types of `cerro-torre validate --type` (04 §8); `manifest` is the CLI's own. */
export const DOCUMENT_TYPES = [
  'attestation-bundle',
  'trust-store',
  'log-entry',
  'signed-tree-head',
  'dsse-envelope',
  'tlog-entry',
  'statement',
  'sbom',
  'checkpoint',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export function isDocumentType(value: string): value is DocumentType {
  return (DOCUMENT_TYPES as readonly string[]).includes(value);
}

export interface ValidateDocumentOptions {
  /** `dev`: bundles need 1 log entry, trust stores 1 log and no group. Default production. */
  readonly profile?: 'dev' | 'production';
  /** Checks the signature of a `signed-tree-head` or `checkpoint` with the log's key. */
  readonly trustStore?: TrustStore;
}

/** One entry of `errors[]`/`warnings[]` in the output of 04 §8, members in its order. */
export interface DocumentIssue {
  readonly path: string;
  readonly message: string;
  readonly code: string;
}

/** The stdout document of `validate --type` (04 §8). */
export interface DocumentValidation {
  readonly valid: boolean;
  /** The code of `errors[0]`; absent when valid. */
  readonly errorCode?: string;
  readonly errors: DocumentIssue[];
  readonly warnings: DocumentIssue[];
}

/**
 * `cerro-torre validate --type T` (04 §8) over the exact file bytes: structure and rules only, no
 * cryptography except the signature of a `signed-tree-head`/`checkpoint` when a trust store is
 * given. Every problem is collected; errors are in the order of the type's checks (bundles: step
 * order, then path) and `errorCode` is the first one's.
 *
 * A JSON document type whose bytes are not JSON at all (a syntax error, a truncated file, invalid
 * UTF-8) **throws** `VcError('READ_FAILED')`, which the CLI turns into exit 2 (04 §8); JSON that
 * breaks only the strict rules of 02 §1 (duplicate names, non-integer numbers, lone surrogates, a
 * BOM) is an invalid document of that type, exit 1.
 */
export function validateDocument(
  type: DocumentType,
  bytes: Uint8Array,
  opts: ValidateDocumentOptions = {},
): DocumentValidation {
  if (type !== 'checkpoint') assertJsonText(type, bytes);
  const { errors, warnings } = checkDocument(type, bytes, opts);
  return {
    valid: errors.length === 0,
    ...(errors[0] !== undefined ? { errorCode: errors[0].code } : {}),
    errors: errors.map(toIssue),
    warnings: warnings.map(toIssue),
  };
}

interface Checked {
  errors: Problem[];
  warnings: Problem[];
}

function checkDocument(
  type: DocumentType,
  bytes: Uint8Array,
  opts: ValidateDocumentOptions,
): Checked {
  const profile = opts.profile ?? 'production';
  switch (type) {
    case 'attestation-bundle':
      return checkBundle(bytes, { profile });
    case 'trust-store': {
      const r = parseTrustStore(bytes, { profile });
      return { errors: r.errors, warnings: r.warnings };
    }
    case 'log-entry':
      return withJson(bytes, 'MALFORMED_BUNDLE', (value) => checkLogEntry(value, '$'));
    case 'dsse-envelope':
      return withJson(bytes, 'MALFORMED_BUNDLE', (value) => errorsOnly(checkEnvelope(value, '$')));
    case 'tlog-entry':
      return withJson(bytes, 'MALFORMED_BUNDLE', (value) => errorsOnly(checkTlogLeaf(value, '$')));
    case 'statement':
      return withJson(bytes, 'MALFORMED_BUNDLE', (value) => errorsOnly(checkStatement(value, '$')));
    case 'signed-tree-head':
      return withJson(bytes, 'MALFORMED_BUNDLE', (value) =>
        checkSignedTreeHead(value, opts.trustStore),
      );
    case 'sbom':
      // An SBOM is not itself a signed document: fractions are allowed, duplicates are not.
      return withJson(bytes, 'SBOM_INVALID', (value) => errorsOnly(checkSbomDocument(value)), {
        integersOnly: false,
      });
    case 'checkpoint':
      return errorsOnly(checkCheckpoint(bytes, opts.trustStore));
  }
}

function checkSignedTreeHead(value: unknown, trustStore: TrustStore | undefined): Checked {
  const problems = checkTreeHead(value, '$');
  if (problems.length > 0 || trustStore === undefined) return errorsOnly(problems);
  const sth = value as SignedTreeHead;
  const key = logKey(trustStore, sth.logId);
  if (key === undefined) return errorsOnly([unknownLog(sth.logId, '$.logId')]);
  if (!verifyTreeHead(key, sth)) {
    return errorsOnly([
      {
        code: 'LOG_PROOF_INVALID',
        path: '$.signature',
        message: `the signature is not by the key of log ${sth.logId}`,
      },
    ]);
  }
  return errorsOnly([]);
}

function checkCheckpoint(bytes: Uint8Array, trustStore: TrustStore | undefined): Problem[] {
  const parsed = parseCheckpoint(bytes);
  if (parsed.checkpoint === undefined || trustStore === undefined) return parsed.problems;
  const { origin } = parsed.checkpoint;
  const key = logKey(trustStore, origin);
  if (key === undefined) return [unknownLog(origin, '$')];
  return verifyCheckpoint(bytes, origin, key).problems;
}

/** An in-toto statement carrying an SPDX predicate is checked as statement plus SBOM. */
function checkSbomDocument(value: unknown): Problem[] {
  if (isJsonObject(value) && value._type !== undefined && value.spdxVersion === undefined) {
    const problems = checkStatement(value, '$');
    if (problems.length > 0) return problems;
    if (value.predicateType !== SPDX_PREDICATE_TYPE) {
      return [
        {
          code: 'SBOM_INVALID',
          path: '$.predicateType',
          message: `the statement's predicateType is not ${SPDX_PREDICATE_TYPE}`,
        },
      ];
    }
    const subject = (value.subject as { digest: { sha256: string } }[])[0];
    return checkSbom(value.predicate, {
      path: '$.predicate',
      ...(subject !== undefined ? { subjectDigestHex: subject.digest.sha256 } : {}),
    });
  }
  return checkSbom(value);
}

function logKey(store: TrustStore, logId: string): Ed25519PublicKey | undefined {
  const log = Object.hasOwn(store.logs, logId) ? store.logs[logId] : undefined;
  if (log === undefined) return undefined;
  try {
    return publicKeyFromBase64(log.publicKey);
  } catch {
    return undefined;
  }
}

function unknownLog(logId: string, path: string): Problem {
  return {
    code: 'LOG_PROOF_INVALID',
    path,
    message: `log ${JSON.stringify(logId)} is not in the trust store, so its signature cannot be checked`,
  };
}

/** Strict-parses the document, turning a JSON rejection into one problem with `code`. */
function withJson(
  bytes: Uint8Array,
  code: string,
  check: (value: unknown) => Checked,
  opts: { integersOnly?: boolean } = {},
): Checked {
  let value: unknown;
  try {
    value = parseJson(bytes, { mode: 'strict', integersOnly: opts.integersOnly ?? true });
  } catch (err) {
    if (!(err instanceof JsonError)) throw err;
    const problem =
      code === 'MALFORMED_BUNDLE'
        ? malformed(err.path, `not strict JSON: ${err.message}`)
        : { code, path: err.path, message: `not strict JSON: ${err.message}` };
    return errorsOnly([problem]);
  }
  return check(value);
}

/**
 * Throws `READ_FAILED` when the bytes are not JSON text at all. The probe parses with ECMA-262
 * rules, so duplicates and odd numbers (strictness violations, reported by the type's checks)
 * do not count as "not JSON".
 */
function assertJsonText(type: DocumentType, bytes: Uint8Array): void {
  try {
    parseJson(bytes, { mode: 'ecma' });
  } catch (err) {
    if (err instanceof JsonError && (err.reason === 'syntax' || err.reason === 'encoding')) {
      throw new VcError('READ_FAILED', `the ${type} is not JSON: ${err.message}`, {
        cause: err,
        hint: `--type ${type} expects a JSON document`,
      });
    }
  }
}

function errorsOnly(errors: Problem[]): Checked {
  return { errors, warnings: [] };
}

function toIssue(p: Problem): DocumentIssue {
  return { path: p.path ?? '$', message: p.message, code: p.code };
}
