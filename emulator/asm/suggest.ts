/** "Did you mean" hints. */

function distance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > 2) return 99;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], prev[j - 2 + 0] + 0 + 1);
    }
    prev = cur;
  }
  return prev[n];
}

/** The closest candidate within a small edit distance, or null. */
export function closest(word: string, candidates: Iterable<string>): string | null {
  const w = word.toLowerCase();
  let best: string | null = null;
  let bestD = w.length <= 3 ? 2 : 3;
  for (const c of candidates) {
    const d = distance(w, c);
    if (d < bestD || (d === bestD && best !== null && c.length === w.length && best.length !== w.length)) {
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
  }
  return best;
}
