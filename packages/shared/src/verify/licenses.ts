// SPDX-License-Identifier: Apache-2.0
import { childPath, isJsonObject } from '../attestation/check-helpers.js';
import { parseLicenseExpression, type LicenseExpression } from '../attestation/sbom-license.js';
import type { Problem } from '../errors.js';
import type { LicensePolicy } from './types.js';

/**
 * The licence gate of 04 §6.3 over one SPDX document (as parsed): every package but the
 * OPERATING_SYSTEM one, on `licenseDeclared`. One `LICENSE_DENIED` problem per offending package,
 * naming it, its version and the expression. `sbomPath` is the document's JSONPath.
 */
export function checkLicenses(sbom: unknown, policy: LicensePolicy, sbomPath: string): Problem[] {
  const allowed = policy.allowed ?? [];
  const denied = policy.denied ?? [];
  if (allowed.length === 0 && denied.length === 0) return [];
  const packages = isJsonObject(sbom) && Array.isArray(sbom.packages) ? sbom.packages : [];
  const problems: Problem[] = [];
  packages.forEach((pkg: unknown, i) => {
    if (!isJsonObject(pkg) || pkg.primaryPackagePurpose === 'OPERATING_SYSTEM') return;
    const declared = pkg.licenseDeclared;
    if (typeof declared !== 'string') return;
    const verdict = judge(declared, allowed, denied);
    if (verdict === undefined) return;
    const name = typeof pkg.name === 'string' ? pkg.name : `packages[${i}]`;
    const version = typeof pkg.versionInfo === 'string' ? ` ${pkg.versionInfo}` : '';
    problems.push({
      code: 'LICENSE_DENIED',
      path: childPath(sbomPath, 'packages', i, 'licenseDeclared'),
      message: `${name}${version} is licensed ${declared}, which ${verdict}`,
    });
  });
  return problems;
}

/** Why the expression fails the policy, or undefined when it passes. */
function judge(
  declared: string,
  allowed: readonly string[],
  denied: readonly string[],
): string | undefined {
  if (declared === 'NOASSERTION' || declared === 'NONE') {
    return declared === 'NOASSERTION' && denied.some((e) => matches('NOASSERTION', e))
      ? 'is denied (unknown)'
      : undefined;
  }
  const parsed = parseLicenseExpression(declared);
  if (!parsed.ok) return `cannot be read (${parsed.error})`;
  const hit = ids(parsed.expression).find((id) => denied.some((e) => matches(id, e)));
  if (hit !== undefined) return `uses denied licence ${hit}`;
  if (allowed.length > 0 && !satisfiable(parsed.expression, allowed)) {
    return 'is not satisfiable with the allowed licences';
  }
  return undefined;
}

/** A list entry E matches id L (04 §6.3): equal, or `LicenseRef-`+E, ignoring case; keywords. */
function matches(id: string, entry: string): boolean {
  const l = id.toLowerCase();
  const e = entry.toLowerCase();
  if (e === 'unknown') return l === 'noassertion';
  if (e === 'proprietary') return l === 'licenseref-proprietary';
  return l === e || l === `licenseref-${e}`;
}

function leafId(expression: LicenseExpression & { kind: 'license' | 'license-ref' }): string {
  if (expression.kind === 'license') return expression.id;
  return expression.id.startsWith('LicenseRef-') ? expression.id : `LicenseRef-${expression.id}`;
}

function ids(expression: LicenseExpression): string[] {
  switch (expression.kind) {
    case 'license':
    case 'license-ref':
      return [leafId(expression)];
    case 'with':
      return ids(expression.license);
    case 'and':
    case 'or':
      return [...ids(expression.left), ...ids(expression.right)];
  }
}

function satisfiable(expression: LicenseExpression, allowed: readonly string[]): boolean {
  switch (expression.kind) {
    case 'license':
    case 'license-ref':
      return allowed.some((e) => matches(leafId(expression), e));
    case 'with':
      return satisfiable(expression.license, allowed);
    case 'and':
      return satisfiable(expression.left, allowed) && satisfiable(expression.right, allowed);
    case 'or':
      return satisfiable(expression.left, allowed) || satisfiable(expression.right, allowed);
  }
}
