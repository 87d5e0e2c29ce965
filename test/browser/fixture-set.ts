import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@genrec/infra/local-stack";

/** Item row r of the fixture sets is `SKU-r` (row 0 is padding). */
export const sku = (r: number) => `SKU-${r}`;

interface KnnVectors {
  n_items: number;
  indptr: number[];
  indices: number[];
  scores: number[];
}

/**
 * A content-kNN artifact set written as the exporter writes one (files + manifest.json), from the
 * committed parity vectors Python produced (edge/test/vectors/knn-topk.json): real neighbour lists
 * over 80 items, published through the API by `publishDir` like any exported set.
 */
export function writeKnnSet(dir: string, version: string): { dir: string; items: number } {
  const v = JSON.parse(
    readFileSync(join(REPO_ROOT, "edge/test/vectors/knn-topk.json"), "utf8"),
  ) as KnnVectors;
  const files: Record<string, Uint8Array> = {
    "items.json": new TextEncoder().encode(
      JSON.stringify(["", ...Array.from({ length: v.n_items }, (_, i) => sku(i + 1))]),
    ),
    "graph.indptr.i32": new Uint8Array(Int32Array.from(v.indptr).buffer),
    "graph.indices.i32": new Uint8Array(Int32Array.from(v.indices).buffer),
    "graph.scores.f32": new Uint8Array(Float32Array.from(v.scores).buffer),
  };
  mkdirSync(dir, { recursive: true });
  const entries: Record<string, { bytes: number; sha256: string }> = {};
  for (const [name, bytes] of Object.entries(files)) {
    writeFileSync(join(dir, name), bytes);
    entries[name] = { bytes: bytes.byteLength, sha256: createHash("sha256").update(bytes).digest("hex") };
  }
  const manifest = {
    format: 1,
    version,
    model: "content-knn",
    dataset: "fixture",
    created_at: "2026-11-29T12:00:00Z",
    n_items: v.n_items,
    max_len: 50,
    metrics: { "test_ndcg@10": 0.1234, "test_recall@10": 0.2345 },
    encoder: "fixture",
    text: "fixture",
    neighbours: 12,
    decay: 0.8,
    files: entries,
  };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  return { dir, items: v.n_items };
}
