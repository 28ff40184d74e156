// SPDX-License-Identifier: Apache-2.0
// The build-context files a manifest's steps read, hashed before anything runs (01 §6.4: the steps
// layer key covers "the hashes of every fetched, context and composer input").
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ManifestStep } from '@verified-container/shared/manifest';
import { ContextDir } from './context-dir.js';

/** Context paths the steps read: `copy` from the context, `fetch` of `file:`, composer path repos. */
export function contextPathsOf(steps: readonly ManifestStep[]): string[] {
  const paths = new Set<string>();
  for (const step of steps) {
    if (step.action === 'copy' && step.from === 'context') paths.add(step.src);
    if (step.action === 'fetch' && step.url.startsWith('file:')) paths.add(step.url.slice(5));
    if (step.action === 'composer-require') {
      for (const repo of step.repositories) if (repo.type === 'path') paths.add(repo.url);
    }
  }
  return [...paths].sort();
}

/**
 * True when a step's result depends on more than the manifest and the context: a composer step
 * that may reach packagist or a `composer` repository. Such steps always run.
 */
export function stepsReachNetwork(steps: readonly ManifestStep[]): boolean {
  return steps.some(
    (s) =>
      s.action === 'composer-require' &&
      (s.packagist || s.repositories.some((r) => r.type === 'composer')),
  );
}

/**
 * `sha256:` over every file and directory under the paths (context-relative path, type, whether
 * executable, content sha256), or null when the steps read no context. Context rules apply (a
 * symlink out of the context → BUILD_PATH_ESCAPE), so a bad context fails here, before any work.
 */
export async function contextInputsDigest(
  contextDir: string,
  paths: readonly string[],
): Promise<string | null> {
  if (paths.length === 0) return null;
  const context = new ContextDir(contextDir);
  const rows: string[] = [];
  for (const path of paths) {
    for (const item of await context.walk(path)) {
      const digest = item.type === 'f' ? await fileSha256(item.hostPath) : '';
      rows.push(`${item.path}\0${item.type}\0${item.mode & 0o111 ? 'x' : '-'}\0${digest}`);
    }
  }
  return `sha256:${createHash('sha256').update(rows.join('\n')).digest('hex')}`;
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
