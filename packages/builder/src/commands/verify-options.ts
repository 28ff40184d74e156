// SPDX-License-Identifier: Apache-2.0
// What both forms of `cerro-torre verify` share (04 §8, §9): flag parsing, the trust store, the
// manifest and vulnerability database inputs, and the audited, cached decision (04 §10).
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { resolveStoreRoot, storePaths, VcError } from '@verified-container/shared';
import { sha256Digest } from '@verified-container/shared/crypto';
import type { Manifest, parseManifest } from '@verified-container/shared/manifest';
// The algorithm (./verify) is imported on a cache miss only; see loadVerify.
import type * as VerifyModule from '@verified-container/shared/verify';
import type { VulnDb } from '@verified-container/shared/verify';
import {
  auditRecord,
  logQuorum,
  parseLogQuorumFlag,
  parseVerifyMode,
  parseVerifyNow,
  requirementsFromManifest,
  verifyCacheKey,
  type VerifyInput,
  type VerifyMode,
  type VerifyRequirements,
  type VerifyResult,
} from '@verified-container/shared/verify/cache';
import type { CliDeps } from '../cli/deps.js';
import { readInputFile } from '../io/files.js';
import { appendAuditRecord } from './verify-audit-log.js';
import { readCachedResult, writeCachedResult } from './verify-cache.js';

/** The flags of `verify` (both forms). */
export interface VerifyFlags {
  bundle?: string;
  trustStore?: string;
  imageDigest?: string;
  mode?: string;
  now?: string;
  logQuorum?: string;
  thresholdGroup?: string[];
  manifest?: string;
  vulnDb?: string;
  requireVulnDb?: boolean;
  auditLog?: string;
  cache?: boolean;
  rebuild?: boolean;
  context?: string;
  offline?: boolean;
  json?: boolean;
}

/** The flag values both forms check before reading anything. */
export interface CommonVerifyOptions {
  readonly mode: VerifyMode;
  /** `--now`; undefined: the clock. */
  readonly explicitNow: Date | undefined;
  readonly quorum: number | undefined;
  readonly imageDigest: string | undefined;
  readonly root: string;
  readonly trustStorePath: string;
}

export function commonVerifyOptions(flags: VerifyFlags, deps: CliDeps): CommonVerifyOptions {
  const root = resolveStoreRoot(deps);
  return {
    mode: parseVerifyMode(flags.mode),
    explicitNow: flags.now !== undefined ? parseVerifyNow(flags.now) : undefined,
    quorum: flags.logQuorum !== undefined ? parseLogQuorumFlag(flags.logQuorum) : undefined,
    imageDigest: flags.imageDigest !== undefined ? parseDigest(flags.imageDigest) : undefined,
    root,
    trustStorePath: resolve(
      deps.cwd,
      flags.trustStore ?? nonEmpty(deps.env['VC_TRUST_STORE']) ?? storePaths(root).trustStore,
    ),
  };
}

/** A manifest as verification uses it: its bytes, and what it requires when it parses. */
export interface ManifestInput {
  readonly bytes: Uint8Array;
  readonly manifest: Manifest | undefined;
  readonly requirements: VerifyRequirements | undefined;
}

/**
 * The manifest parser (zod schemas, TOML), loaded only when a manifest is read: most
 * verifications have none, and importing it costs tens of milliseconds per process.
 */
function loadManifestParser(): Promise<{ parseManifest: typeof parseManifest }> {
  return import('@verified-container/shared/manifest');
}

/**
 * The verification algorithm and the vulnerability-database parser, loaded when needed: a
 * verification answered from the result cache needs neither (~30 ms of module loading).
 */
function loadVerify(): Promise<typeof VerifyModule> {
  return import('@verified-container/shared/verify');
}

/** `--manifest F`: must be a valid manifest (USAGE otherwise). */
export async function readManifestFlag(path: string): Promise<ManifestInput> {
  const bytes = await readInputFile(path, { what: 'manifest' });
  const { parseManifest } = await loadManifestParser();
  const parsed = parseManifest(bytes, { source: path });
  if (parsed.manifest === undefined) {
    const first = parsed.diagnostics.find((d) => d.severity === 'error');
    throw new VcError(
      'USAGE',
      `--manifest ${path} is not a valid manifest: ${first?.message ?? 'invalid'}`,
      { hint: `see cerro-torre validate ${path}` },
    );
  }
  return {
    bytes,
    manifest: parsed.manifest,
    requirements: requirementsFromManifest(parsed.manifest),
  };
}

/**
 * A manifest found in a package or store bundle: its digest is always checked against the
 * provenance; its requirements apply only when it parses.
 */
export async function manifestFromPackage(
  bytes: Uint8Array,
  source: string,
): Promise<ManifestInput> {
  const { parseManifest } = await loadManifestParser();
  const parsed = parseManifest(bytes, { source });
  return {
    bytes,
    manifest: parsed.manifest,
    requirements:
      parsed.manifest !== undefined ? requirementsFromManifest(parsed.manifest) : undefined,
  };
}

/** The vulnerability database of 04 §6.5, when the gate runs and one is configured. */
export interface VulnDbInput {
  readonly path: string;
  readonly db: VulnDb;
  readonly digest: string;
}

/**
 * Whether the vulnerability gate runs, and its database, first found (04 §6.5): `--vuln-db`, else
 * `$VC_VULN_DB`, else `$VC_ROOT/vulndb/<suite>` with the suite of the bundle's SBOM (`bookworm`).
 */
export async function vulnerabilityGate(
  flags: VerifyFlags,
  manifest: ManifestInput | undefined,
  deps: CliDeps,
  bundleBytes: Uint8Array | undefined,
): Promise<{ runs: boolean; db: VulnDbInput | undefined }> {
  const runs =
    flags.vulnDb !== undefined ||
    flags.requireVulnDb === true ||
    manifest?.requirements?.scanBeforeDeployment === true;
  if (!runs) return { runs, db: undefined };
  const given = flags.vulnDb ?? nonEmpty(deps.env['VC_VULN_DB']);
  if (given !== undefined) {
    const full = resolve(deps.cwd, given);
    return { runs, db: { path: full, ...(await readVulnDb(full)) } };
  }
  if (bundleBytes === undefined) return { runs, db: undefined };
  const { debianSuiteOfSbom, sbomOfBundle } = await loadVerify();
  const suite = debianSuiteOfSbom(sbomOfBundle(bundleBytes));
  if (suite === undefined) return { runs, db: undefined };
  const path = join(resolveStoreRoot(deps), 'vulndb', suite);
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  return { runs, db: isFile ? { path, ...(await readVulnDb(path)) } : undefined };
}

/** Reads a debsecan database: zlib (RFC 1950) of UTF-8 text (04 §6.5). */
async function readVulnDb(path: string): Promise<{ db: VulnDb; digest: string }> {
  const bytes = await readInputFile(path, { what: 'vulnerability database' });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(inflateSync(bytes));
  } catch (cause) {
    throw new VcError(
      'VULNERABILITY_DB_INVALID',
      `${path} is not a zlib-compressed UTF-8 debsecan database: ${(cause as Error).message}`,
      { cause },
    );
  }
  const { parseVulnDb } = await loadVerify();
  return { db: parseVulnDb(text), digest: sha256Digest(bytes) };
}

/** The inputs of {@link decide} beyond the pure algorithm's. */
export interface DecideOptions {
  readonly flags: VerifyFlags;
  readonly common: CommonVerifyOptions;
  readonly now: Date;
  readonly manifest: ManifestInput | undefined;
  readonly vulnDb: VulnDbInput | undefined;
  /** The image digest of the cache key (the layout's D, or `--image-digest`). */
  readonly imageDigest: string | null;
  /** Whether a cached result may be used and stored (04 §10: not with --now, --rebuild, --no-cache). */
  readonly useCache: boolean;
}

/**
 * Runs `compute` unless a cached result is valid, appends the audit record (a failure is
 * AUDIT_WRITE_FAILED: no decision), and stores a fresh result in the cache.
 */
export async function decide(
  input: VerifyInput,
  opts: DecideOptions,
  deps: CliDeps,
  compute: (input: VerifyInput) => Promise<VerifyResult> = async (i) =>
    (await loadVerify()).verifyBundle(i),
): Promise<{ result: VerifyResult; cached: boolean }> {
  const { flags, common, now } = opts;
  const cacheDir = `${storePaths(common.root).cache}/verify`;
  const cacheKey = verifyCacheKey({
    imageDigest: opts.imageDigest,
    bundleDigest: input.bundleBytes !== undefined ? sha256Digest(input.bundleBytes) : null,
    trustStoreDigest: sha256Digest(input.trustStoreBytes),
    manifestDigest: opts.manifest !== undefined ? sha256Digest(opts.manifest.bytes) : null,
    vulnDbDigest: opts.vulnDb?.digest ?? null,
    mode: common.mode,
    quorum: logQuorum(input),
    groups: flags.thresholdGroup ?? [],
    requireVulnDb: flags.requireVulnDb === true,
  });
  const cached = opts.useCache ? await readCachedResult(cacheDir, cacheKey, now) : undefined;
  const result = cached ?? (await compute(input));
  await appendAuditRecord(
    resolve(deps.cwd, flags.auditLog ?? storePaths(common.root).audit),
    auditRecord({
      at: deps.clock.now(),
      tool: 'cerro-torre',
      mode: common.mode,
      result,
      cached: cached !== undefined,
    }),
  );
  if (opts.useCache && cached === undefined) {
    await writeCachedResult(cacheDir, cacheKey, now, result);
  }
  return { result, cached: cached !== undefined };
}

/** The pure algorithm's input from what both forms read. */
export function verifyInputOf(fields: {
  readonly bundleBytes: Uint8Array | undefined;
  readonly trustStoreBytes: Uint8Array;
  readonly now: Date;
  readonly common: CommonVerifyOptions;
  readonly flags: VerifyFlags;
  readonly manifest: ManifestInput | undefined;
  readonly vulnerabilities: { runs: boolean; db: VulnDbInput | undefined };
}): VerifyInput {
  const { common, flags, manifest } = fields;
  return {
    bundleBytes: fields.bundleBytes,
    trustStoreBytes: fields.trustStoreBytes,
    now: fields.now,
    mode: common.mode,
    ...(common.quorum !== undefined ? { logQuorum: common.quorum } : {}),
    ...(flags.thresholdGroup !== undefined ? { thresholdGroups: flags.thresholdGroup } : {}),
    ...(common.imageDigest !== undefined ? { imageDigest: common.imageDigest } : {}),
    ...(manifest !== undefined ? { manifestBytes: manifest.bytes } : {}),
    ...(manifest?.requirements !== undefined ? { requirements: manifest.requirements } : {}),
    ...(fields.vulnerabilities.runs
      ? {
          vulnerabilities: {
            db: fields.vulnerabilities.db?.db,
            requireDb: flags.requireVulnDb === true,
          },
        }
      : {}),
  };
}

function parseDigest(text: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(text)) {
    throw new VcError(
      'USAGE',
      `--image-digest must be sha256:<64 lowercase hex>, not ${JSON.stringify(text)}`,
    );
  }
  return text;
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
