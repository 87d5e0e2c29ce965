import type { ScoredItem } from "@genrec/shared";
import { topItems } from "../../storage/events.ts";

/** How many of the most popular items are kept; enough to fill n = 100 after dropping seen items. */
const DEPTH = 1000;

/**
 * The fallback recommender while no model is live: interaction counts from D1, cached in the
 * isolate for `ttlMs` so a burst of requests costs one GROUP BY. Ingest in this isolate clears it.
 */
export class PopularityCache {
  #ranked: ScoredItem[] | null = null;
  #at = 0;

  constructor(private readonly ttlMs: number) {}

  async ranked(db: D1Database, now = Date.now()): Promise<ScoredItem[]> {
    if (this.#ranked === null || now - this.#at > this.ttlMs) {
      const rows = await topItems(db, DEPTH);
      this.#ranked = rows.map((r) => ({ item_id: r.item_id, score: r.count }));
      this.#at = now;
    }
    return this.#ranked;
  }

  invalidate(): void {
    this.#ranked = null;
  }
}

/** The first `n` items of `ranked` that are not in `exclude`. Pure. */
export function topN(ranked: readonly ScoredItem[], n: number, exclude: ReadonlySet<string>): ScoredItem[] {
  const out: ScoredItem[] = [];
  for (const item of ranked) {
    if (out.length === n) break;
    if (!exclude.has(item.item_id)) out.push(item);
  }
  return out;
}
