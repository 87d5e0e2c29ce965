# GENERATED FILE, do not edit. Source: shared/schema/genrec.schema.json (emitted from shared/src).
# Regenerate: cd gpu-worker && uv run python -m genrec.rpc.codegen  (check only: --check)

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, RootModel, confloat, conint, constr


class ArtifactFile(BaseModel):
    """
    Size and SHA-256 of one file of an artifact set, checked before the set can go live.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    bytes: conint(ge=0, le=9007199254740991)
    sha256: constr(pattern=r"^[0-9a-f]{64}$")


class ArtifactUploadResult(BaseModel):
    """
    One artifact file stored in R2, awaiting registration of its set.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    file: Literal[
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
    ]
    bytes: conint(ge=0, le=9007199254740991)


class BuiltinDataset(BaseModel):
    """
    A dataset the worker ships or mounts: the bundled sample, or Amazon 2014 Beauty / Sports.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    kind: Literal["builtin"]
    name: Literal["sample", "beauty", "sports", "toys"]


class DeleteResult(BaseModel):
    """
    How many stored rows a delete removed.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    deleted: conint(ge=0, le=9007199254740991)


class History(RootModel[list[constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=256)]]):
    root: list[constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=256)] = Field(
        ..., max_length=200, min_length=1
    )


class DenoiseRequest(BaseModel):
    """
    DiffGRM: decode the next item for a batch of histories (oldest first) with CPD.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    artifact_version: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", min_length=1, max_length=128)
    histories: list[History] = Field(..., max_length=256, min_length=1)
    k: conint(ge=1, le=100) = 10
    beam: conint(ge=1, le=512) | None = None


class EmbedRequest(BaseModel):
    """
    Embed item texts with a sentence-transformers model (the worker's default when omitted).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    texts: list[constr(min_length=1, max_length=20000)] = Field(..., max_length=1024, min_length=1)
    model: constr(min_length=1, max_length=200) | None = None


class EmbedResponse(BaseModel):
    """
    One L2-normalised float32 vector per input text, in input order.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    model: str
    dim: conint(le=9007199254740991, gt=0)
    vectors: list[list[float]]


class Onnx(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    file: Literal["model.onnx", "model.int8.onnx"]
    input: Literal["history"]
    output: Literal["user"]
    opset: conint(ge=-9007199254740991, le=9007199254740991)
    quantized: bool


class EmbeddingManifest(BaseModel):
    """
    A SASRec or eSASRec set: the ONNX user side (history -> user vector of `dim`) and the item embedding matrix `embeddings.f32` [N+1, dim]; an item's score is its dot product with the user.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    format: Literal[1]
    version: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", min_length=1, max_length=128)
    dataset: constr(min_length=1)
    created_at: AwareDatetime
    n_items: conint(ge=1, le=9007199254740991)
    max_len: conint(ge=1, le=200)
    metrics: dict[str, float]
    files: dict[
        Literal[
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
        ],
        ArtifactFile,
    ]
    model: Literal["sasrec", "esasrec"]
    dim: conint(ge=1, le=4096)
    onnx: Onnx


class ErrorIssue(BaseModel):
    """
    One problem found in a request, located by its path.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    code: str
    path: list[str | conint(ge=-9007199254740991, le=9007199254740991)]
    message: str


class Event(BaseModel):
    """
    One user-item interaction. `event_id` is the idempotency key: a replay stores nothing twice, and a reuse with a different payload is refused as a conflict.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    event_id: constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=128)
    user_id: constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=256)
    item_id: constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=256)
    timestamp: AwareDatetime
    type: Literal["view", "click", "add_to_cart", "purchase", "rating", "review"] = "view"
    recommendation_id: constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=128) | None = None


class EventsBatch(BaseModel):
    """
    Ingest up to 1,000 events, all or nothing. Replays of a stored event_id (same payload) are counted as duplicates, not stored again; an event_id stored with a different payload is a 409 conflict.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    events: list[Event] = Field(..., max_length=1000, min_length=1)


class ExperimentArm(BaseModel):
    """
    One arm of an experiment: the version that serves it and its share of the traffic.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    name: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", min_length=1, max_length=32)
    version: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", min_length=1, max_length=128)
    share: confloat(le=1.0, gt=0.0)


class ExperimentStart(BaseModel):
    """
    Start an experiment: two to ten arms with distinct names and versions whose shares sum to 1. Only one experiment runs at a time; a version is a published one or `builtin-popularity`.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", min_length=1, max_length=64)
    arms: list[ExperimentArm] = Field(..., max_length=10, min_length=2)


class HealthRequest(BaseModel):
    """
    RPC health: no arguments.
    """

    model_config = ConfigDict(
        extra="forbid",
    )


class HealthResponse(BaseModel):
    """
    RPC health: what is serving and on which device.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    status: Literal["ok"]
    version: str
    runtime: Literal["local", "modal"]
    device: str


class HistoryEntry(BaseModel):
    """
    One stored interaction of a user.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    event_id: str
    item_id: constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=256)
    timestamp: AwareDatetime
    type: Literal["view", "click", "add_to_cart", "purchase", "rating", "review"]


class IngestResult(BaseModel):
    """
    Events newly stored and events ignored because their event_id was already stored.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    accepted: conint(ge=0, le=9007199254740991)
    duplicates: conint(ge=0, le=9007199254740991)


class Item(BaseModel):
    """
    A catalogue item. Text fields feed the semantic-ID embedding; all but `id` are optional.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=256)
    title: constr(max_length=2000) | None = None
    brand: constr(max_length=500) | None = None
    categories: list[constr(min_length=1, max_length=500)] | None = Field(None, max_length=64)
    description: constr(max_length=50000) | None = None
    price: confloat(ge=0.0) | None = None
    attributes: dict[constr(min_length=1, max_length=128), constr(max_length=1000) | float | bool] | None = (
        None
    )


class ItemSid(BaseModel):
    """
    An item's semantic ID in the live RPG version: `trained` (in the version's own table), or for an item added after training `pending` (the GPU worker is encoding its text with the version's codebooks), `ready` (recommendable, without retraining) or `failed` (retried on the next catalogue write; `error` says why). `codes` is the semantic ID itself, one code (0-255) per digit, once known (`trained` in an RPG version, `ready`).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    model_version: str
    state: Literal["trained", "pending", "ready", "failed"]
    codes: list[conint(ge=0, le=255)] | None = Field(None, min_length=1)
    attempts: conint(ge=0, le=9007199254740991) | None = None
    error: str | None = None


class ItemsBatch(BaseModel):
    """
    Upsert up to 1,000 items in one call; the whole batch is validated before anything is written.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    items: list[Item] = Field(..., max_length=1000, min_length=1)


class Job(BaseModel):
    """
    A training job: state, progress, the tail of its log and, when done, what it produced.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    job_id: str
    model: Literal["popularity", "content-knn", "sasrec", "esasrec", "rpg", "diffgrm"]
    state: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    phase: str
    progress: confloat(ge=0.0, le=1.0)
    created_at: AwareDatetime
    updated_at: AwareDatetime
    logs: list[str]
    artifact_version: str | None = None
    metrics: dict[str, float] | None = None
    error: str | None = None


class JobRef(BaseModel):
    """
    Names one training job.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    job_id: constr(pattern=r"^[A-Za-z0-9_-]{1,128}$")


class KnnManifest(BaseModel):
    """
    A content-kNN set: each item's `neighbours` nearest items by the cosine of their text embeddings (graph.*: CSR rows, scores); a history scores an item by the sum over its items of decay^age x similarity (decay 0: the newest item only).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    format: Literal[1]
    version: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", min_length=1, max_length=128)
    dataset: constr(min_length=1)
    created_at: AwareDatetime
    n_items: conint(ge=1, le=9007199254740991)
    max_len: conint(ge=1, le=200)
    metrics: dict[str, float]
    files: dict[
        Literal[
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
        ],
        ArtifactFile,
    ]
    model: Literal["content-knn"]
    encoder: str
    text: str
    neighbours: conint(ge=1, le=9007199254740991)
    decay: confloat(ge=0.0, le=1.0)


class Liveness(BaseModel):
    """
    The edge process answers. Touches no binding.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    status: Literal["ok"]
    version: str


class ModelVersion(BaseModel):
    """
    A published artifact set and whether it is the one serving.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    version: str
    model: Literal["popularity", "content-knn", "sasrec", "esasrec", "rpg", "diffgrm"]
    created_at: AwareDatetime
    activated_at: AwareDatetime | None
    live: bool


class PromoteRequest(BaseModel):
    """
    The arm whose version goes live as the experiment ends.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    arm: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", min_length=1, max_length=32)


class Proportion(BaseModel):
    """
    A share with its 95% Wilson score interval.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    value: float
    low: float
    high: float


class Checks(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    d1: bool
    r2: bool


class Readiness(BaseModel):
    """
    Whether the edge can serve: its storage bindings answer, and which model version is live.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    status: Literal["ready", "degraded"]
    version: str
    live_model: str | None
    checks: Checks


class RecommendFallback(BaseModel):
    """
    Present when the requested (or live) model did not answer and popularity or the version's fallback did: the worker failed (its error code), its circuit is open after repeated timeouts (circuit_open), the user has no stored events (unknown_user), or no history item is known (unknown_items, listed in `unknown_items`); the last two are answered by popularity.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    from_version: str
    reason: Literal[
        "invalid_request",
        "unauthorized",
        "forbidden",
        "not_found",
        "method_not_allowed",
        "conflict",
        "payload_too_large",
        "unsupported_media_type",
        "upstream_timeout",
        "upstream_unavailable",
        "upstream_invalid",
        "invalid_artifact",
        "not_implemented",
        "internal",
        "circuit_open",
        "unknown_user",
        "unknown_items",
    ]


class RemoteModelManifest(BaseModel):
    """
    A model the GPU worker serves over RPC (DiffGRM's denoise): the edge calls it within `deadline_ms` and answers from `fallback_version` (an edge model), or popularity, when the worker is slow, down or refuses.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    format: Literal[1]
    version: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", min_length=1, max_length=128)
    model: Literal["diffgrm"]
    artifact_version: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", min_length=1, max_length=128)
    deadline_ms: conint(ge=10, le=30000) = 1500
    beam: conint(ge=1, le=512) | None = None
    fallback_version: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", min_length=1, max_length=128) | None = (
        None
    )
    sid_artifact: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", min_length=1, max_length=128) | None = None
    metrics: dict[str, float] = {}


class Decode(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    beam: conint(ge=1, le=9007199254740991)
    neighbours: conint(ge=1, le=9007199254740991)
    steps: conint(ge=0, le=9007199254740991)


class Onnx1(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    file: Literal["model.onnx", "model.int8.onnx"]
    input: Literal["history"]
    output: Literal["logprobs"]
    opset: conint(ge=-9007199254740991, le=9007199254740991)
    quantized: bool


class RpgTextTerm(BaseModel):
    """
    The text term of an RPG set (model.text_head, or the content-kNN prior folded in): the ONNX model also answers `output` [B, dim], and each item's score gains its dot product with the item's text vector (`file`: float32 [N+1, dim], row 0 zero).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    file: Literal["text.f32"]
    dim: conint(ge=1, le=4096)
    output: Literal["text_query"]
    input: Literal["last_text"] | None = None
    source: str
    prior: confloat(ge=0.0)


class ScoredItem(BaseModel):
    """
    A recommended item with its model score (higher is better; scales differ per model).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    item_id: constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=256)
    score: float


class ScoredSid(BaseModel):
    """
    A decoded semantic ID and its log-probability.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    codes: list[conint(ge=0, le=255)]
    score: float


class SemanticId(BaseModel):
    """
    An item's semantic ID: one code (0..255) per digit.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    item_id: constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=256)
    codes: list[conint(ge=0, le=255)]
    vector: list[float] | None = None


class ServedArm(BaseModel):
    """
    Which experiment arm served this answer (`experiment_id` null: no experiment; arm `live` or `pinned`).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    experiment_id: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", min_length=1, max_length=64) | None
    name: str


class SessionRecommendRequest(BaseModel):
    """
    Recommendations for an anonymous session: the history travels in the body, oldest first.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    history: list[constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=256)] = Field(
        ..., max_length=200, min_length=1
    )
    n: conint(ge=1, le=100) = 10
    exclude_seen: bool = True
    model_version: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", min_length=1, max_length=128) | None = None
    session_key: constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=256) | None = None


class SnapshotDataset(BaseModel):
    """
    A snapshot of items and events the edge wrote, by its URL on that edge (file paths and other hosts are refused: the worker fetches it from its configured edge with an admin key).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    kind: Literal["snapshot"]
    uri: constr(pattern=r"^https?:\/\/[^/?#\s]+\/v1\/snapshots\/[a-z0-9-]{8,64}$", max_length=1024)


class StoredItem(BaseModel):
    """
    A catalogue item as stored, with its semantic-ID state in the live RPG version (`sid`; absent when no RPG version is live).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=256)
    title: constr(max_length=2000) | None = None
    brand: constr(max_length=500) | None = None
    categories: list[constr(min_length=1, max_length=500)] | None = Field(None, max_length=64)
    description: constr(max_length=50000) | None = None
    price: confloat(ge=0.0) | None = None
    attributes: dict[constr(min_length=1, max_length=128), constr(max_length=1000) | float | bool] | None = (
        None
    )
    sid: ItemSid | None = None


class UpsertResult(BaseModel):
    """
    How many items were written (created or replaced); `sids_pending`: how many of them the live RPG version does not know and whose semantic IDs the GPU worker now computes in the background (GET /v1/items/{item_id} shows each one's state).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    upserted: conint(ge=0, le=9007199254740991)
    sids_pending: conint(ge=0, le=9007199254740991) | None = None


class UserHistory(BaseModel):
    """
    A user's most recent interactions, oldest first.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    user_id: constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=256)
    events: list[HistoryEntry]


class ArmMetrics(BaseModel):
    """
    Answers served by one version in one arm, and the events attributed to them (by their recommendation_id). click_through: answers with an attributed click; hit_rate: answers with an attributed event on one of the items they recommended. `fallbacks`: answers another model gave.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    experiment_id: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", min_length=1, max_length=64) | None
    arm: str
    version: str
    served: conint(ge=0, le=9007199254740991)
    fallbacks: conint(ge=0, le=9007199254740991)
    events: dict[
        Literal["view", "click", "add_to_cart", "purchase", "rating", "review"],
        conint(ge=0, le=9007199254740991),
    ]
    click_through: Proportion
    hit_rate: Proportion


class AssignSidsRequest(BaseModel):
    """
    Encode items into semantic IDs with the stored codebooks of an artifact version (cold start).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    artifact_version: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", min_length=1, max_length=128)
    items: list[Item] = Field(..., max_length=1024, min_length=1)
    text_source: constr(min_length=1, max_length=200) | None = None


class AssignSidsResponse(BaseModel):
    """
    One semantic ID (digits, each 0..255) per input item, in input order (with its text vector on request).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    artifact_version: str
    digits: conint(le=9007199254740991, gt=0)
    sids: list[SemanticId]


class DenoiseResult(BaseModel):
    """
    Top-k items for one history; `invalid` counts decoded SIDs that map to no item, and `unmatched` lists the best k of them (distinct, best first): the edge maps them to items added after training (cold start).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    items: list[ScoredItem]
    invalid: conint(ge=0, le=9007199254740991)
    unmatched: list[ScoredSid] | None = None


class Error(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    code: Literal[
        "invalid_request",
        "unauthorized",
        "forbidden",
        "not_found",
        "method_not_allowed",
        "conflict",
        "payload_too_large",
        "unsupported_media_type",
        "upstream_timeout",
        "upstream_unavailable",
        "upstream_invalid",
        "invalid_artifact",
        "not_implemented",
        "internal",
    ]
    message: str
    issues: list[ErrorIssue]


class ErrorEnvelope(BaseModel):
    """
    The body of every 4xx/5xx answer, from the edge and from the GPU worker alike.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    error: Error
    request_id: str


class Experiment(BaseModel):
    """
    An experiment as stored: `winner` names the promoted arm, whose version went live when it ended.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", min_length=1, max_length=64)
    status: Literal["running", "stopped", "promoted"]
    arms: list[ExperimentArm]
    started_at: AwareDatetime
    ended_at: AwareDatetime | None
    winner: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", min_length=1, max_length=32) | None


class ExperimentList(BaseModel):
    """
    Every experiment, newest first.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    experiments: list[Experiment]


class MetricsReport(BaseModel):
    """
    Online metrics per version and arm over a time window of serving.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    from_: AwareDatetime = Field(..., alias="from")
    to: AwareDatetime
    arms: list[ArmMetrics]


class ModelList(BaseModel):
    """
    Every published version, newest first.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    models: list[ModelVersion]


class RecommendResponse(BaseModel):
    """
    Ranked items, best first, with the model version that produced them.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    recommendation_id: str
    model: Literal["popularity", "content-knn", "sasrec", "esasrec", "rpg", "diffgrm"]
    model_version: str
    items: list[ScoredItem]
    unknown_items: list[constr(pattern=r"^[^\p{Cc}\p{Cf}\s]+$", min_length=1, max_length=256)] | None = None
    fallback: RecommendFallback | None = None
    arm: ServedArm | None = None


class RpgManifest(BaseModel):
    """
    An RPG set: semantic IDs, item graph and the ONNX user side that predicts every digit's codes.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    format: Literal[1]
    version: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", min_length=1, max_length=128)
    dataset: constr(min_length=1)
    created_at: AwareDatetime
    n_items: conint(ge=1, le=9007199254740991)
    max_len: conint(ge=1, le=200)
    metrics: dict[str, float]
    files: dict[
        Literal[
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
        ],
        ArtifactFile,
    ]
    model: Literal["rpg"]
    digits: conint(ge=1, le=64)
    codebook: Literal[256]
    encoder: str
    sid_scheme: str
    sid_artifact: constr(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", min_length=1, max_length=128) | None = None
    decode: Decode
    onnx: Onnx1
    text: RpgTextTerm | None = None
    repeat_bias: float | None = None


class TrainJobRequest(BaseModel):
    """
    Start training from the edge. Without `dataset`, the edge snapshots its stored items and events for the job.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    model: Literal["popularity", "content-knn", "sasrec", "esasrec", "rpg", "diffgrm"]
    dataset: BuiltinDataset | SnapshotDataset | None = None
    """
    Where training data comes from: a dataset the worker knows, or a snapshot the edge wrote.
    """
    preset: Literal["tiny", "quick", "cpu", "full"] = "quick"
    overrides: dict[constr(min_length=1, max_length=64), float | str | bool] | None = None


class TrainRequest(BaseModel):
    """
    Start a training job. Returns at once with a job id; poll JobStatus.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    model: Literal["popularity", "content-knn", "sasrec", "esasrec", "rpg", "diffgrm"]
    dataset: BuiltinDataset | SnapshotDataset
    """
    Where training data comes from: a dataset the worker knows, or a snapshot the edge wrote.
    """
    preset: Literal["tiny", "quick", "cpu", "full"] = "quick"
    overrides: dict[constr(min_length=1, max_length=64), float | str | bool] | None = None


class ArtifactManifest(RootModel[RpgManifest | EmbeddingManifest | KnnManifest]):
    root: RpgManifest | EmbeddingManifest | KnnManifest
    """
    Describes a published artifact set: what model, which data, how to score, and every file's checksum.
    """


class DenoiseResponse(BaseModel):
    """
    Top-k items per history, in request order.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    artifact_version: str
    digits: conint(ge=1, le=9007199254740991) | None = None
    bucket_prior: confloat(ge=0.0) | None = None
    results: list[DenoiseResult]
