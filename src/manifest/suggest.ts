/** "Did you mean …?" for misspelt names: the closest candidate by edit distance, if it is close enough. Pure. */

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions (`cluade` → `claude` is 1). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate nearest to `word` (case-insensitively), when it is within a third of the word's length (at least 1 edit). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const c of candidates) {
    if (c === word || sameButNumber(word, c)) continue;
    const distance = editDistance(word.toLowerCase(), c.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { name: c, distance };
  }
  return best?.name;
}

/** `dev3` is not a misspelling of `dev1`: numbered names that differ only in their digits are different names. */
function sameButNumber(a: string, b: string): boolean {
  return /\d/.test(a) && /\d/.test(b) && a.replace(/\d+/g, '#') === b.replace(/\d+/g, '#');
}

/** ` (did you mean "x"?)`, or nothing. */
export function didYouMean(word: string, candidates: Iterable<string>, wrap: (s: string) => string = (s) => `"${s}"`): string {
  const hit = closest(word, candidates);
  return hit === undefined ? '' : ` (did you mean ${wrap(hit)}?)`;
}
