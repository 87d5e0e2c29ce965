import type { RecommendResponse } from "@genrec/shared";

/** The edge's explicit fallback signal in words: which model answered instead, and why. */
export function fallbackNote(rec: RecommendResponse): string | undefined {
  if (!rec.fallback) return undefined;
  const { from_version: from, reason } = rec.fallback;
  return `note: answered by ${rec.model_version} (${rec.model}) as a fallback${from ? ` for ${from}` : ""}: ${reason}`;
}
