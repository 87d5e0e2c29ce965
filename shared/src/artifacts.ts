import { z } from "zod";
import { ArtifactVersion } from "./common.ts";
import { define } from "./registry.ts";

/** The files an artifact set may hold (docs/artifacts.md); nothing else is accepted for upload. */
export const ArtifactFileName = z.enum([
  "manifest.json",
  "items.json",
  "sids.u8",
  "graph.indptr.i32",
  "graph.indices.i32",
  "graph.scores.f32",
  "codes.sim.f32",
  "popular.i32",
  "text.f32",
  "embeddings.f32",
  "model.onnx",
  "model.int8.onnx",
]);
export type ArtifactFileName = z.infer<typeof ArtifactFileName>;

export const ArtifactFile = define(
  "ArtifactFile",
  "Size and SHA-256 of one file of an artifact set, checked before the set can go live.",
  z.strictObject({
    bytes: z.int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex digits"),
  }),
);

/** Fields every artifact set's manifest carries, whatever its model. */
const manifestBase = {
  format: z.literal(1),
  version: ArtifactVersion,
  dataset: z.string().min(1),
  created_at: z.iso.datetime({ offset: true }),
  n_items: z.int().min(1),
  max_len: z.int().min(1).max(200).describe("history items the model reads, newest last"),
  metrics: z.record(z.string(), z.number()),
  files: z.partialRecord(ArtifactFileName.exclude(["manifest.json"]), ArtifactFile),
};
const onnxFile = z.enum(["model.onnx", "model.int8.onnx"]);

export const RpgTextTerm = define(
  "RpgTextTerm",
  "The text term of an RPG set (model.text_head, or the content-kNN prior folded in): the ONNX model " +
    "also answers `output` [B, dim], and each item's score gains its dot product with the item's " +
    "text vector (`file`: float32 [N+1, dim], row 0 zero).",
  z.strictObject({
    file: z.literal("text.f32"),
    dim: z.int().min(1).max(4096),
    output: z.literal("text_query"),
    input: z
      .literal("last_text")
      .optional()
      .describe("present when the query reads the newest history item's text vector, fed as [B, dim]"),
    source: z.string().describe("the item text and encoder behind the vectors, e.g. meta / all-MiniLM-L6-v2"),
    prior: z.number().min(0).describe("the content-kNN prior weight folded into the query (0: none)"),
  }),
);
export type RpgTextTerm = z.infer<typeof RpgTextTerm>;

export const RpgManifest = define(
  "RpgManifest",
  "An RPG set: semantic IDs, item graph and the ONNX user side that predicts every digit's codes.",
  z.strictObject({
    ...manifestBase,
    model: z.literal("rpg"),
    digits: z.int().min(1).max(64),
    codebook: z.literal(256),
    encoder: z.string(),
    sid_scheme: z.string(),
    sid_artifact: ArtifactVersion.optional().describe(
      "the GPU worker's SID artifact (encoder and codebooks) behind these SIDs: assign_sids encodes " +
        "items added after training with it (cold start); without it, new items wait for a retraining",
    ),
    decode: z.strictObject({ beam: z.int().min(1), neighbours: z.int().min(1), steps: z.int().min(0) }),
    onnx: z.strictObject({
      file: onnxFile,
      input: z.literal("history"),
      output: z.literal("logprobs"),
      opset: z.int(),
      quantized: z.boolean(),
    }),
    text: RpgTextTerm.optional(),
    repeat_bias: z
      .number()
      .optional()
      .describe(
        "learned score added to each item of the model's input history; it matters only when seen items " +
          "are not filtered out",
      ),
  }),
);
export type RpgManifest = z.infer<typeof RpgManifest>;

export const EmbeddingManifest = define(
  "EmbeddingManifest",
  "A SASRec or eSASRec set: the ONNX user side (history -> user vector of `dim`) and the item " +
    "embedding matrix `embeddings.f32` [N+1, dim]; an item's score is its dot product with the user.",
  z.strictObject({
    ...manifestBase,
    model: z.enum(["sasrec", "esasrec"]),
    dim: z.int().min(1).max(4096),
    onnx: z.strictObject({
      file: onnxFile,
      input: z.literal("history"),
      output: z.literal("user"),
      opset: z.int(),
      quantized: z.boolean(),
    }),
  }),
);
export type EmbeddingManifest = z.infer<typeof EmbeddingManifest>;

export const KnnManifest = define(
  "KnnManifest",
  "A content-kNN set: each item's `neighbours` nearest items by the cosine of their text " +
    "embeddings (graph.*: CSR rows, scores); a history scores an item by the sum over its items of " +
    "decay^age x similarity (decay 0: the newest item only).",
  z.strictObject({
    ...manifestBase,
    model: z.literal("content-knn"),
    encoder: z.string(),
    text: z.string(),
    neighbours: z.int().min(1),
    decay: z.number().min(0).max(1),
  }),
);
export type KnnManifest = z.infer<typeof KnnManifest>;

export const ArtifactManifest = define(
  "ArtifactManifest",
  "Describes a published artifact set: what model, which data, how to score, and every file's checksum.",
  z.discriminatedUnion("model", [RpgManifest, EmbeddingManifest, KnnManifest]),
);
export type ArtifactManifest = z.infer<typeof ArtifactManifest>;

export const RemoteModelManifest = define(
  "RemoteModelManifest",
  "A model the GPU worker serves over RPC (DiffGRM's denoise): the edge calls it within " +
    "`deadline_ms` and answers from `fallback_version` (an edge model), or popularity, when the " +
    "worker is slow, down or refuses.",
  z.strictObject({
    format: z.literal(1),
    version: ArtifactVersion,
    model: z.literal("diffgrm"),
    artifact_version: ArtifactVersion.describe("the GPU worker's artifact directory name"),
    deadline_ms: z.int().min(10).max(30_000).default(1_500),
    beam: z.int().min(1).max(512).optional(),
    fallback_version: ArtifactVersion.optional(),
    sid_artifact: ArtifactVersion.optional().describe(
      "the GPU worker's SID artifact behind the model's SIDs: items upserted while the version is " +
        "live get SIDs with it, and decoded SIDs of no trained item map to them (cold start)",
    ),
    metrics: z.record(z.string(), z.number()).default({}),
  }),
);
export type RemoteModelManifest = z.infer<typeof RemoteModelManifest>;

export const ArtifactUploadResult = define(
  "ArtifactUploadResult",
  "One artifact file stored in R2, awaiting registration of its set.",
  z.strictObject({ file: ArtifactFileName, bytes: z.int().min(0) }),
);
export type ArtifactFile = z.infer<typeof ArtifactFile>;
export type ArtifactUploadResult = z.infer<typeof ArtifactUploadResult>;
