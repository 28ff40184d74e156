// SPDX-License-Identifier: Apache-2.0
// Signing, transparency logs, export and verification rules that span fields (01 §2.2).
import type { CheckContext } from './check-context.js';
import { stringAt, stringsAt, valueAt } from './tree.js';
import { parseThreshold } from './values.js';

export function checkTrust(ctx: CheckContext): void {
  const { root, report } = ctx;
  // Absent lists count as empty; lists of the wrong type are the schema's to report.
  const keyholderValue = valueAt(root, ['attestations', 'signing', 'keyholders']);
  const keyholders =
    keyholderValue === undefined ? [] : stringsAt(root, ['attestations', 'signing', 'keyholders']);
  checkThreshold(ctx, ['attestations', 'signing', 'threshold'], keyholders?.length, 'keyholders');

  const logs = valueAt(root, ['attestations', 'transparency', 'logs']);
  if (Array.isArray(logs)) {
    const names = new Set<string>();
    logs.forEach((log, i) => {
      const name = stringAt(log, ['name']);
      if (name !== undefined) {
        if (names.has(name)) {
          report({
            code: 'MANIFEST_VALUE',
            path: ['attestations', 'transparency', 'logs', i, 'name'],
            message: `duplicate log name ${JSON.stringify(name)}`,
          });
        }
        names.add(name);
      }
      const url = stringAt(log, ['url']);
      if (url !== undefined && isSigstoreUrl(url)) {
        report({
          code: 'MANIFEST_UNSUPPORTED_FEATURE',
          path: ['attestations', 'transparency', 'logs', i, 'url'],
          message: `Rekor (${url}) is not supported in this version; log ${JSON.stringify(name ?? i)} will count as unavailable`,
          hint: 'use a `cerro-torre log serve` or `file:` log',
        });
      }
    });
  }
  checkThreshold(
    ctx,
    ['attestations', 'transparency', 'threshold-agreement'],
    logs === undefined ? 0 : Array.isArray(logs) ? logs.length : undefined,
    'logs',
  );

  if (valueAt(root, ['export', 'ostree', 'enabled']) === true) {
    report({
      code: 'MANIFEST_UNSUPPORTED_FEATURE',
      path: ['export', 'ostree', 'enabled'],
      message: 'OSTree export is not supported in this version; the build skips it',
      hint: 'set enabled = false',
    });
  }

  const minimum = valueAt(root, ['verification', 'required-signatures', 'minimum']);
  const allowed =
    stringsAt(root, ['verification', 'required-signatures', 'allowed-keyholders']) ??
    keyholders ??
    [];
  if (typeof minimum === 'bigint' && minimum > BigInt(allowed.length)) {
    report({
      code: 'MANIFEST_VALUE',
      path: ['verification', 'required-signatures', 'minimum'],
      message: `minimum ${minimum} is more than the ${allowed.length} allowed keyholder(s)`,
    });
  }
}

/** A k-of-n field that is required, and whose n must match, when `count` items are listed. */
function checkThreshold(
  ctx: CheckContext,
  path: string[],
  count: number | undefined,
  what: string,
): void {
  const value = valueAt(ctx.root, path);
  if (count === undefined) return;
  if (value === undefined) {
    if (count > 0) {
      ctx.report({
        code: 'MANIFEST_MISSING_FIELD',
        path,
        message: `${path[path.length - 1] ?? 'threshold'} is required when ${what} are listed`,
        hint: `e.g. "${Math.min(2, count)}-of-${count}"`,
        missing: true,
      });
    }
    return;
  }
  if (typeof value !== 'string') return;
  const parsed = parseThreshold(value);
  if (typeof parsed !== 'string' && parsed.n !== count) {
    ctx.report({
      code: 'MANIFEST_VALUE',
      path,
      message: `${value} has n = ${parsed.n} but ${count} ${what} are listed`,
      hint:
        count === 0
          ? `list the ${what}, or remove the threshold`
          : `n must equal the number of ${what}: "${Math.min(parsed.k, count)}-of-${count}"`,
    });
  }
}

function isSigstoreUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const host = new URL(url).hostname.toLowerCase();
  return host === 'sigstore.dev' || host.endsWith('.sigstore.dev');
}
