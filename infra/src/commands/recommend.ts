import type { RecommendResponse } from "@genrec/shared";

const WHY: Partial<Record<string, string>> = {
  unknown_user: "the user has no stored events",
  unknown_items: "no history item is known to the edge",
  circuit_open: "the GPU worker timed out repeatedly; it is tried again later",
  upstream_timeout: "the GPU worker did not answer in time",
  upstream_unavailable: "the GPU worker is down",
};

/** The edge's explicit signals in words: which model answered instead and why, and ignored items. */
export function fallbackNotes(rec: RecommendResponse): string[] {
  const notes: string[] = [];
  if (rec.fallback) {
    const { from_version: from, reason } = rec.fallback;
    const instead = from && from !== rec.model_version ? ` instead of ${from}` : "";
    notes.push(`note: answered by ${rec.model_version}${instead}: ${WHY[reason] ?? reason} (${reason})`);
  }
  if (rec.unknown_items?.length) notes.push(`note: unknown items, ignored: ${rec.unknown_items.join(", ")}`);
  return notes;
}
