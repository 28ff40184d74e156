// SPDX-License-Identifier: Apache-2.0
// Size limits of 01 §1.1.
import type { PathSegment } from '../json/index.js';
import type { CheckContext } from './check-context.js';
import { isTable, tableAt, valueAt, type TomlValue } from './tree.js';

export const MAX_STEPS = 1000;
export const MAX_PACKAGES = 5000;
export const MAX_EXTERNAL = 256;
/** Longest string value, in UTF-8 bytes (custom-policy and write-file content are exempt). */
export const MAX_STRING_BYTES = 64 * 1024;

const encoder = new TextEncoder();

export function checkLimits(ctx: CheckContext): void {
  const { root, report } = ctx;
  const steps = valueAt(root, ['build', 'steps']);
  if (Array.isArray(steps) && steps.length > MAX_STEPS) {
    report({
      code: 'MANIFEST_VALUE',
      path: ['build', 'steps'],
      message: `${steps.length} steps; at most ${MAX_STEPS} are allowed`,
    });
  }
  const packages = valueAt(root, ['dependencies', 'packages']);
  if (Array.isArray(packages) && packages.length > MAX_PACKAGES) {
    report({
      code: 'MANIFEST_VALUE',
      path: ['dependencies', 'packages'],
      message: `${packages.length} packages; at most ${MAX_PACKAGES} are allowed`,
    });
  }
  const external = tableAt(root, ['dependencies', 'external']);
  const count = external === undefined ? 0 : Object.keys(external).length;
  if (count > MAX_EXTERNAL) {
    report({
      code: 'MANIFEST_VALUE',
      path: ['dependencies', 'external'],
      message: `${count} external dependencies; at most ${MAX_EXTERNAL} are allowed`,
    });
  }
  walkStrings(root, [], (value, path) => {
    // Every UTF-16 unit is at most 3 UTF-8 bytes, so most strings need no encoding.
    if (value.length * 3 <= MAX_STRING_BYTES || isExempt(path)) return;
    const bytes = encoder.encode(value).length;
    if (bytes > MAX_STRING_BYTES) {
      report({
        code: 'MANIFEST_VALUE',
        path,
        message: `string of ${bytes} bytes; at most ${MAX_STRING_BYTES} (64 KiB) are allowed`,
      });
    }
  });
}

function isExempt(path: readonly PathSegment[]): boolean {
  const last = path[path.length - 1];
  if (
    path.length === 3 &&
    path[0] === 'security' &&
    path[1] === 'selinux' &&
    last === 'custom-policy'
  )
    return true;
  return (
    path.length === 4 &&
    path[0] === 'build' &&
    path[1] === 'steps' &&
    (last === 'content' || last === 'content-base64')
  );
}

function walkStrings(
  node: TomlValue,
  path: PathSegment[],
  visit: (value: string, path: PathSegment[]) => void,
): void {
  if (typeof node === 'string') visit(node, path);
  else if (Array.isArray(node)) node.forEach((item, i) => walkStrings(item, [...path, i], visit));
  else if (isTable(node))
    for (const key of Object.keys(node)) walkStrings(node[key] as TomlValue, [...path, key], visit);
}
