// SPDX-License-Identifier: Apache-2.0
// `cerro-torre export` as a programmatic API (01 §8).
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { VcError } from '@verified-container/shared';
import { writePackageArchive } from '../build/package-archive.js';
import { silentProgress, type BuildProgress } from '../build/progress.js';
import { BUNDLE_PATH } from '../image-arg/image-bundle.js';
import { annotatedRef, imageEpoch } from '../image-arg/image-manifest-reader.js';
import { openImage, type ResolvedImage } from '../image-arg/open-image.js';
import { parseTaggedName } from '../store/image-reference.js';
import { packageMembers } from './ctp-export.js';
import { writeDockerArchive } from './docker-archive.js';
import { layoutMembers, ociLayoutPlan, writeLayoutDirectory } from './oci-export.js';
import {
  checkOutput,
  publishDirectory,
  publishFile,
  scratchDirectory,
  type OutputKind,
} from './output-target.js';
import { toSigstoreBundles, writeSigstoreBundles } from './sigstore-bundle.js';
import { writeTarFile } from './tar-file.js';

export const EXPORT_FORMATS = [
  'ctp',
  'oci',
  'oci-archive',
  'docker-archive',
  'sigstore-bundle',
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const DEFAULT_EXPORT_FORMAT: ExportFormat = 'ctp';

export interface ExportOptions {
  /** The image argument (01 §8): `name[:tag]`, `name@sha256:…`, a `.ctp`, `oci:<dir>[:<ref>]`. */
  readonly image: string;
  readonly format: ExportFormat;
  /** `--output`, relative to `cwd`. */
  readonly output: string;
  readonly cwd: string;
  /** `$VC_ROOT`. */
  readonly root: string;
  /** Where a `.ctp` argument is extracted (default: the OS temporary directory). */
  readonly tmpDir?: string;
}

export interface ExportDeps {
  /** Large blobs are reported here (stderr). */
  readonly progress?: BuildProgress;
}

export interface ExportResult {
  readonly format: ExportFormat;
  /** Absolute path of what was written. */
  readonly output: string;
  /** `name:tag` the export names the image by. */
  readonly ref: string;
  /** Image digest. */
  readonly digest: string;
  readonly layers: number;
  /** Whether the attestation bundle went along (always for ctp and sigstore-bundle; never for docker-archive). */
  readonly bundle: boolean;
  /** `sigstore-bundle`: the file names written into the output directory, in bundle order. */
  readonly files?: readonly string[];
}

/**
 * Writes an image in one of the export formats (01 §8). The output must not exist (an empty
 * directory is accepted for `oci`): FILE_EXISTS; it appears only once complete. Every blob is
 * checked against its digest on the way; tars follow 01 §6.3 with the image's epoch as mtime.
 * `sigstore-bundle` writes a directory of Sigstore bundles (02 §12): MISSING_ATTESTATION when the
 * image has no attestation bundle, INVALID_SIGNATURE when an attestation is unsigned.
 */
export async function exportImage(
  opts: ExportOptions,
  deps: ExportDeps = {},
): Promise<ExportResult> {
  const progress = deps.progress ?? silentProgress;
  const output = resolve(opts.cwd, opts.output);
  await checkOutput(output, outputKind(opts.format));
  await using image = await openImage(opts.image, {
    cwd: opts.cwd,
    root: opts.root,
    ...(opts.tmpDir !== undefined ? { tmpDir: opts.tmpDir } : {}),
  });
  const epoch = imageEpoch(image.manifest);
  const result = (ref: string, bundle: boolean): ExportResult => ({
    format: opts.format,
    output,
    ref,
    digest: image.descriptor.digest,
    layers: image.manifest.layers.length,
    bundle,
  });
  switch (opts.format) {
    case 'ctp': {
      const ref = exportRef(image, [annotatedRef(image.manifest), image.ref]);
      if (image.argument.kind === 'package') {
        const from = resolve(opts.cwd, image.argument.path);
        await publishFile(output, (tmp) => fs.copyFile(from, tmp));
        return result(ref, true);
      }
      const members = await packageMembers(image, ref, progress);
      await publishFile(output, (tmp) => writePackageArchive(tmp, members, epoch));
      return result(ref, true);
    }
    case 'oci':
    case 'oci-archive': {
      const ref = exportRef(image, [image.ref, annotatedRef(image.manifest)]);
      const bundle = await bundleBytes(image);
      const plan = ociLayoutPlan({
        ref,
        descriptor: image.descriptor,
        manifest: image.manifest,
        ...(bundle !== undefined ? { bundle } : {}),
      });
      if (opts.format === 'oci') {
        await publishDirectory(output, (dir) =>
          writeLayoutDirectory(dir, plan, image.blobs, progress),
        );
      } else {
        await publishFile(output, (tmp) =>
          writeTarFile(tmp, layoutMembers(plan, image.blobs, progress), epoch),
        );
      }
      return result(ref, bundle !== undefined);
    }
    case 'docker-archive': {
      const ref = exportRef(image, [image.ref, annotatedRef(image.manifest)]);
      await using scratch = await scratchDirectory(output);
      await publishFile(output, (tmp) =>
        writeDockerArchive(tmp, {
          repoTag: ref,
          manifest: image.manifest,
          blobs: image.blobs,
          scratchDir: scratch.dir,
          sourceDateEpoch: epoch,
          progress,
        }),
      );
      return result(ref, false);
    }
    case 'sigstore-bundle': {
      const ref = exportRef(image, [image.ref, annotatedRef(image.manifest)]);
      const bytes = await bundleBytes(image);
      if (bytes === undefined) {
        throw new VcError(
          'MISSING_ATTESTATION',
          `${image.argument.text} has no attestation bundle`,
          {
            hint: 'export an image built by cerro-torre build, or a .ctp that carries attestations/bundle.json',
          },
        );
      }
      const files = toSigstoreBundles(bytes, parseTaggedName(ref).name, image.argument.text);
      await publishDirectory(output, (dir) => writeSigstoreBundles(dir, files));
      return { ...result(ref, true), files: files.map((f) => f.fileName) };
    }
  }
}

function outputKind(format: ExportFormat): OutputKind {
  return format === 'oci' || format === 'sigstore-bundle' ? 'directory' : 'file';
}

/**
 * The first candidate that is a valid `name:tag`; none → INVALID_REFERENCE (an export names its
 * image, and a layout ref such as `latest` alone names no repository).
 */
function exportRef(image: ResolvedImage, candidates: readonly (string | undefined)[]): string {
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    try {
      const { name, tag } = parseTaggedName(candidate);
      return `${name}:${tag}`;
    } catch {
      // try the next one
    }
  }
  throw new VcError(
    'INVALID_REFERENCE',
    `${image.argument.text}: cannot name the image as name:tag (ref ${JSON.stringify(image.ref ?? '')}, no title/version annotations)`,
    { hint: 'give the layout ref as name:tag: oci:<dir>:<name:tag>' },
  );
}

async function bundleBytes(image: ResolvedImage): Promise<Uint8Array | undefined> {
  if (image.bundle === undefined || !image.bundle.paths.includes(BUNDLE_PATH)) return undefined;
  return image.bundle.read(BUNDLE_PATH);
}
