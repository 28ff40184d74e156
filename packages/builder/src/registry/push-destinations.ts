// SPDX-License-Identifier: Apache-2.0
// Where `push` writes (01 §8): the destinations given, else `[export.oci] registry` × (version +
// `[export.oci] tags`) of the manifest the image was built from (kept in its bundle directory).
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { parseManifest, type Manifest } from '@verified-container/shared/manifest';
import { readInputFile } from '../io/files.js';
import {
  parseDestination,
  parseRegistryReference,
  type RegistryReference,
} from '@verified-container/host/registry';

const USAGE_HINT =
  'name a destination, e.g. cerro-torre push example/hello:1.0 localhost:5000/example/hello:1.0, ' +
  'or set [export.oci] registry in the manifest';

/** Parses the destination arguments; a bad one, or one with a digest, is USAGE. */
export function parseDestinations(args: readonly string[]): RegistryReference[] {
  return args.map((arg) => parseDestination(arg, USAGE_HINT));
}

/**
 * The default destinations of a manifest: `[export.oci] registry` with the version and every
 * `[export.oci] tags` entry, deduplicated. USAGE when the manifest names no registry. Pure.
 */
export function defaultDestinations(manifest: Manifest, source: string): RegistryReference[] {
  const registry = manifest.export.oci.registry;
  if (registry === undefined) {
    throw new VcError('USAGE', `no destination given and ${source} has no [export.oci] registry`, {
      hint: USAGE_HINT,
    });
  }
  const tags = [...new Set([manifest.package.version, ...manifest.export.oci.tags])];
  return tags.map((tag) => {
    try {
      return parseRegistryReference(`${registry}:${tag}`, `[export.oci] registry of ${source}`);
    } catch (err) {
      if (err instanceof VcError) throw new VcError('USAGE', err.message, { hint: USAGE_HINT });
      throw err;
    }
  });
}

/**
 * The manifest an image was built from: the one `source/<n>.ctp` of its bundle directory
 * (02 §3). STATE_CORRUPT when it is missing or no longer parses.
 */
export async function readBundleManifest(
  bundleDir: string,
): Promise<{ manifest: Manifest; path: string }> {
  const sourceDir = join(bundleDir, 'source');
  let names: string[];
  try {
    names = (await fs.readdir(sourceDir)).filter((n) => n.endsWith('.ctp'));
  } catch (cause) {
    throw new VcError('STATE_CORRUPT', `cannot read ${sourceDir}`, {
      cause,
      hint: 'rebuild the image, or name the destination on the command line',
    });
  }
  if (names.length !== 1) {
    throw new VcError(
      'STATE_CORRUPT',
      `${sourceDir} holds ${names.length} manifests (.ctp), expected one`,
      { hint: 'rebuild the image, or name the destination on the command line' },
    );
  }
  const path = join(sourceDir, names[0]!);
  const bytes = await readInputFile(path, { what: 'source manifest' });
  const result = parseManifest(bytes, { source: path });
  if (!result.ok || result.manifest === undefined) {
    throw new VcError('STATE_CORRUPT', `the source manifest ${path} does not validate`, {
      hint: 'rebuild the image, or name the destination on the command line',
    });
  }
  return { manifest: result.manifest, path };
}
