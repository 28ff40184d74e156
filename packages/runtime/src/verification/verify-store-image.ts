// SPDX-License-Identifier: Apache-2.0
// 05 §4.2: the algorithm of 04 on a store image — layout `images/`, bundle and source manifest
// from `bundles/sha256-<hex>/`, trust store and requirements of 04 §1–§2, vulnerability database of
// 04 §6.5 — with the audit record (tool "vordr") and the decision cache of 04 §10.
import { join, resolve } from 'node:path';
import {
  isVcError,
  storePaths,
  VcError,
  type Clock,
  type Problem,
} from '@verified-container/shared';
import { refNameOf } from '@verified-container/shared/oci';
import { sha256Digest } from '@verified-container/shared/crypto';
import {
  auditRecord,
  debianPackagesOfSpdx,
  logQuorum,
  readTrustStoreForVerify,
  sbomOfBundle,
  debianSuiteOfSbom,
  verifyBundle,
  verifyCacheKey,
  vordrDecisionExitCode,
  type ImageEvidence,
  type VerifyInput,
  type VerifyMode,
  type VerifyResult,
} from '@verified-container/shared/verify';
import {
  findDescriptor,
  IMAGE_NOT_FOUND_HINT,
  parseVordrImageReference,
  readStoreImage,
  readStoreIndex,
  type ImageLayer,
  type StoreImage,
} from '../image/index.js';
import { appendAuditRecord } from './audit-log.js';
import { runCheckLines, verifyCheckLines, type CheckLine } from './check-lines.js';
import { readCachedResult, writeCachedResult } from './decision-cache.js';
import { checkLayerBlobs } from './layer-evidence.js';
import type { SbomEvidence } from './sbom-rootfs.js';
import {
  findVulnDb,
  readStoreBundle,
  readTrustStoreFile,
  trustStorePathOf,
  type StoreBundleFiles,
  type VulnDbInput,
} from './verify-inputs.js';

export interface VerifyImageOptions {
  /** $VC_ROOT */
  readonly root: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  /** --trust-store, else $VC_TRUST_STORE, else $VC_ROOT/keys/trust-store.json (absolute, or relative to the process's cwd) */
  readonly trustStore?: string;
  /** Default 'strict'. */
  readonly mode: VerifyMode;
  /** --now (disables the cache). */
  readonly now?: Date;
  readonly logQuorum?: number;
  readonly thresholdGroups?: readonly string[];
  readonly vulnDb?: string;
  readonly requireVulnDb?: boolean;
  readonly noCache?: boolean;
  /** --audit-log, else $VC_ROOT/audit/verify.jsonl. */
  readonly auditLog?: string;
}

export interface ImageVerification {
  /** The pure algorithm's result (decision, errors, …). */
  readonly result: VerifyResult;
  /** sha256:… */
  readonly imageDigest: string;
  /** vordr's exit code for this decision (04 §4 vordr column): 0 ALLOW/WARN/LOG, 1 REJECT, 2 MALFORMED_BUNDLE. */
  readonly exitCode: number;
  /** 05 §4.8 lines 1–3 (signature, provenance chain, SBOM) for `vordr run`. */
  readonly runChecks: readonly CheckLine[];
  /** The 04 §9 lines without the reproducibility line, for `vordr verify`. */
  readonly verifyChecks: readonly CheckLine[];
  readonly cached: boolean;
  /** For {@link checkSbomMatchesRootfs} once the rootfs is there (line 3 of 05 §4.8). */
  readonly sbom: SbomEvidence;
  /** The trust store's id and serial, for the header line of `vordr verify`. */
  readonly trustStore: { readonly id: string; readonly serial: number };
}

/**
 * Verifies a store image (already resolved by image/resolveImage, which checked its manifest and
 * config blobs) with its bundle and source manifest from $VC_ROOT/bundles/sha256-<hex>/, as
 * 05 §4.2 says; appends the audit record (tool "vordr"), uses and stores the cache. Setup errors
 * (trust store missing or invalid → hint `cerro-torre trust init`, unknown group, invalid
 * vulnerability database, audit write failure) are thrown as VcError (exit 125).
 */
export async function verifyStoreImage(
  image: StoreImage,
  opts: VerifyImageOptions,
): Promise<ImageVerification> {
  return verifyStoreLayout({ digest: image.digest, layers: image.layers, problems: [] }, opts);
}

/**
 * Resolves `text` in the store and verifies it like {@link verifyStoreImage}; an image whose
 * manifest or config blob is missing or damaged is not an error here but a decision
 * (MALFORMED_BUNDLE, audited). Not in the store → IMAGE_NOT_FOUND.
 */
export async function verifyStoreReference(
  text: string,
  opts: VerifyImageOptions,
): Promise<ImageVerification & { readonly ref: string | undefined }> {
  const { manifests } = await readStoreIndex(opts.root);
  const descriptor = findDescriptor(parseVordrImageReference(text), manifests);
  if (descriptor === undefined) {
    throw new VcError('IMAGE_NOT_FOUND', `image ${JSON.stringify(text)} is not in the store`, {
      hint: IMAGE_NOT_FOUND_HINT,
    });
  }
  const ref = refNameOf(descriptor);
  let image: StoreImage;
  try {
    image = await readStoreImage(opts.root, descriptor);
  } catch (err) {
    if (!isVcError(err) || err.code !== 'MALFORMED_BUNDLE') throw err;
    const problem: Problem = {
      code: 'MALFORMED_BUNDLE',
      path: '$',
      message: `the image store: ${err.message}`,
    };
    return {
      ...(await verifyStoreLayout(
        { digest: descriptor.digest, layers: [], problems: [problem] },
        opts,
      )),
      ref,
    };
  }
  return { ...(await verifyStoreImage(image, opts)), ref };
}

/** The image as verification sees it: D, the layers to hash, and problems already found. */
interface ImageUnderVerification {
  readonly digest: string;
  readonly layers: readonly Pick<ImageLayer, 'digest'>[];
  readonly problems: readonly Problem[];
}

/** A store image: bundle directory of the store, layer blobs of `images/` (stamps cached). */
async function verifyStoreLayout(
  image: ImageUnderVerification,
  opts: VerifyImageOptions,
): Promise<ImageVerification> {
  const v = await verifyImage(
    {
      digest: image.digest,
      files: () => readStoreBundle(opts.root, image.digest),
      evidence: (files, cacheDir) => storeEvidence(opts.root, image, files, cacheDir),
      cacheable: true,
    },
    opts,
  );
  return { ...v, imageDigest: image.digest };
}

/** Where one verification reads its bundle files and its step 1 / step 5 evidence. */
export interface VerificationSource {
  /** D when known before verifying (store images); the cache key needs it. */
  readonly digest: string | null;
  /** The bundle, manifest.toml and source manifest; read after the trust store. */
  readonly files: () => Promise<StoreBundleFiles>;
  /** Steps 1 and 5's layout part; `cacheDir` is `$VC_ROOT/cache/verify`. */
  readonly evidence: (files: StoreBundleFiles, cacheDir: string) => Promise<ImageEvidence>;
  /** Whether the decision cache may be used and written (store images only). */
  readonly cacheable: boolean;
}

/** {@link ImageVerification} whose D may be unknown (a package whose layout cannot be read). */
export type SourceVerification = Omit<ImageVerification, 'imageDigest'> & {
  readonly imageDigest: string | null;
};

/**
 * The algorithm of 04 on `source` with the trust store, requirements, vulnerability database,
 * audit record and (when `source.cacheable` and the evidence is intact) the decision cache.
 */
export async function verifyImage(
  source: VerificationSource,
  opts: VerifyImageOptions,
): Promise<SourceVerification> {
  const trustStoreBytes = await readTrustStoreFile(
    trustStorePathOf(opts.root, opts.env, opts.trustStore),
  );
  // Trust-store setup errors come before anything else is read (no decision, no audit record).
  const { store } = readTrustStoreForVerify(trustStoreBytes);
  const files = await source.files();
  const sbomDoc = files.bundleBytes !== undefined ? sbomOfBundle(files.bundleBytes) : undefined;
  const manifest = files.manifest;
  const gateRuns =
    opts.vulnDb !== undefined ||
    opts.requireVulnDb === true ||
    manifest?.requirements?.scanBeforeDeployment === true;
  const vulnDb = gateRuns
    ? await findVulnDb({
        root: opts.root,
        env: opts.env,
        flag: opts.vulnDb,
        suite: debianSuiteOfSbom(sbomDoc),
      })
    : undefined;
  const cacheDir = join(storePaths(opts.root).cache, 'verify');
  const evidence = await source.evidence(files, cacheDir);
  const now = opts.now ?? opts.clock.now();
  const input: VerifyInput = {
    bundleBytes: files.bundleBytes,
    trustStoreBytes,
    now,
    mode: opts.mode,
    ...(opts.logQuorum !== undefined ? { logQuorum: opts.logQuorum } : {}),
    ...(opts.thresholdGroups !== undefined ? { thresholdGroups: opts.thresholdGroups } : {}),
    ...(manifest !== undefined ? { manifestBytes: manifest.bytes } : {}),
    ...(manifest?.requirements !== undefined ? { requirements: manifest.requirements } : {}),
    ...(gateRuns
      ? { vulnerabilities: { db: vulnDb?.db, requireDb: opts.requireVulnDb === true } }
      : {}),
    image: evidence,
  };
  const { result, cached } = await decideWithCache(input, {
    opts,
    now,
    cacheDir,
    imageDigest: source.digest,
    manifestBytes: manifest?.bytes,
    vulnDb,
    useCache:
      source.cacheable &&
      source.digest !== null &&
      opts.now === undefined &&
      opts.noCache !== true &&
      evidenceIntact(evidence),
  });

  const m = manifest?.manifest;
  const signing = m?.attestations.signing.threshold;
  const manifestLogs = m?.attestations.transparency.logs.length ?? 0;
  const logCount = manifestLogs > 0 ? manifestLogs : Object.keys(store.logs).length;
  const groups = result.details.groups.flatMap((name) => {
    const g = store.thresholds[name];
    return g !== undefined ? [{ name, k: g.k, n: g.n }] : [];
  });
  const licenses = manifest?.requirements?.licenses;
  const verifyChecks = verifyCheckLines(result, {
    ...(signing !== undefined ? { signing: { k: signing.k, n: signing.n } } : {}),
    groups,
    logCount,
    manifestGiven: manifest !== undefined,
    licenseLists: (licenses?.allowed?.length ?? 0) + (licenses?.denied?.length ?? 0) > 0,
    ...(gateRuns
      ? {
          vulnerability: {
            maxSeverity: manifest?.requirements?.vulnerabilityPolicy?.maxSeverity ?? 'high',
            ...(vulnDb !== undefined
              ? { db: { name: dbName(vulnDb), digest: vulnDb.digest } }
              : {}),
          },
        }
      : {}),
  });
  const debPackages = sbomDoc !== undefined ? debianPackagesOfSpdx(sbomDoc) : null;
  const runChecks = runCheckLines(result, {
    threshold:
      signing !== undefined
        ? `${signing.k}-of-${signing.n}`
        : groups.length > 0
          ? groups.map((g) => `${g.k}-of-${g.n}`).join(', ')
          : undefined,
    logCount,
    sbomPackages: debPackages?.length,
  });
  return {
    result,
    imageDigest: source.digest ?? result.imageDigest,
    exitCode: vordrDecisionExitCode(result),
    runChecks,
    verifyChecks,
    cached,
    sbom: { packages: debPackages, line: runChecks[2]!, mode: opts.mode },
    trustStore: { id: store.id, serial: store.serial },
  };
}

/** Step 5's layout evidence: layer blobs hashed, D, and manifest.toml's image_digest. */
async function storeEvidence(
  root: string,
  image: ImageUnderVerification,
  files: StoreBundleFiles,
  cacheDir: string,
): Promise<ImageEvidence> {
  const layoutProblems = [
    ...image.problems,
    ...(await checkLayerBlobs(root, image.layers, cacheDir)),
  ];
  const packageImageDigest = files.metadata?.imageDigest;
  return {
    layoutProblems,
    layoutDigest: image.digest,
    ...(packageImageDigest !== undefined ? { packageImageDigest } : {}),
  };
}

/** No layout problem, and manifest.toml (if any) names this image: only then is a cached result used. */
function evidenceIntact(e: ImageEvidence): boolean {
  return (
    (e.layoutProblems ?? []).length === 0 &&
    (e.packageImageDigest === undefined || e.packageImageDigest === e.layoutDigest)
  );
}

/**
 * Uses a cached result when allowed and still valid, else runs the algorithm; appends the audit
 * record (failure: AUDIT_WRITE_FAILED, no decision); stores a fresh result.
 */
async function decideWithCache(
  input: VerifyInput,
  ctx: {
    readonly opts: VerifyImageOptions;
    readonly now: Date;
    readonly cacheDir: string;
    readonly imageDigest: string | null;
    readonly manifestBytes: Uint8Array | undefined;
    readonly vulnDb: VulnDbInput | undefined;
    readonly useCache: boolean;
  },
): Promise<{ result: VerifyResult; cached: boolean }> {
  const { opts } = ctx;
  const key = verifyCacheKey({
    imageDigest: ctx.imageDigest,
    bundleDigest: input.bundleBytes !== undefined ? sha256Digest(input.bundleBytes) : null,
    trustStoreDigest: sha256Digest(input.trustStoreBytes),
    manifestDigest: ctx.manifestBytes !== undefined ? sha256Digest(ctx.manifestBytes) : null,
    vulnDbDigest: ctx.vulnDb?.digest ?? null,
    mode: opts.mode,
    quorum: logQuorum(input),
    groups: opts.thresholdGroups ?? [],
    requireVulnDb: opts.requireVulnDb === true,
  });
  const hit = ctx.useCache ? await readCachedResult(ctx.cacheDir, key, ctx.now) : undefined;
  // Setup errors (unknown group) throw here, before any audit record.
  const result = hit ?? verifyBundle(input);
  await appendAuditRecord(
    resolve(opts.auditLog ?? storePaths(opts.root).audit),
    auditRecord({
      at: opts.clock.now(),
      tool: 'vordr',
      mode: opts.mode,
      result,
      cached: hit !== undefined,
    }),
  );
  if (ctx.useCache && hit === undefined)
    await writeCachedResult(ctx.cacheDir, key, ctx.now, result);
  return { result, cached: hit !== undefined };
}

function dbName(db: VulnDbInput): string {
  return db.path.split('/').at(-1) ?? db.path;
}
