import { better, type Ranked } from "./decode.ts";

/** The best `b` of distinct `rows`, best first: a bounded worst-on-top heap, O(C log b). */
export function keepBest(rows: readonly number[], score: (row: number) => number, b: number): Ranked[] {
  const heap: Ranked[] = [];
  for (const row of rows) {
    const cand = { row, score: score(row) };
    if (heap.length < b) {
      heap.push(cand);
      siftUp(heap, heap.length - 1);
    } else if (better(cand, heap[0] as Ranked) < 0) {
      heap[0] = cand;
      siftDown(heap, 0);
    }
  }
  return heap.sort(better);
}

// heap order: the worst entry (by `better`) at the root
function siftUp(heap: Ranked[], i: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (better(heap[i] as Ranked, heap[parent] as Ranked) <= 0) return;
    [heap[i], heap[parent]] = [heap[parent] as Ranked, heap[i] as Ranked];
    i = parent;
  }
}

function siftDown(heap: Ranked[], i: number): void {
  for (;;) {
    const [l, r] = [2 * i + 1, 2 * i + 2];
    let worst = i;
    if (l < heap.length && better(heap[l] as Ranked, heap[worst] as Ranked) > 0) worst = l;
    if (r < heap.length && better(heap[r] as Ranked, heap[worst] as Ranked) > 0) worst = r;
    if (worst === i) return;
    [heap[i], heap[worst]] = [heap[worst] as Ranked, heap[i] as Ranked];
    i = worst;
  }
}
