// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import type { ContentStore } from '../content/content-store.js';
import type { ArchiveEntry, ArchiveFormat } from './archive-entry.js';
import { detectArchiveFormat, MAGIC_BYTES } from './archive-format.js';
import { mergeStaged, stageArchive } from './archive-stage.js';
import { DEFAULT_ARCHIVE_LIMITS, type StepEnv, type StepOf } from './step-context.js';
import { readTar } from './tar-reader.js';
import { readZip } from './zip-reader.js';

/**
 * `extract`: unpacks a rootfs archive (tar, tar.gz, tar.xz or zip; by `format`, else by name,
 * else by magic) into `dest` (created), members owned 0:0 with their mode bits (`& 07777`),
 * after dropping `stripComponents` leading name components. All members are staged and checked
 * first (safety rule 3); on any failure the rootfs is left as it was. `removeArchive` removes
 * the archive afterwards.
 */
export async function runExtract(step: StepOf<'extract'>, env: StepEnv): Promise<void> {
  const { rootfs } = env;
  const archive = rootfs.lookup(step.archive);
  if (archive?.type !== 'f') {
    throw new VcError('BUILD_STEP_FAILED', `${step.archive} is not a regular file in the rootfs`);
  }
  const dest = rootfs.resolve(step.dest);
  const destEntry = rootfs.get(dest);
  if (destEntry !== undefined && destEntry.type !== 'd') {
    throw new VcError('BUILD_STEP_FAILED', `${step.dest} is not a directory`);
  }
  const format =
    step.format ??
    detectArchiveFormat(step.archive, await readHead(rootfs.content, archive.digest));
  if (format === undefined) {
    throw new VcError('BUILD_STEP_FAILED', `${step.archive}: unknown archive format`, {
      hint: 'set format = "tar", "tar.gz", "tar.xz" or "zip"',
    });
  }
  const staged = await stageArchive(openArchive(format, archive.digest, step.archive, env), {
    rootfs,
    dest,
    stripComponents: step.stripComponents,
    limits: env.archiveLimits ?? DEFAULT_ARCHIVE_LIMITS,
    archive: step.archive,
  });
  mergeStaged(rootfs, dest, staged, `steps[${env.index}]`);
  if (step.removeArchive) rootfs.remove(rootfs.resolve(step.archive, { followFinal: false }));
  env.log.debug({ archive: step.archive, format, dest, entries: staged.size }, 'extracted');
}

function openArchive(
  format: ArchiveFormat,
  digest: string,
  name: string,
  env: StepEnv,
): AsyncIterable<ArchiveEntry> {
  const { content } = env.rootfs;
  switch (format) {
    case 'zip':
      return readZip(content.pathOf(digest), name);
    case 'tar':
    case 'tar.gz':
    case 'tar.xz':
      return readTar(content.open(digest), format, env.exec, name);
  }
}

/** The first {@link MAGIC_BYTES} bytes (fewer for a shorter file). */
async function readHead(content: ContentStore, digest: string): Promise<Uint8Array> {
  const stream = content.open(digest);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= MAGIC_BYTES) break;
    }
  } finally {
    stream.destroy();
  }
  return new Uint8Array(Buffer.concat(chunks).subarray(0, MAGIC_BYTES));
}
