// SPDX-License-Identifier: Apache-2.0
// The files verification reads for a store image (04 §1, 05 §4.2): the trust store, the store
// bundle directory `bundles/sha256-<hex>/` (bundle, manifest.toml, source manifest) and the
// vulnerability database (04 §6.5).
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { storePaths, VcError } from '@verified-container/shared';
import { sha256Digest } from '@verified-container/shared/crypto';
import { parseManifest, type Manifest } from '@verified-container/shared/manifest';
import {
  parseVulnDb,
  readPackageMetadata,
  requirementsFromManifest,
  type PackageMetadata,
  type VerifyRequirements,
  type VulnDb,
} from '@verified-container/shared/verify';

/** The hint of every trust-store setup error (05 §4.2). */
export const TRUST_STORE_HINT =
  'create one with cerro-torre trust init (or pass --trust-store FILE / set VC_TRUST_STORE)';

/** `--trust-store`, else `$VC_TRUST_STORE`, else `$VC_ROOT/keys/trust-store.json` (04 §1). */
export function trustStorePathOf(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
  flag: string | undefined,
): string {
  return resolve(flag ?? nonEmpty(env['VC_TRUST_STORE']) ?? storePaths(root).trustStore);
}

/** The trust store's bytes; missing or unreadable → TRUST_STORE_INVALID with the hint (exit 125). */
export async function readTrustStoreFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new VcError(
      'TRUST_STORE_INVALID',
      missing ? `no trust store at ${path}` : `cannot read the trust store ${path}`,
      { cause, hint: TRUST_STORE_HINT },
    );
  }
}

/** What the store keeps next to an image (02 §2 `bundles/sha256-<hex>/`). */
export interface StoreBundleFiles {
  readonly dir: string;
  /** `attestations/bundle.json`; undefined when absent (step 2: MISSING_ATTESTATION). */
  readonly bundleBytes: Uint8Array | undefined;
  /** `manifest.toml`'s name, version and image_digest; undefined when absent. */
  readonly metadata: PackageMetadata | undefined;
  /** `source/<n>.ctp` (by the package name, else the only one). */
  readonly manifest: ManifestInput | undefined;
}

/** A source manifest as verification uses it: its bytes and, when it parses, its requirements. */
export interface ManifestInput {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly manifest: Manifest | undefined;
  readonly requirements: VerifyRequirements | undefined;
}

/** The bundle directory of the image `digest`: `$VC_ROOT/bundles/sha256-<hex>/`. */
export function storeBundleDir(root: string, digest: string): string {
  return join(storePaths(root).bundles, `sha256-${digest.replace(/^sha256:/, '')}`);
}

/** Reads the store bundle directory of an image; every member is optional. */
export async function readStoreBundle(root: string, digest: string): Promise<StoreBundleFiles> {
  return readBundleDir(storeBundleDir(root, digest));
}

/**
 * Reads a bundle directory laid out as a package (02 §3: `attestations/bundle.json`,
 * `manifest.toml`, `source/<n>.ctp`) — a store bundle directory or an extracted `.ctp`; every
 * member is optional.
 */
export async function readBundleDir(dir: string): Promise<StoreBundleFiles> {
  const bundleBytes = await readOptional(join(dir, 'attestations', 'bundle.json'));
  const metadataBytes = await readOptional(join(dir, 'manifest.toml'));
  const metadata = metadataBytes !== undefined ? readPackageMetadata(metadataBytes) : undefined;
  const sources = await fs
    .readdir(join(dir, 'source'), { withFileTypes: true })
    .then((ents) => ents.filter((e) => e.isFile() && e.name.endsWith('.ctp')).map((e) => e.name))
    .catch(() => [] as string[]);
  const named = metadata?.name !== undefined ? `${metadata.name.replaceAll('/', '_')}.ctp` : '';
  const file = sources.includes(named) ? named : sources.length === 1 ? sources[0] : undefined;
  let manifest: ManifestInput | undefined;
  if (file !== undefined) {
    const path = join(dir, 'source', file);
    const bytes = await readOptional(path);
    if (bytes !== undefined) {
      const parsed = parseManifest(bytes, { source: `source/${file}` });
      manifest = {
        path,
        bytes,
        manifest: parsed.manifest,
        requirements:
          parsed.manifest !== undefined ? requirementsFromManifest(parsed.manifest) : undefined,
      };
    }
  }
  return { dir, bundleBytes, metadata, manifest };
}

/** A vulnerability database read for the gate (04 §6.5). */
export interface VulnDbInput {
  readonly path: string;
  readonly db: VulnDb;
  readonly digest: string;
}

/**
 * The database file of 04 §6.5, first found: `--vuln-db`, `$VC_VULN_DB`, `$VC_ROOT/vulndb/<suite>`
 * (suite from the SBOM's Debian operating-system version). Undefined when none exists; a given
 * file that cannot be read or is not a zlib'd UTF-8 debsecan database → VULNERABILITY_DB_INVALID.
 */
export async function findVulnDb(fields: {
  readonly root: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly flag: string | undefined;
  /** The image's Debian suite ({@link debianSuiteOfSbom}), when its SBOM names one. */
  readonly suite: string | undefined;
}): Promise<VulnDbInput | undefined> {
  const given = fields.flag ?? nonEmpty(fields.env['VC_VULN_DB']);
  if (given !== undefined) return readVulnDb(resolve(given));
  const suite = fields.suite;
  if (suite === undefined) return undefined;
  const path = join(fields.root, 'vulndb', suite);
  const exists = await fs.stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  return exists ? readVulnDb(path) : undefined;
}

async function readVulnDb(path: string): Promise<VulnDbInput> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(path));
  } catch (cause) {
    throw new VcError(
      'VULNERABILITY_DB_INVALID',
      `cannot read the vulnerability database ${path}`,
      {
        cause,
      },
    );
  }
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
  return { path, db: parseVulnDb(text), digest: sha256Digest(bytes) };
}

async function readOptional(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new VcError('READ_FAILED', `cannot read ${path}`, { cause });
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
