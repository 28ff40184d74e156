// SPDX-License-Identifier: Apache-2.0

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const cols = b.length + 1;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (prev2[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * Up to `limit` candidates closest to `word`, nearest first (ties by name), within a distance of
 * a third of the word's length (at least 2, at most 4) so unrelated names are not suggested.
 */
export function nearNames(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const max = Math.min(4, Math.max(2, Math.floor(word.length / 3)));
  const scored: { name: string; d: number }[] = [];
  for (const name of candidates) {
    if (name === word || Math.abs(name.length - word.length) > max) continue;
    const d = editDistance(word, name);
    if (d <= max) scored.push({ name, d });
  }
  scored.sort((x, y) => x.d - y.d || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return scored.slice(0, limit).map((s) => s.name);
}
