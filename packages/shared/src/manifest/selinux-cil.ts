// SPDX-License-Identifier: Apache-2.0
// The `custom-policy` compiled to a CIL module (01 §2.3), plus the minimal CIL base ("stub") that
// lets secilc check the module without the host policy. Pure text generation: the builder runs
// secilc and adds the module to the image.
import { VcError } from '../errors.js';
import type { Manifest } from './schema.js';
import { parsePolicy, type ParsedPolicy } from './selinux-policy.js';

/** Directory of the image that holds the generated modules (vordr loads them from here). */
export const SELINUX_MODULE_DIR = '/usr/share/verified-container/selinux';

/** A generated SELinux module and the stub it is checked against. */
export interface SelinuxCilModule {
  /** `vc_<package name>`, with every character outside `[a-z0-9_]` mapped to `_`. */
  readonly moduleName: string;
  /** Where the module goes in the image: `${SELINUX_MODULE_DIR}/<moduleName>.cil`. */
  readonly path: string;
  /** The CIL module (LF line endings, final LF); the file stored in the image. */
  readonly module: string;
  /**
   * A minimal CIL base standing in for the host policy, only for `secilc stub.cil module.cil`:
   * never stored in the image.
   */
  readonly stub: string;
}

export interface SelinuxCilInput {
  /** `[package] name`. */
  readonly packageName: string;
  /** `[security.selinux] type`: declared by the module and given the role `system_r`. */
  readonly type?: string;
  /** The parsed `custom-policy`; it must have no problems. */
  readonly policy: ParsedPolicy;
}

/**
 * Names used only by the stub. CIL names may contain `-` but policy identifiers
 * (`[A-Za-z_][A-Za-z0-9_]*`) cannot, so these never clash with a name from the manifest.
 */
const PLACEHOLDER = 'vc-stub';

/** `vc_<name>` with every character outside `[a-z0-9_]` mapped to `_` (01 §2.3). */
export function selinuxModuleName(packageName: string): string {
  return `vc_${packageName.replace(/[^a-z0-9_]/g, '_')}`;
}

/**
 * The CIL module and its checking stub for a manifest's `custom-policy`; undefined when the
 * manifest has none. A policy with problems (the manifest was not validated) is refused with
 * MANIFEST_SELINUX.
 */
export function selinuxCilFromManifest(
  manifest: Pick<Manifest, 'package' | 'security'>,
): SelinuxCilModule | undefined {
  const { type, customPolicy } = manifest.security.selinux;
  if (customPolicy === undefined) return undefined;
  const policy = parsePolicy(customPolicy);
  const problem = policy.problems[0];
  if (problem !== undefined) {
    throw new VcError(
      'MANIFEST_SELINUX',
      `security.selinux.custom-policy: ${problem.message} (at offset ${problem.offset})`,
      { hint: 'run `cerro-torre validate` on the manifest' },
    );
  }
  return selinuxCilFromPolicy({
    packageName: manifest.package.name,
    ...(type !== undefined ? { type } : {}),
    policy,
  });
}

/**
 * Module: `(type T)` and `(roletype system_r T)` for the `[security.selinux]` type, one `(type …)`
 * per `type` statement and one access-vector rule per source, target and class, in the order of
 * the policy, permissions as written. Stub: see {@link selinuxStub}.
 */
export function selinuxCilFromPolicy(input: SelinuxCilInput): SelinuxCilModule {
  const moduleName = selinuxModuleName(input.packageName);
  const lines = [
    `; ${moduleName}: SELinux policy module of ${input.packageName}, generated from [security.selinux] custom-policy`,
  ];
  if (input.type !== undefined) {
    lines.push(`(type ${input.type})`, `(roletype system_r ${input.type})`);
  }
  for (const name of input.policy.types) lines.push(`(type ${name})`);
  for (const rule of input.policy.rules) {
    const perms = rule.permissions.join(' ');
    for (const source of rule.sources) {
      for (const target of rule.targets) {
        for (const cls of rule.classes) {
          lines.push(`(${rule.kind} ${source} ${target} (${cls} (${perms})))`);
        }
      }
    }
  }
  return {
    moduleName,
    path: `${SELINUX_MODULE_DIR}/${moduleName}.cil`,
    module: `${lines.join('\n')}\n`,
    stub: selinuxStub(input, moduleName),
  };
}

/**
 * The smallest base secilc 3.4 compiles the module against (found by experiment):
 * - `(sid kernel)` + `(sidorder (kernel))`: secilc refuses a policy without an initial SID, and
 *   every SID must be in a sidorder. No sidcontext, user, MLS or handleunknown statement is needed.
 * - `(role system_r)`: the role the module's `roletype` names.
 * - `(class C (perms…))` for every class the rules use, with the union of their permissions, and one
 *   `classorder` listing them: a class outside the classorder is an error.
 * - `(type T)` for every type the rules name that the module does not declare (from the host policy).
 * - When the policy has no access-vector rule: a placeholder class, type and rule, because secilc
 *   refuses a policy with no avrule at all (the host policy has thousands).
 * Classes, permissions and types are sorted; the text does not depend on the policy's order.
 */
function selinuxStub(input: SelinuxCilInput, moduleName: string): string {
  const declared = new Set(input.policy.types);
  if (input.type !== undefined) declared.add(input.type);
  const hostTypes = new Set<string>();
  const classes = new Map<string, Set<string>>();
  for (const rule of input.policy.rules) {
    for (const name of [...rule.sources, ...rule.targets]) {
      if (name !== 'self' && !declared.has(name)) hostTypes.add(name);
    }
    for (const cls of rule.classes) {
      const perms = classes.get(cls) ?? new Set<string>();
      for (const perm of rule.permissions) perms.add(perm);
      classes.set(cls, perms);
    }
  }
  const placeholder = input.policy.rules.length === 0;
  if (placeholder) classes.set(PLACEHOLDER, new Set([PLACEHOLDER]));
  const classNames = sorted(classes.keys());
  const lines = [
    `; Minimal base standing in for the host policy, to check ${moduleName} with secilc`,
    '(sid kernel)',
    '(sidorder (kernel))',
    '(role system_r)',
    ...classNames.map((cls) => `(class ${cls} (${sorted(classes.get(cls) ?? []).join(' ')}))`),
    `(classorder (${classNames.join(' ')}))`,
    ...sorted(hostTypes).map((name) => `(type ${name})`),
  ];
  if (placeholder) {
    lines.push(
      `(type ${PLACEHOLDER})`,
      `(allow ${PLACEHOLDER} self (${PLACEHOLDER} (${PLACEHOLDER})))`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Sorted by UTF-16 code units, independent of locale. */
function sorted(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
