/** A scored item row; every model's answer before item ids are attached. */
export interface Ranked {
  row: number;
  score: number;
}

/** Ranking order everywhere: higher score first, then lower row, so results are deterministic. */
export function better(a: Ranked, b: Ranked): number {
  return b.score - a.score || a.row - b.row;
}

/**
 * Exhaustive top-n of rows 1..rows-1 (row 0 is padding), each scored once by `score`: a bounded
 * insertion list, ~O(rows) in practice. Rows that `exclude` names, or that score -Infinity, never
 * answer.
 */
export function exhaustiveTop(
  rows: number,
  score: (row: number) => number,
  n: number,
  exclude?: (row: number) => boolean,
): Ranked[] {
  const top: Ranked[] = [];
  if (n <= 0) return top;
  for (let row = 1; row < rows; row++) {
    if (exclude?.(row)) continue;
    const cand = { row, score: score(row) };
    if (cand.score === Number.NEGATIVE_INFINITY) continue;
    if (top.length === n && better(cand, top[n - 1] as Ranked) >= 0) continue;
    let i = Math.min(top.length, n - 1);
    top[i] = cand;
    while (i > 0 && better(top[i] as Ranked, top[i - 1] as Ranked) < 0) {
      [top[i - 1], top[i]] = [top[i] as Ranked, top[i - 1] as Ranked];
      i--;
    }
  }
  return top;
}
