import { type ArtifactFileName, ArtifactManifest } from "@genrec/shared";
import type { LogprobModel } from "../../inference/ort.ts";
import type { ItemGraph, SidTable } from "./decode.ts";

/** R2 layout: every file of a version lives under `models/<version>/`. */
export const artifactKey = (version: string, file: ArtifactFileName) => `models/${version}/${file}`;

/** A loaded, validated artifact set: everything a recommendation needs, in memory. */
export interface LoadedArtifacts {
  manifest: ArtifactManifest;
  itemIds: string[];
  rowOf: Map<string, number>;
  sids: SidTable;
  graph: ItemGraph;
  popular: Int32Array;
  /** Similarity of each graph neighbour, aligned with graph.indices, when the set ships it. */
  graphScores: Float32Array | null;
  model: LogprobModel;
}

/** Builds the user-side model from ONNX bytes: onnxruntime-web in the Worker, any runtime elsewhere. */
export type ModelLoader = (bytes: Uint8Array, maxLen: number, digits: number) => Promise<LogprobModel>;

/** The slice of an R2 bucket the loader reads, so benchmarks can serve a directory instead. */
export type ArtifactSource = Pick<R2Bucket, "get">;

/** Why a set cannot serve; the message names the file and the check that failed. */
export class ArtifactError extends Error {
  override name = "ArtifactError";
}

async function hex(buffer: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function readFile(
  bucket: ArtifactSource,
  manifest: ArtifactManifest,
  file: Exclude<ArtifactFileName, "manifest.json">,
) {
  const expected = manifest.files[file];
  if (!expected) throw new ArtifactError(`manifest lists no ${file}`);
  const object = await bucket.get(artifactKey(manifest.version, file));
  if (!object) throw new ArtifactError(`${file} is missing from R2`);
  const buffer = await object.arrayBuffer();
  if (buffer.byteLength !== expected.bytes)
    throw new ArtifactError(`${file}: ${buffer.byteLength} bytes, manifest says ${expected.bytes}`);
  if ((await hex(buffer)) !== expected.sha256)
    throw new ArtifactError(`${file}: sha256 differs from the manifest`);
  return buffer;
}

async function readManifest(bucket: ArtifactSource, version: string): Promise<ArtifactManifest> {
  const object = await bucket.get(artifactKey(version, "manifest.json"));
  if (!object) throw new ArtifactError("manifest.json is missing from R2");
  const parsed = ArtifactManifest.safeParse(await object.json().catch(() => undefined));
  if (!parsed.success)
    throw new ArtifactError(`manifest.json is invalid: ${parsed.error.issues[0]?.message}`);
  if (parsed.data.version !== version)
    throw new ArtifactError(`manifest.json names version ${parsed.data.version}`);
  return parsed.data;
}

/**
 * Reads and checks a whole set: manifest schema, every file's size and checksum, shapes that agree
 * with each other, graph rows in range, and a smoke inference whose output is a log-distribution.
 * `given` checks a manifest not yet stored (registration) instead of reading manifest.json.
 */
export async function loadArtifacts(
  bucket: ArtifactSource,
  version: string,
  loadModel: ModelLoader,
  given?: ArtifactManifest,
): Promise<LoadedArtifacts> {
  const manifest = given ?? (await readManifest(bucket, version));
  const { n_items: n, digits: m, max_len: maxLen } = manifest;
  const [itemsBuf, sidsBuf, indptrBuf, indicesBuf, popularBuf, onnxBuf] = await Promise.all(
    (
      [
        "items.json",
        "sids.u8",
        "graph.indptr.i32",
        "graph.indices.i32",
        "popular.i32",
        manifest.onnx.file,
      ] as const
    ).map((f) => readFile(bucket, manifest, f)),
  );
  const itemIds: unknown = JSON.parse(new TextDecoder().decode(itemsBuf));
  if (!Array.isArray(itemIds) || itemIds.length !== n + 1 || !itemIds.every((id) => typeof id === "string")) {
    throw new ArtifactError(`items.json must be an array of ${n + 1} strings`);
  }
  const sids: SidTable = { codes: new Uint8Array(sidsBuf as ArrayBuffer), digits: m, rows: n + 1 };
  if (sids.codes.length !== (n + 1) * m) throw new ArtifactError(`sids.u8 must hold ${n + 1} x ${m} codes`);
  const graph: ItemGraph = {
    indptr: new Int32Array(indptrBuf as ArrayBuffer),
    indices: new Int32Array(indicesBuf as ArrayBuffer),
  };
  checkGraph(graph, n);
  const popular = new Int32Array(popularBuf as ArrayBuffer);
  let graphScores: Float32Array | null = null;
  if (manifest.files["graph.scores.f32"]) {
    graphScores = new Float32Array(await readFile(bucket, manifest, "graph.scores.f32"));
    if (graphScores.length !== graph.indices.length)
      throw new ArtifactError("graph.scores.f32 must align with graph.indices.i32");
  }
  if (popular.some((r) => r < 1 || r > n)) throw new ArtifactError("popular.i32 holds rows outside 1..N");

  const model = await loadModel(new Uint8Array(onnxBuf as ArrayBuffer), maxLen, m).catch((err: unknown) => {
    throw new ArtifactError(`${manifest.onnx.file} does not load: ${String(err)}`);
  });
  await smokeTest(model, maxLen, m, n);
  const rowOf = new Map<string, number>();
  for (const [row, id] of (itemIds as string[]).entries()) {
    if (row > 0) rowOf.set(id, row);
  }
  return { manifest, itemIds: itemIds as string[], rowOf, sids, graph, popular, graphScores, model };
}

function checkGraph({ indptr, indices }: ItemGraph, n: number): void {
  if (indptr.length !== n + 2 || indptr[0] !== 0 || indptr[n + 1] !== indices.length) {
    throw new ArtifactError(`graph.indptr.i32 must be ${n + 2} offsets from 0 to ${indices.length}`);
  }
  for (let r = 0; r <= n; r++) {
    if ((indptr[r + 1] as number) < (indptr[r] as number))
      throw new ArtifactError("graph.indptr.i32 is not monotone");
  }
  if (indices.some((r) => r < 1 || r > n))
    throw new ArtifactError("graph.indices.i32 holds rows outside 1..N");
}

async function smokeTest(model: LogprobModel, maxLen: number, m: number, n: number): Promise<void> {
  const history = new BigInt64Array(maxLen);
  history[maxLen - 1] = BigInt(Math.min(1, n));
  const out = await model.run(history, 1).catch((err: unknown) => {
    throw new ArtifactError(`smoke inference failed: ${String(err)}`);
  });
  for (let d = 0; d < m; d++) {
    let total = 0;
    for (let c = 0; c < 256; c++) total += Math.exp(out[d * 256 + c] as number);
    if (!(Math.abs(total - 1) < 1e-3))
      throw new ArtifactError(`smoke inference: digit ${d} is not a log-distribution`);
  }
}
