// SPDX-License-Identifier: Apache-2.0
// Step rules that involve more than one field or step (01 §3).
import type { CheckContext } from './check-context.js';
import { childOf, isTable, stringAt, valueAt, type TomlValue } from './tree.js';
import {
  checkHash,
  contextPathProblem,
  fileNameOf,
  httpUrlProblem,
  rootfsPathProblem,
} from './values.js';

export function checkSteps(ctx: CheckContext): void {
  const steps = valueAt(ctx.root, ['build', 'steps']);
  if (!Array.isArray(steps)) return;
  steps.forEach((step, i) => {
    if (!isTable(step)) return;
    const action = childOf(step, 'action');
    if (typeof action !== 'string') return;
    const at = (key: string): ['build', 'steps', number, string] => ['build', 'steps', i, key];
    switch (action) {
      case 'fetch':
        checkFetch(ctx, i, step, steps[i + 1]);
        break;
      case 'verify-hash':
        hashField(ctx, step, at('hash'), stringAt(step, ['file']));
        break;
      case 'copy': {
        const src = stringAt(step, ['src']);
        if (src === undefined) break;
        const from = stringAt(step, ['from']) ?? (src.startsWith('/') ? 'rootfs' : 'context');
        const problem = from === 'rootfs' ? rootfsPathProblem(src, true) : contextPathProblem(src);
        if (problem !== undefined) {
          ctx.report({
            code: 'MANIFEST_PATH',
            path: at('src'),
            message: `src (${from} path) ${problem}`,
          });
        }
        break;
      }
      case 'write-file': {
        const has = (k: string): boolean => childOf(step, k) !== undefined;
        if (!has('content') && !has('content-base64')) {
          ctx.report({
            code: 'MANIFEST_MISSING_FIELD',
            path: at('content'),
            message: 'write-file needs content or content-base64',
            missing: true,
          });
        } else if (has('content') && has('content-base64')) {
          ctx.report({
            code: 'MANIFEST_VALUE',
            path: at('content-base64'),
            message: 'give either content or content-base64, not both',
          });
        }
        break;
      }
      case 'chown':
        if (childOf(step, 'user') === undefined && childOf(step, 'group') === undefined) {
          ctx.report({
            code: 'MANIFEST_MISSING_FIELD',
            path: at('user'),
            message: 'chown needs user, group or both',
            missing: true,
          });
        }
        break;
      case 'composer-require':
        checkRepositories(ctx, i, childOf(step, 'repositories'));
        break;
      default:
        break;
    }
  });
}

function hashField(
  ctx: CheckContext,
  step: TomlValue,
  path: (string | number)[],
  file: string | undefined,
): void {
  const hash = stringAt(step, ['hash']);
  const problem =
    hash === undefined
      ? undefined
      : checkHash(hash, file === undefined ? undefined : fileNameOf(file));
  if (problem !== undefined) ctx.report({ ...problem, path });
}

function checkFetch(
  ctx: CheckContext,
  i: number,
  step: TomlValue,
  next: TomlValue | undefined,
): void {
  const url = stringAt(step, ['url']);
  if (childOf(step, 'hash') !== undefined) {
    hashField(ctx, step, ['build', 'steps', i, 'hash'], url);
    return;
  }
  const dest = stringAt(step, ['dest']);
  const verified =
    dest !== undefined &&
    childOf(next, 'action') === 'verify-hash' &&
    stringAt(next ?? {}, ['file']) === dest;
  if (!verified) {
    ctx.report({
      code: 'MANIFEST_FETCH_UNVERIFIED',
      path: ['build', 'steps', i],
      message: `fetch of ${url ?? 'its url'} has no hash and the next step does not verify ${dest ?? 'its dest'}`,
      hint: `add hash = "sha256:…" to the step, or follow it with { action = "verify-hash", file = ${JSON.stringify(dest ?? '…')}, hash = "sha256:…" }`,
    });
  }
}

function checkRepositories(
  ctx: CheckContext,
  i: number,
  repositories: TomlValue | undefined,
): void {
  if (!Array.isArray(repositories)) return;
  repositories.forEach((repo, j) => {
    const type = stringAt(repo, ['type']);
    const url = stringAt(repo, ['url']);
    if (url === undefined) return;
    const path = ['build', 'steps', i, 'repositories', j, 'url'];
    if (type === 'path') {
      const problem = contextPathProblem(url);
      if (problem !== undefined)
        ctx.report({ code: 'MANIFEST_PATH', path, message: `path repository url ${problem}` });
    } else if (type === 'composer') {
      const problem = httpUrlProblem(url);
      if (problem !== undefined)
        ctx.report({ code: 'MANIFEST_VALUE', path, message: `composer repository url ${problem}` });
    }
  });
}
