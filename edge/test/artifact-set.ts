import { env } from "cloudflare:test";
import type { ArtifactManifest } from "@genrec/shared";
import { expect } from "vitest";
import tiny from "./fixtures/tiny-logprobs.onnx.json";
import { type App, call, fromBase64 } from "./helpers.ts";

/**
 * A small but real RPG artifact set for edge tests: 20 items with 2-digit SIDs, a complete item
 * graph (so graph decoding must agree with exhaustive scoring), and the tiny ONNX fixture model.
 */
export const N_ITEMS = 20;
export const DIGITS = 2;

export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** An item graph (CSR over rows 0..n) in which every item lists all n items in row order. */
export function completeGraph(n: number): { indptr: Int32Array; indices: Int32Array } {
  return {
    indptr: Int32Array.from({ length: n + 2 }, (_, r) => Math.max(0, r - 1) * n),
    indices: Int32Array.from({ length: n * n }, (_, j) => (j % n) + 1),
  };
}

export function artifactFiles(): Record<string, Uint8Array> {
  const items = ["", ...Array.from({ length: N_ITEMS }, (_, i) => `SKU-${i + 1}`)];
  const sids = new Uint8Array((N_ITEMS + 1) * DIGITS);
  for (let row = 1; row <= N_ITEMS; row++) {
    sids[row * DIGITS] = (row * 37) % 256;
    sids[row * DIGITS + 1] = (row * 101 + 7) % 256;
  }
  const { indptr, indices } = completeGraph(N_ITEMS);
  const popular = Int32Array.from({ length: N_ITEMS }, (_, i) => N_ITEMS - i);
  return {
    "items.json": new TextEncoder().encode(JSON.stringify(items)),
    "sids.u8": sids,
    "graph.indptr.i32": new Uint8Array(indptr.buffer),
    "graph.indices.i32": new Uint8Array(indices.buffer),
    "popular.i32": new Uint8Array(popular.buffer),
    "model.onnx": fromBase64(tiny.base64),
  };
}

export async function manifestFor(
  version: string,
  files: Record<string, Uint8Array>,
): Promise<ArtifactManifest> {
  const entries = await Promise.all(
    Object.entries(files).map(
      async ([name, bytes]) => [name, { bytes: bytes.byteLength, sha256: await sha256(bytes) }] as const,
    ),
  );
  return {
    format: 1,
    version,
    model: "rpg",
    dataset: "fixture",
    created_at: "2026-11-24T12:00:00Z",
    n_items: N_ITEMS,
    digits: DIGITS,
    codebook: 256,
    max_len: 50,
    encoder: "fixture",
    sid_scheme: "fixture",
    decode: { beam: 5, neighbours: N_ITEMS, steps: 2 },
    onnx: { file: "model.onnx", input: "history", output: "logprobs", opset: 18, quantized: false },
    metrics: {},
    files: Object.fromEntries(entries),
  };
}

/** Uploads every file of a set through the admin route. */
export async function upload(app: App, version: string, files: Record<string, Uint8Array>): Promise<void> {
  for (const [name, bytes] of Object.entries(files)) {
    const res = await app.request(
      `/v1/models/${version}/files/${name}`,
      {
        method: "PUT",
        body: bytes,
        headers: { authorization: "Bearer test-admin-key", "content-type": "application/octet-stream" },
      },
      env,
    );
    expect(res.status, name).toBe(200);
  }
}

/** Uploads the fixture set as `version` and registers it (not live); the registration's answer. */
export async function publish(app: App, version: string): Promise<Response> {
  const files = artifactFiles();
  await upload(app, version, files);
  return call(app, "POST", `/v1/models/${version}`, { body: await manifestFor(version, files) });
}

/** The fixture's items in the edge's catalogue, so that histories of them are known to the edge. */
export async function addCatalogue(app: App): Promise<void> {
  const items = Array.from({ length: N_ITEMS }, (_, i) => ({ id: `SKU-${i + 1}` }));
  expect((await call(app, "POST", "/v1/items/batch", { body: { items } })).status).toBe(200);
}
