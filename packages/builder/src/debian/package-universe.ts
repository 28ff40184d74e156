// SPDX-License-Identifier: Apache-2.0
import { indexEntryOf, packageNamesOf, scanPackagesIndex } from './packages-index.js';
import type { IndexEntry } from './packages-index.js';

/** The text of one verified `Packages` index and the pocket it belongs to. */
export interface IndexText {
  readonly pocket: string;
  readonly text: string;
}

/** An index entry and the pocket whose index holds it. */
export interface PocketEntry {
  readonly pocket: string;
  readonly entry: IndexEntry;
}

/**
 * Every package version the pockets offer, read from apt's indexes (pure: takes their text).
 * Lookups scan the text on demand; nothing is parsed that is not asked for.
 */
export class PackageUniverse {
  private readonly indexes: readonly IndexText[];
  private readonly pocketOrder: readonly string[];
  private nameSet: Set<string> | undefined;

  /** `pocketOrder`: preference when the same version is in several pockets (first wins). */
  constructor(indexes: readonly IndexText[], pocketOrder: readonly string[]) {
    this.indexes = indexes;
    this.pocketOrder = pocketOrder;
  }

  /** Every real (non-virtual) package name. */
  names(): ReadonlySet<string> {
    if (this.nameSet === undefined) {
      const all = new Set<string>();
      for (const idx of this.indexes) for (const n of packageNamesOf(idx.text)) all.add(n);
      this.nameSet = all;
    }
    return this.nameSet;
  }

  /** All versions of the named packages, in pocket order. */
  entries(names: ReadonlySet<string>): Map<string, PocketEntry[]> {
    const out = new Map<string, PocketEntry[]>();
    for (const idx of this.sortedIndexes()) {
      for (const p of scanPackagesIndex(idx.text, (n) => names.has(n))) {
        const entry = indexEntryOf(p);
        if (entry === undefined) continue;
        const list = out.get(entry.name) ?? [];
        list.push({ pocket: idx.pocket, entry });
        out.set(entry.name, list);
      }
    }
    return out;
  }

  /** Real packages whose `Provides` names `virtual` (sorted, unique). */
  providersOf(virtual: string): string[] {
    const providers = new Set<string>();
    const re = /^Provides:(.*(?:\n[ \t].*)*)/gim;
    for (const idx of this.indexes) {
      const { text } = idx;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const provided = (m[1] ?? '')
          .split(',')
          .map((p) => p.trim().split(/[\s(]/, 1)[0] ?? '')
          .map((p) => p.split(':', 1)[0] ?? '');
        if (!provided.includes(virtual)) continue;
        const stanzaStart = text.lastIndexOf('\n\n', m.index);
        const head = text.slice(stanzaStart === -1 ? 0 : stanzaStart + 2, m.index);
        const name = /^Package:[ \t]*(\S+)/im.exec(head)?.[1];
        if (name !== undefined) providers.add(name);
      }
    }
    return [...providers].sort();
  }

  private sortedIndexes(): IndexText[] {
    const rank = (pocket: string) => {
      const i = this.pocketOrder.indexOf(pocket);
      return i === -1 ? this.pocketOrder.length : i;
    };
    return [...this.indexes].sort((a, b) => rank(a.pocket) - rank(b.pocket));
  }
}
