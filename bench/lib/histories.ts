import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { REPO } from "./result.ts";

/** Each user's whole item sequence, oldest first: the bundled sample, or ../shared/data/<name>. */
export function sequences(dataset: string, limit = Number.POSITIVE_INFINITY): string[][] {
  const file =
    dataset === "sample"
      ? join(REPO, "gpu-worker/data/sample/sequences.jsonl.gz")
      : join(REPO, "..", "shared/data/amazon2014", dataset, "sequences.jsonl.gz");
  const lines = gunzipSync(readFileSync(file)).toString("utf8").split("\n").filter(Boolean);
  return lines.slice(0, limit).map((l) => {
    const row = JSON.parse(l) as { items?: string[]; item_ids?: string[] };
    return row.items ?? row.item_ids ?? [];
  });
}

/**
 * Real histories for load benchmarks: each user's items before their last one (the held-out test
 * target), newest last, at most 50.
 */
export function histories(dataset: string, limit: number): string[][] {
  return sequences(dataset, limit).map((items) => items.slice(0, -1).slice(-50));
}
