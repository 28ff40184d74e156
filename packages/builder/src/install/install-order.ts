// SPDX-License-Identifier: Apache-2.0
// The order packages are unpacked in (01 §5.3: dependency order, ties by name). Pure.

/** The control fields ordering needs. */
export interface OrderablePackage {
  readonly name: string;
  /** `Depends` (folded). */
  readonly depends: string;
  /** `Pre-Depends` (folded). */
  readonly preDepends: string;
  /** `Provides` (folded). */
  readonly provides: string;
}

/** Package names of a relation field, one array of alternatives per group. */
export function relationGroups(field: string): string[][] {
  return field
    .split(',')
    .map((group) =>
      group
        .split('|')
        .map((alt) => (/^\s*([^\s(:[<]+)/.exec(alt)?.[1] ?? '').trim())
        .filter((n) => n !== ''),
    )
    .filter((alts) => alts.length > 0);
}

/**
 * Orders packages so that every package comes after the packages it (pre-)depends on inside the
 * set; among packages free to go next, the smallest name goes first. A dependency group counts
 * once: its first alternative present in the set, by name, else through `Provides` (smallest
 * provider). Dependencies on packages outside the set are ignored. A cycle is broken at the
 * smallest name among the waiting packages whose `Pre-Depends` are all placed (else the
 * smallest name), as dpkg does with `Depends` but never with `Pre-Depends` when it can help it.
 */
export function installOrder<T extends OrderablePackage>(packages: readonly T[]): T[] {
  const byName = new Map<string, T>();
  for (const p of [...packages].sort((a, b) => cmp(a.name, b.name))) {
    if (!byName.has(p.name)) byName.set(p.name, p);
  }
  const providers = new Map<string, T[]>();
  for (const p of byName.values()) {
    for (const [virtual] of relationGroups(p.provides)) {
      if (virtual === undefined) continue;
      const list = providers.get(virtual) ?? [];
      list.push(p);
      providers.set(virtual, list);
    }
  }
  const resolve = (alts: readonly string[]): T | undefined => {
    for (const alt of alts) {
      const real = byName.get(alt);
      if (real !== undefined) return real;
      const provided = providers.get(alt)?.[0];
      if (provided !== undefined) return provided;
    }
    return undefined;
  };

  // Edges: each package waits for its dependencies.
  const waitsFor = new Map<T, { all: Set<T>; pre: Set<T> }>();
  const dependents = new Map<T, Set<T>>();
  for (const p of byName.values()) {
    const all = new Set<T>();
    const pre = new Set<T>();
    for (const [field, isPre] of [
      [p.preDepends, true],
      [p.depends, false],
    ] as const) {
      for (const alts of relationGroups(field)) {
        const dep = resolve(alts);
        if (dep === undefined || dep === p) continue;
        all.add(dep);
        if (isPre) pre.add(dep);
        const back = dependents.get(dep) ?? new Set<T>();
        back.add(p);
        dependents.set(dep, back);
      }
    }
    waitsFor.set(p, { all, pre });
  }

  const placed = new Set<T>();
  const order: T[] = [];
  const remaining = new Set(byName.values());
  const pending = new Map<T, number>();
  for (const [p, w] of waitsFor) pending.set(p, w.all.size);
  while (remaining.size > 0) {
    const ready = [...remaining].filter((p) => pending.get(p) === 0);
    let next: T | undefined = ready.sort((a, b) => cmp(a.name, b.name))[0];
    if (next === undefined) {
      const waiting = [...remaining].sort((a, b) => cmp(a.name, b.name));
      next =
        waiting.find((p) => [...(waitsFor.get(p)?.pre ?? [])].every((d) => placed.has(d))) ??
        waiting[0];
    }
    if (next === undefined) break;
    remaining.delete(next);
    placed.add(next);
    order.push(next);
    for (const d of dependents.get(next) ?? []) {
      if (remaining.has(d)) pending.set(d, (pending.get(d) ?? 1) - 1);
    }
  }
  return order;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `roots` and every package of the set they reach through `Pre-Depends`/`Depends` (resolved as
 * {@link installOrder} does): what has to be on disk for the roots to run.
 */
export function dependencyClosure<T extends OrderablePackage>(
  packages: readonly T[],
  roots: readonly T[],
): T[] {
  const byName = new Map<string, T>();
  for (const p of [...packages].sort((a, b) => cmp(a.name, b.name))) {
    if (!byName.has(p.name)) byName.set(p.name, p);
  }
  const providers = new Map<string, T>();
  for (const p of byName.values()) {
    for (const [virtual] of relationGroups(p.provides)) {
      if (virtual !== undefined && !providers.has(virtual)) providers.set(virtual, p);
    }
  }
  const seen = new Set<T>();
  const todo = [...roots];
  while (todo.length > 0) {
    const p = todo.pop() as T;
    if (seen.has(p)) continue;
    seen.add(p);
    for (const alts of relationGroups(`${p.preDepends},${p.depends}`)) {
      for (const alt of alts) {
        const dep = byName.get(alt) ?? providers.get(alt);
        if (dep !== undefined) {
          todo.push(dep);
          break;
        }
      }
    }
  }
  return packages.filter((p) => seen.has(p));
}
