import { z } from "zod";
import { ArtifactVersion, ModelKind } from "./common.ts";
import { define } from "./registry.ts";

/** The files an artifact set may hold (docs/artifacts.md); nothing else is accepted for upload. */
export const ArtifactFileName = z.enum([
  "manifest.json",
  "items.json",
  "sids.u8",
  "graph.indptr.i32",
  "graph.indices.i32",
  "graph.scores.f32",
  "popular.i32",
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

export const ArtifactManifest = define(
  "ArtifactManifest",
  "Describes a published artifact set: what model, which data, how to decode, and every file's checksum.",
  z.strictObject({
    format: z.literal(1),
    version: ArtifactVersion,
    model: ModelKind,
    dataset: z.string().min(1),
    created_at: z.iso.datetime({ offset: true }),
    n_items: z.int().min(1),
    digits: z.int().min(1).max(64),
    codebook: z.literal(256),
    max_len: z.int().min(1).max(200),
    encoder: z.string(),
    sid_scheme: z.string(),
    decode: z.strictObject({ beam: z.int().min(1), neighbours: z.int().min(1), steps: z.int().min(0) }),
    onnx: z.strictObject({
      file: z.enum(["model.onnx", "model.int8.onnx"]),
      input: z.literal("history"),
      output: z.literal("logprobs"),
      opset: z.int(),
      quantized: z.boolean(),
    }),
    metrics: z.record(z.string(), z.number()),
    files: z.partialRecord(ArtifactFileName.exclude(["manifest.json"]), ArtifactFile),
  }),
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
