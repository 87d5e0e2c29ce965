import { z } from "zod";
import { Event, EventType, Item } from "./catalog.ts";
import { ArtifactVersion, ItemId, ModelKind, queryInt, UserId } from "./common.ts";
import { define } from "./registry.ts";
import { DatasetRef, SnapshotId, TrainRequest } from "./rpc.ts";

/*
 * Public HTTP API bodies beyond recommendations: catalogue and event ingest, history, model
 * versions. Path and query shapes are here too, unregistered (they never travel as JSON bodies).
 */

export const ItemsBatch = define(
  "ItemsBatch",
  "Upsert up to 1,000 items in one call; the whole batch is validated before anything is written.",
  z.strictObject({ items: z.array(Item).min(1).max(1000) }),
);

export const SidState = z.enum(["trained", "pending", "ready", "failed"]);
export type SidState = z.infer<typeof SidState>;

export const ItemSid = define(
  "ItemSid",
  "An item's semantic ID in the live RPG version: `trained` (in the version's own table), or for " +
    "an item added after training `pending` (the GPU worker is encoding its text with the version's " +
    "codebooks), `ready` (recommendable, without retraining) or `failed` (retried on the next " +
    "catalogue write; `error` says why). `codes` is the semantic ID itself, one code (0-255) per " +
    "digit, once known (`trained` in an RPG version, `ready`).",
  z.strictObject({
    model_version: z.string(),
    state: SidState,
    codes: z.array(z.int().min(0).max(255)).min(1).optional(),
    attempts: z.int().min(0).optional(),
    error: z.string().optional(),
  }),
);
export type ItemSid = z.infer<typeof ItemSid>;

export const StoredItem = define(
  "StoredItem",
  "A catalogue item as stored, with its semantic-ID state in the live RPG version (`sid`; absent " +
    "when no RPG version is live).",
  Item.extend({ sid: ItemSid.optional() }),
);
export type StoredItem = z.infer<typeof StoredItem>;

export const UpsertResult = define(
  "UpsertResult",
  "How many items were written (created or replaced); `sids_pending`: how many of them the live RPG " +
    "version does not know and whose semantic IDs the GPU worker now computes in the background " +
    "(GET /v1/items/{item_id} shows each one's state).",
  z.strictObject({ upserted: z.int().min(0), sids_pending: z.int().min(0).optional() }),
);

export const EventsBatch = define(
  "EventsBatch",
  "Ingest up to 1,000 events, all or nothing. Replays of a stored event_id (same payload) are counted " +
    "as duplicates, not stored again; an event_id stored with a different payload is a 409 conflict.",
  z.strictObject({ events: z.array(Event).min(1).max(1000) }),
);

export const IngestResult = define(
  "IngestResult",
  "Events newly stored and events ignored because their event_id was already stored.",
  z.strictObject({ accepted: z.int().min(0), duplicates: z.int().min(0) }),
);

export const HistoryEntry = define(
  "HistoryEntry",
  "One stored interaction of a user.",
  z.strictObject({
    event_id: z.string(),
    item_id: ItemId,
    timestamp: z.iso.datetime({ offset: true }),
    type: EventType,
  }),
);

export const UserHistory = define(
  "UserHistory",
  "A user's most recent interactions, oldest first.",
  z.strictObject({ user_id: UserId, events: z.array(HistoryEntry) }),
);

export const DeleteResult = define(
  "DeleteResult",
  "How many stored rows a delete removed.",
  z.strictObject({ deleted: z.int().min(0) }),
);

export const ModelVersion = define(
  "ModelVersion",
  "A published artifact set and whether it is the one serving.",
  z.strictObject({
    version: z.string(),
    model: ModelKind,
    created_at: z.iso.datetime({ offset: true }),
    activated_at: z.iso.datetime({ offset: true }).nullable(),
    live: z.boolean(),
  }),
);

export const ModelList = define(
  "ModelList",
  "Every published version, newest first.",
  z.strictObject({ models: z.array(ModelVersion) }),
);

/** `{user_id}` path parameter. */
export const UserParam = z.strictObject({ user_id: UserId });
/** `{item_id}` path parameter. */
export const ItemParam = z.strictObject({ item_id: ItemId });
/** Query of `GET /v1/items/{item_id}/similar`. */
export const SimilarQuery = z.strictObject({
  n: queryInt(100).optional(),
  model_version: ArtifactVersion.optional(),
});
/** `{version}` path parameter. */
export const VersionParam = z.strictObject({ version: ArtifactVersion });
/** Query of `GET /v1/users/{user_id}/history`. */
export const HistoryQuery = z.strictObject({
  limit: queryInt(1000).optional(),
});

export const TrainJobRequest = define(
  "TrainJobRequest",
  "Start training from the edge. Without `dataset`, the edge snapshots its stored items and events for the job.",
  TrainRequest.extend({ dataset: DatasetRef.optional() }),
);
export type TrainJobRequest = z.infer<typeof TrainJobRequest>;

/** `{snapshot_id}/{file}` of `GET /v1/snapshots/...`: the files a training snapshot consists of. */
export const SnapshotFileParam = z.strictObject({
  snapshot_id: SnapshotId,
  file: z.enum(["items.jsonl", "events.jsonl"]),
});
export type ItemsBatch = z.infer<typeof ItemsBatch>;
export type UpsertResult = z.infer<typeof UpsertResult>;
export type EventsBatch = z.infer<typeof EventsBatch>;
export type IngestResult = z.infer<typeof IngestResult>;
export type HistoryEntry = z.infer<typeof HistoryEntry>;
export type UserHistory = z.infer<typeof UserHistory>;
export type DeleteResult = z.infer<typeof DeleteResult>;
export type ModelVersion = z.infer<typeof ModelVersion>;
export type ModelList = z.infer<typeof ModelList>;
