import type { ArtifactManifest } from "@genrec/shared";
import { expect } from "vitest";
import { completeGraph, sha256, upload } from "./artifact-set.ts";
import { type App, call, fromBase64 } from "./helpers.ts";
import knn from "./vectors/knn-topk.json";
import rpgText from "./vectors/rpg-text-topk.json";
import sasrec from "./vectors/sasrec-topk.json";

/**
 * Artifact sets of the baselines for edge tests, built from the parity vectors that Python wrote
 * (genrec.tools.baseline_vectors, genrec.tools.rpg_text_vectors): a real exported SASRec user side
 * with its item embeddings, content-kNN neighbour lists, and an RPG set with a text term and a
 * repeat bias (its model answers `text_query`, its items ship text vectors). Item row r is `SKU-r`.
 */
export const itemIds = (n: number) => ["", ...Array.from({ length: n }, (_, i) => `SKU-${i + 1}`)];
const bytes = (a: ArrayLike<number>, Type: Int32ArrayConstructor | Float32ArrayConstructor) =>
  new Uint8Array(Type.from(a).buffer);

export function sasrecFiles(): Record<string, Uint8Array> {
  return {
    "items.json": new TextEncoder().encode(JSON.stringify(itemIds(sasrec.n_items))),
    "embeddings.f32": fromBase64(sasrec.embeddings_base64),
    "model.onnx": fromBase64(sasrec.onnx_base64),
  };
}

export function knnFiles(): Record<string, Uint8Array> {
  return {
    "items.json": new TextEncoder().encode(JSON.stringify(itemIds(knn.n_items))),
    "graph.indptr.i32": bytes(knn.indptr, Int32Array),
    "graph.indices.i32": bytes(knn.indices, Int32Array),
    "graph.scores.f32": bytes(knn.scores, Float32Array),
  };
}

/** The RPG text-term set: a complete item graph (graph decoding must agree with exhaustive scoring). */
export function rpgTextFiles(): Record<string, Uint8Array> {
  const n = rpgText.n_items;
  const { indptr, indices } = completeGraph(n);
  return {
    "items.json": new TextEncoder().encode(JSON.stringify(itemIds(n))),
    "sids.u8": Uint8Array.from(rpgText.sids),
    "graph.indptr.i32": new Uint8Array(indptr.buffer),
    "graph.indices.i32": new Uint8Array(indices.buffer),
    "popular.i32": bytes(
      Array.from({ length: n }, (_, i) => i + 1),
      Int32Array,
    ),
    "model.onnx": fromBase64(rpgText.onnx_base64),
    "text.f32": fromBase64(rpgText.text_base64),
  };
}

async function entries(files: Record<string, Uint8Array>) {
  const pairs = await Promise.all(
    Object.entries(files).map(async ([name, b]) => [name, { bytes: b.byteLength, sha256: await sha256(b) }]),
  );
  return Object.fromEntries(pairs);
}

const base = {
  format: 1,
  dataset: "fixture",
  created_at: "2026-11-29T12:00:00Z",
  max_len: 50,
  metrics: {},
} as const;

export async function sasrecManifest(version: string, files = sasrecFiles()): Promise<ArtifactManifest> {
  const onnx = { file: "model.onnx", input: "history", output: "user", opset: 17, quantized: false } as const;
  return {
    ...base,
    version,
    model: "sasrec",
    n_items: sasrec.n_items,
    dim: sasrec.dim,
    onnx,
    files: await entries(files),
  };
}

export async function knnManifest(
  version: string,
  decay: number,
  files = knnFiles(),
): Promise<ArtifactManifest> {
  const lists = { encoder: "fixture", text: "fixture", neighbours: 12, decay };
  return {
    ...base,
    version,
    model: "content-knn",
    n_items: knn.n_items,
    ...lists,
    files: await entries(files),
  };
}

export async function rpgTextManifest(version: string, files = rpgTextFiles()): Promise<ArtifactManifest> {
  const onnx = {
    file: "model.onnx",
    input: "history",
    output: "logprobs",
    opset: 17,
    quantized: false,
  } as const;
  return {
    ...base,
    version,
    model: "rpg",
    n_items: rpgText.n_items,
    digits: rpgText.digits,
    codebook: 256,
    encoder: "fixture",
    sid_scheme: "fixture",
    decode: { beam: 8, neighbours: rpgText.n_items, steps: 2 },
    onnx,
    text: {
      file: "text.f32",
      dim: rpgText.text_dim,
      output: "text_query",
      input: "last_text",
      source: "fixture",
      prior: 0,
    },
    repeat_bias: rpgText.repeat_bias,
    files: await entries(files),
  };
}

/** Uploads a set, registers and activates it through the admin routes. */
export async function publishLive(app: App, manifest: ArtifactManifest, files: Record<string, Uint8Array>) {
  await upload(app, manifest.version, files);
  const registered = await call(app, "POST", `/v1/models/${manifest.version}`, { body: manifest });
  expect(registered.status, await registered.clone().text()).toBe(200);
  expect((await call(app, "POST", `/v1/models/${manifest.version}/activate`)).status).toBe(200);
}

/** Rows 1..n as catalogue items, so that histories of them are known to the edge. */
export async function addItems(app: App, n: number): Promise<void> {
  const items = itemIds(n)
    .slice(1)
    .map((id) => ({ id }));
  expect((await call(app, "POST", "/v1/items/batch", { body: { items } })).status).toBe(200);
}
