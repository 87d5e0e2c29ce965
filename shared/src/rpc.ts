import { z } from "zod";
import { Item } from "./catalog.ts";
import { ArtifactVersion, ItemId, ModelKind, ScoredItem } from "./common.ts";
import { define } from "./registry.ts";

/*
 * The edge <-> GPU worker contract. Transport: `POST /rpc/<method>` with a JSON body,
 * `Authorization: Bearer <token>`, JSON reply; errors use ErrorEnvelope. The Python side
 * validates with models generated from these schemas (gpu-worker/src/genrec/rpc/models.py).
 */

export const HealthRequest = define("HealthRequest", "RPC health: no arguments.", z.strictObject({}));
export const HealthResponse = define(
  "HealthResponse",
  "RPC health: what is serving and on which device.",
  z.strictObject({
    status: z.literal("ok"),
    version: z.string(),
    runtime: z.enum(["local", "modal"]),
    device: z.string(),
  }),
);

export const EmbedRequest = define(
  "EmbedRequest",
  "Embed item texts with a sentence-transformers model (the worker's default when omitted).",
  z.strictObject({
    texts: z.array(z.string().min(1).max(20_000)).min(1).max(1024),
    model: z.string().min(1).max(200).optional(),
  }),
);
export const EmbedResponse = define(
  "EmbedResponse",
  "One L2-normalised float32 vector per input text, in input order.",
  z.strictObject({
    model: z.string(),
    dim: z.int().positive(),
    vectors: z.array(z.array(z.number())),
  }),
);

export const AssignSidsRequest = define(
  "AssignSidsRequest",
  "Encode items into semantic IDs with the stored codebooks of an artifact version (cold start).",
  z.strictObject({
    artifact_version: ArtifactVersion,
    items: z.array(Item).min(1).max(1024),
    text_source: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe(
        "an RPG set's text.source ('<meta|phrase> / <encoder>'): also answer each item's unit text vector, " +
          "built as that set's text.f32 rows were, so the item gets the set's text term",
      ),
  }),
);
export const AssignSidsResponse = define(
  "AssignSidsResponse",
  "One semantic ID (digits, each 0..255) per input item, in input order (with its text vector on request).",
  z.strictObject({
    artifact_version: z.string(),
    digits: z.int().positive(),
    sids: z.array(
      define(
        "SemanticId",
        "An item's semantic ID: one code (0..255) per digit.",
        z.strictObject({
          item_id: ItemId,
          codes: z.array(z.int().min(0).max(255)),
          vector: z
            .array(z.number())
            .optional()
            .describe("the item's unit text vector, when text_source was asked"),
        }),
      ),
    ),
  }),
);

const SNAPSHOT_ID = "[a-z0-9-]{8,64}";
/** A training snapshot's id: the edge names each snapshot it writes with a fresh UUID. */
export const SnapshotId = z.string().regex(new RegExp(`^${SNAPSHOT_ID}$`), "a snapshot id");
/** The URL of a snapshot the edge wrote, `<edge origin>/v1/snapshots/<snapshot id>`, and nothing else. */
export const SnapshotUri = z
  .string()
  .max(1024)
  .regex(
    new RegExp(`^https?://[^/?#\\s]+/v1/snapshots/${SNAPSHOT_ID}$`),
    "must be a snapshot URL of the edge: <origin>/v1/snapshots/<id>",
  );

export const DatasetRef = define(
  "DatasetRef",
  "Where training data comes from: a dataset the worker knows, or a snapshot the edge wrote.",
  z.discriminatedUnion("kind", [
    define(
      "BuiltinDataset",
      "A dataset the worker ships or mounts: the bundled sample, or Amazon 2014 Beauty / Sports.",
      z.strictObject({ kind: z.literal("builtin"), name: z.enum(["sample", "beauty", "sports", "toys"]) }),
    ),
    define(
      "SnapshotDataset",
      "A snapshot of items and events the edge wrote, by its URL on that edge (file paths and other " +
        "hosts are refused: the worker fetches it from its configured edge with an admin key).",
      z.strictObject({ kind: z.literal("snapshot"), uri: SnapshotUri }),
    ),
  ]),
);

export const TrainRequest = define(
  "TrainRequest",
  "Start a training job. Returns at once with a job id; poll JobStatus.",
  z.strictObject({
    model: ModelKind,
    dataset: DatasetRef,
    // tiny: seconds (tests); quick: ~20-30 min on one CPU thread; cpu: the best one CPU thread
    // reaches in 1-2 h; full: the papers' settings (GPU)
    preset: z.enum(["tiny", "quick", "cpu", "full"]).default("quick"),
    overrides: z.record(z.string().min(1).max(64), z.union([z.number(), z.string(), z.boolean()])).optional(),
  }),
);

export const JobState = z.enum(["queued", "running", "succeeded", "failed", "cancelled"]);

export const JobRef = define(
  "JobRef",
  "Names one training job.",
  z.strictObject({ job_id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "letters, digits, '_' and '-' only") }),
);

export const Job = define(
  "Job",
  "A training job: state, progress, the tail of its log and, when done, what it produced.",
  z.strictObject({
    job_id: z.string(),
    model: ModelKind,
    state: JobState,
    phase: z.string(),
    progress: z.number().min(0).max(1),
    created_at: z.iso.datetime({ offset: true }),
    updated_at: z.iso.datetime({ offset: true }),
    logs: z.array(z.string()),
    artifact_version: z.string().optional(),
    metrics: z.record(z.string(), z.number()).optional(),
    error: z.string().optional(),
  }),
);

/** The most items one denoise call answers per history. */
export const DENOISE_MAX_K = 100;
/** The longest history one denoise call accepts; the edge sends the newest items. */
export const DENOISE_MAX_HISTORY = 200;

export const DenoiseRequest = define(
  "DenoiseRequest",
  "DiffGRM: decode the next item for a batch of histories (oldest first) with CPD.",
  z.strictObject({
    artifact_version: ArtifactVersion,
    histories: z.array(z.array(ItemId).min(1).max(DENOISE_MAX_HISTORY)).min(1).max(256),
    k: z.int().min(1).max(DENOISE_MAX_K).default(10),
    beam: z.int().min(1).max(512).optional(),
  }),
);
export const DenoiseResponse = define(
  "DenoiseResponse",
  "Top-k items per history, in request order.",
  z.strictObject({
    artifact_version: z.string(),
    digits: z
      .int()
      .min(1)
      .optional()
      .describe(
        "how many codes a SID of this version has (a collision digit included): the edge checks that " +
          "the version's SID artifact encodes new items to as many (absent from workers before it)",
      ),
    bucket_prior: z
      .number()
      .min(0)
      .optional()
      .describe(
        "the weight of log P(item | SID) in the items' scores (the version's decode.bucket_prior): the " +
          "edge scores each of the n items added after training that share an unmatched SID at that " +
          "SID's score + bucket_prior x log(1/n), as the worker would score a bucket of untrained items",
      ),
    results: z.array(
      define(
        "DenoiseResult",
        "Top-k items for one history; `invalid` counts decoded SIDs that map to no item, and " +
          "`unmatched` lists the best k of them (distinct, best first): the edge maps them to items " +
          "added after training (cold start).",
        z.strictObject({
          items: z.array(ScoredItem),
          invalid: z.int().min(0),
          unmatched: z
            .array(
              define(
                "ScoredSid",
                "A decoded semantic ID and its log-probability.",
                z.strictObject({ codes: z.array(z.int().min(0).max(255)), score: z.number() }),
              ),
            )
            .optional(),
        }),
      ),
    ),
  }),
);

/** Every RPC method: its request and reply schemas. The route is `POST /rpc/<method>`. */
export const rpcMethods = {
  health: { request: HealthRequest, response: HealthResponse },
  embed: { request: EmbedRequest, response: EmbedResponse },
  assign_sids: { request: AssignSidsRequest, response: AssignSidsResponse },
  train: { request: TrainRequest, response: Job },
  job_status: { request: JobRef, response: Job },
  cancel_job: { request: JobRef, response: Job },
  denoise: { request: DenoiseRequest, response: DenoiseResponse },
} as const;
export type RpcMethod = keyof typeof rpcMethods;
export type RpcRequest<M extends RpcMethod> = z.input<(typeof rpcMethods)[M]["request"]>;
export type RpcResponse<M extends RpcMethod> = z.infer<(typeof rpcMethods)[M]["response"]>;
export type HealthRequest = z.infer<typeof HealthRequest>;
export type HealthResponse = z.infer<typeof HealthResponse>;
export type EmbedRequest = z.infer<typeof EmbedRequest>;
export type EmbedResponse = z.infer<typeof EmbedResponse>;
export type AssignSidsRequest = z.infer<typeof AssignSidsRequest>;
export type AssignSidsResponse = z.infer<typeof AssignSidsResponse>;
export type DatasetRef = z.infer<typeof DatasetRef>;
export type TrainRequest = z.infer<typeof TrainRequest>;
export type JobRef = z.infer<typeof JobRef>;
export type Job = z.infer<typeof Job>;
export type DenoiseRequest = z.infer<typeof DenoiseRequest>;
export type DenoiseResponse = z.infer<typeof DenoiseResponse>;
