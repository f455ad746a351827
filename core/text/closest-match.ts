/** Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      const prev = d[i - 1]!;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidates closest to `input`, best first. A candidate qualifies when it is within a third of its length
 * in edits (at least 1, at most 3) or when one is a prefix of the other, so "stat" finds "status" but "xyz" finds nothing.
 */
export function closestMatches(input: string, candidates: readonly string[], limit = 3): string[] {
  const needle = input.toLowerCase().slice(0, 100);
  const scored: { candidate: string; score: number }[] = [];
  for (const candidate of new Set(candidates)) {
    const c = candidate.toLowerCase();
    const distance = editDistance(needle, c);
    const allowed = Math.min(3, Math.max(1, Math.floor(c.length / 3)));
    const prefix = needle.length >= 3 && (c.startsWith(needle) || needle.startsWith(c));
    if (distance <= allowed || prefix) scored.push({ candidate, score: prefix ? Math.min(distance, 1) : distance });
  }
  scored.sort((x, y) => x.score - y.score || x.candidate.localeCompare(y.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}
