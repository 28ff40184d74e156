// SPDX-License-Identifier: Apache-2.0
// Cross-field rules of [runtime] volumes and [security] (01 §2, §2.2, §2.3).
import { normalizeCapability } from './capabilities.js';
import type { CheckContext } from './check-context.js';
import { parsePolicy } from './selinux-policy.js';
import { childOf, isTable, stringAt, stringsAt, tableAt, valueAt } from './tree.js';

export function checkSecurity(ctx: CheckContext): void {
  checkVolumes(ctx);
  checkCapabilities(ctx);
  checkEgress(ctx);
  checkCustomPolicy(ctx);
}

function checkVolumes(ctx: CheckContext): void {
  const volumes = tableAt(ctx.root, ['runtime', 'volumes']) ?? {};
  const mounts = new Map<string, string>();
  for (const name of Object.keys(volumes)) {
    const volume = volumes[name];
    const mount = stringAt(volume ?? {}, ['mount']);
    if (mount !== undefined) {
      const other = mounts.get(mount);
      if (other !== undefined) {
        ctx.report({
          code: 'MANIFEST_VALUE',
          path: ['runtime', 'volumes', name, 'mount'],
          message: `mount point ${mount} is already used by volume ${JSON.stringify(other)}`,
        });
      } else {
        mounts.set(mount, name);
      }
    }
    const type = childOf(volume, 'type') ?? 'persistent';
    if (childOf(volume, 'size') !== undefined && type !== 'tmpfs') {
      ctx.report({
        code: 'MANIFEST_VALUE',
        path: ['runtime', 'volumes', name, 'size'],
        message: `size only applies to tmpfs volumes (this one is ${typeof type === 'string' ? type : 'not tmpfs'})`,
      });
    }
  }
}

function checkCapabilities(ctx: CheckContext): void {
  const drop = stringsAt(ctx.root, ['security', 'capabilities', 'drop']) ?? [];
  const add = valueAt(ctx.root, ['security', 'capabilities', 'add']);
  const dropped = new Set<string>(
    drop.map(normalizeCapability).filter((c) => c !== undefined && c !== 'ALL'),
  );
  if (!Array.isArray(add)) return;
  add.forEach((name, i) => {
    if (typeof name !== 'string') return;
    const cap = normalizeCapability(name);
    if (cap !== undefined && dropped.has(cap)) {
      ctx.report({
        code: 'MANIFEST_VALUE',
        path: ['security', 'capabilities', 'add', i],
        message: `${cap} is both dropped and added`,
        hint: 'remove it from one of the lists',
      });
    }
  });
}

function checkEgress(ctx: CheckContext): void {
  const rules = valueAt(ctx.root, ['security', 'network', 'egress-allow']);
  if (!Array.isArray(rules)) return;
  rules.forEach((rule, i) => {
    if (!isTable(rule)) return;
    const given = ['host', 'pattern', 'cidr'].filter((k) => childOf(rule, k) !== undefined);
    const base = ['security', 'network', 'egress-allow', i];
    if (given.length === 0) {
      ctx.report({
        code: 'MANIFEST_MISSING_FIELD',
        path: [...base, 'host'],
        message: 'egress rule needs exactly one of host, pattern or cidr',
        missing: true,
      });
    } else if (given.length > 1) {
      ctx.report({
        code: 'MANIFEST_VALUE',
        path: [...base, given[1] ?? 'pattern'],
        message: `egress rule has ${given.join(' and ')}; give exactly one of host, pattern or cidr`,
      });
    }
  });
}

function checkCustomPolicy(ctx: CheckContext): void {
  const path = ['security', 'selinux', 'custom-policy'];
  const policy = stringAt(ctx.root, path);
  if (policy === undefined) return;
  for (const problem of parsePolicy(policy).problems) {
    const before = policy.slice(0, problem.offset);
    const line = before.split('\n').length;
    const column = [...before.slice(before.lastIndexOf('\n') + 1)].length + 1;
    const at = ctx.locations.positionInString(path, policy, problem.offset);
    ctx.report({
      code: 'MANIFEST_SELINUX',
      path,
      message: `${problem.message} (custom-policy line ${line}, column ${column})`,
      ...(at !== undefined ? { at } : {}),
    });
  }
}
