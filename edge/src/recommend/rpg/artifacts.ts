import type { ArtifactManifest, RpgManifest } from "@genrec/shared";
import type { LogprobModel, TextInputs } from "../../inference/models.ts";
import {
  ArtifactError,
  type ArtifactSource,
  type ItemTable,
  itemTable,
  readFile,
  readFiles,
  readManifest,
} from "../sets/files.ts";
import { type ItemGraph, readGraph } from "../sets/graph.ts";
import type { SidTable } from "./decode.ts";

export { ArtifactError, type ArtifactSource, artifactKey } from "../sets/files.ts";

/** A loaded, validated RPG set: everything a recommendation needs, in memory. */
export interface LoadedArtifacts extends ItemTable {
  kind: "rpg";
  manifest: RpgManifest;
  sids: SidTable;
  graph: ItemGraph;
  popular: Int32Array;
  /** Similarity of each graph neighbour, aligned with graph.indices, when the set ships it. */
  graphScores: Float32Array | null;
  /** Per-digit code cosines [m, 256, 256] the graph was built from (codes.sim.f32), when shipped. */
  codeSim: Float32Array | null;
  /** The items' text vectors [N+1, dim] (text.f32) of a set with a text term (manifest `text`). */
  text: Float32Array | null;
  /**
   * Text vectors of the rows after `text`'s (items added after training, overlay/view.ts), [K, dim],
   * zeros for an item the GPU worker gave no vector; null when none were added.
   */
  addedText: Float32Array | null;
  model: LogprobModel;
}

/** Builds the user-side model from ONNX bytes: onnxruntime-web in the Worker, any runtime elsewhere. */
export type ModelLoader = (
  bytes: Uint8Array,
  maxLen: number,
  digits: number,
  text: TextInputs | null,
) => Promise<LogprobModel>;

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
  if (manifest.model !== "rpg") throw new ArtifactError(`${version} is a ${manifest.model} set, not rpg`);
  const { n_items: n, digits: m, max_len: maxLen } = manifest;
  const files = ["items.json", "sids.u8", "graph.indptr.i32", "graph.indices.i32", "popular.i32"] as const;
  const [itemsBuf, sidsBuf, indptrBuf, indicesBuf, popularBuf, onnxBuf] = await readFiles(bucket, manifest, [
    ...files,
    manifest.onnx.file,
  ]);
  const items = itemTable(itemsBuf as ArrayBuffer, n);
  const sids: SidTable = { codes: new Uint8Array(sidsBuf as ArrayBuffer), digits: m, rows: n + 1 };
  if (sids.codes.length !== (n + 1) * m) throw new ArtifactError(`sids.u8 must hold ${n + 1} x ${m} codes`);
  const graph = readGraph(indptrBuf as ArrayBuffer, indicesBuf as ArrayBuffer, n);
  const popular = new Int32Array(popularBuf as ArrayBuffer);
  let graphScores: Float32Array | null = null;
  if (manifest.files["graph.scores.f32"]) {
    graphScores = new Float32Array(await readFile(bucket, manifest, "graph.scores.f32"));
    if (graphScores.length !== graph.indices.length)
      throw new ArtifactError("graph.scores.f32 must align with graph.indices.i32");
  }
  let codeSim: Float32Array | null = null;
  if (manifest.files["codes.sim.f32"]) {
    codeSim = new Float32Array(await readFile(bucket, manifest, "codes.sim.f32"));
    if (codeSim.length !== m * 256 * 256)
      throw new ArtifactError(`codes.sim.f32 must hold ${m} x 256 x 256 cosines`);
  }
  if (popular.some((r) => r < 1 || r > n)) throw new ArtifactError("popular.i32 holds rows outside 1..N");
  let text: Float32Array | null = null;
  let textInputs: TextInputs | null = null;
  if (manifest.text) {
    const { dim, input } = manifest.text;
    text = new Float32Array(await readFile(bucket, manifest, manifest.text.file));
    if (text.length !== (n + 1) * dim)
      throw new ArtifactError(`${manifest.text.file} must hold ${n + 1} x ${dim}`);
    if (!text.every(Number.isFinite))
      throw new ArtifactError(`${manifest.text.file} holds a non-finite value`);
    textInputs = { dim, readsLast: input === "last_text" };
  }

  const onnx = new Uint8Array(onnxBuf as ArrayBuffer);
  const model = await loadModel(onnx, maxLen, m, textInputs).catch((err: unknown) => {
    throw new ArtifactError(`${manifest.onnx.file} does not load: ${String(err)}`);
  });
  const set = {
    kind: "rpg",
    manifest,
    ...items,
    sids,
    graph,
    popular,
    graphScores,
    codeSim,
    text,
    addedText: null,
    model,
  } as const;
  await smokeTest(set);
  return set;
}

/** One inference on a one-item history: every digit a log-distribution, a finite text query. */
async function smokeTest(set: LoadedArtifacts): Promise<void> {
  const { max_len: maxLen, digits: m } = set.manifest;
  const history = new BigInt64Array(maxLen);
  history[maxLen - 1] = BigInt(Math.min(1, set.manifest.n_items));
  const out = await set.model
    .run(history, 1, lastTextOf(set, [Number(history[maxLen - 1])]))
    .catch((err: unknown) => {
      throw new ArtifactError(`smoke inference failed: ${String(err)}`);
    });
  for (let d = 0; d < m; d++) {
    let total = 0;
    for (let c = 0; c < 256; c++) total += Math.exp(out.logprobs[d * 256 + c] as number);
    if (!(Math.abs(total - 1) < 1e-3))
      throw new ArtifactError(`smoke inference: digit ${d} is not a log-distribution`);
  }
  if (out.textQuery && !out.textQuery.every(Number.isFinite))
    throw new ArtifactError("smoke inference: the text query is not finite");
}

/**
 * The model's `last_text` input for one user whose model input rows are `rows` (oldest first): the
 * newest row's text vector, zeros for an empty history; undefined when the model does not read it.
 */
export function lastTextOf(set: LoadedArtifacts, rows: readonly number[]): Float32Array | undefined {
  const dim = set.model.text?.readsLast ? set.model.text.dim : 0;
  if (!dim || !set.text) return undefined;
  const last = rows.at(-1) ?? 0;
  return set.text.slice(last * dim, (last + 1) * dim);
}
