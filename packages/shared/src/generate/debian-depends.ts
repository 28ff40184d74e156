// SPDX-License-Identifier: Apache-2.0
// Debian relationship fields (Debian Policy §7.1) and the DEPENDS_ON edges of the SBOM (02 §5).
import { compareStrings } from './inputs.js';

/** One alternative of a dependency group: `c:any` → `{ name: 'c', archQualifier: 'any' }`. */
export interface DependencyAlternative {
  readonly name: string;
  /** `any`, `native` or an architecture name, when the field qualifies the package. */
  readonly archQualifier?: string;
}

/** `a (>= 1) | b` → one group of two alternatives; any one of them satisfies the group. */
export type DependencyGroup = readonly DependencyAlternative[];

/**
 * Parses a `Depends`/`Pre-Depends`/`Provides` field: groups separated by `,`, alternatives by `|`;
 * version constraints `(…)`, architecture restrictions `[…]` and build profiles `<…>` are dropped.
 * Package names are lowercased (they are case-insensitive in control files).
 */
export function parseDependencyField(text: string): DependencyGroup[] {
  const groups: DependencyGroup[] = [];
  for (const rawGroup of text.split(',')) {
    const group: DependencyAlternative[] = [];
    for (const rawAlternative of rawGroup.split('|')) {
      const token = rawAlternative
        .replace(/\([^)]*\)?/gu, ' ')
        .replace(/\[[^\]]*\]?/gu, ' ')
        .replace(/<[^>]*>?/gu, ' ')
        .trim()
        .split(/\s+/u)[0];
      if (token === undefined || token === '') continue;
      const colon = token.indexOf(':');
      const name = (colon < 0 ? token : token.slice(0, colon)).toLowerCase();
      if (name === '') continue;
      group.push(colon < 0 ? { name } : { name, archQualifier: token.slice(colon + 1) });
    }
    if (group.length > 0) groups.push(group);
  }
  return groups;
}

/** A package of the image's dpkg status, as the dependency graph sees it. */
export interface DpkgNode {
  /** SPDXID of its SBOM row. */
  readonly id: string;
  readonly name: string;
  readonly arch: string;
  /** Raw fields; '' when absent (a foreign base's packages have none). */
  readonly depends: string;
  readonly preDepends: string;
  readonly provides: string;
}

/**
 * The `DEPENDS_ON` edges of 02 §5: package P depends on every installed package Q that satisfies
 * one of the alternatives of one of P's Depends/Pre-Depends groups, by name or by `Provides`.
 * Version constraints are ignored. An unqualified alternative prefers packages of P's architecture
 * (or `all`); when there is none, any architecture counts (Multi-Arch: foreign, which the status
 * data here does not carry). `:any`/`:native` match any architecture, `:<arch>` only that one.
 * Self-edges are dropped; the result is unique and sorted by (from, to).
 */
export function dependsOnEdges(nodes: readonly DpkgNode[]): [string, string][] {
  const byName = new Map<string, DpkgNode[]>();
  const add = (name: string, node: DpkgNode) => {
    const list = byName.get(name);
    if (list === undefined) byName.set(name, [node]);
    else if (!list.includes(node)) list.push(node);
  };
  for (const node of nodes) {
    add(node.name.toLowerCase(), node);
    for (const group of parseDependencyField(node.provides)) {
      for (const alternative of group) add(alternative.name, node);
    }
  }
  const edges = new Map<string, [string, string]>();
  for (const node of nodes) {
    const groups = [
      ...parseDependencyField(node.preDepends),
      ...parseDependencyField(node.depends),
    ];
    for (const group of groups) {
      for (const alternative of group) {
        for (const target of satisfiers(node, alternative, byName.get(alternative.name) ?? [])) {
          if (target.id === node.id) continue;
          edges.set(`${node.id}\u0000${target.id}`, [node.id, target.id]);
        }
      }
    }
  }
  return [...edges.values()].sort(
    (a, b) => compareStrings(a[0], b[0]) || compareStrings(a[1], b[1]),
  );
}

function satisfiers(
  from: DpkgNode,
  alternative: DependencyAlternative,
  candidates: readonly DpkgNode[],
): readonly DpkgNode[] {
  const qualifier = alternative.archQualifier;
  if (qualifier === 'any' || qualifier === 'native') return candidates;
  if (qualifier !== undefined) return candidates.filter((c) => c.arch === qualifier);
  const sameArch = candidates.filter(
    (c) => from.arch === 'all' || c.arch === from.arch || c.arch === 'all',
  );
  return sameArch.length > 0 ? sameArch : candidates;
}
