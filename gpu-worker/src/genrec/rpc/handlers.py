"""RPC handlers: plain functions `(request model, context) -> response model`, free of any transport.
Errors a handler does not raise as RpcError are mapped in one place, genrec.rpc.errors."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import NoReturn

import numpy as np
from pydantic import BaseModel

from genrec.embed import (
    DEFAULT_MODEL,
    ItemFields,
    TextSource,
    UnknownModelError,
    canonical_model,
    embed_texts,
    parse_text_source,
    source_text,
)
from genrec.jobs import service as jobs
from genrec.jobs.settings import job_sids_root
from genrec.rpc.context import RpcContext
from genrec.rpc.errors import RpcError
from genrec.rpc.models import (
    AssignSidsRequest,
    AssignSidsResponse,
    DenoiseRequest,
    DenoiseResponse,
    DenoiseResult,
    EmbedRequest,
    EmbedResponse,
    ErrorIssue,
    HealthRequest,
    HealthResponse,
    Job,
    JobRef,
    ScoredItem,
    ScoredSid,
    SemanticId,
    TrainRequest,
)
from genrec.sid.artifacts import ArtifactNotFoundError, load_artifact

VERSION_ENV = "GENREC_VERSION"


def package_version() -> str:
    """The installed `genrec` version; else $GENREC_VERSION, which the Modal image sets because it
    ships this package as source, without install metadata; else "unknown"."""
    try:
        return version("genrec")
    except PackageNotFoundError:
        return os.environ.get(VERSION_ENV, "unknown")


@functools.cache  # Lazy process-wide resource: importing torch takes seconds, and the answer never changes.
def current_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def health(request: HealthRequest, context: RpcContext) -> HealthResponse:
    return HealthResponse(
        status="ok", version=package_version(), runtime=context.runtime, device=current_device()
    )


def embed(request: EmbedRequest, context: RpcContext) -> EmbedResponse:
    """Texts -> L2-normalised float32 vectors with a packaged model (never a path or a download)."""
    try:
        model = canonical_model(request.model or DEFAULT_MODEL)
    except UnknownModelError as exc:
        issue = ErrorIssue(code="unknown_model", path=["model"], message=str(exc))
        raise RpcError(400, "invalid_request", str(exc), [issue]) from None
    vectors = embed_texts(request.texts, model)  # the model loads once per process (genrec.embed.encoder)
    return EmbedResponse(model=model, dim=vectors.shape[1], vectors=vectors.tolist())


def assign_sids(request: AssignSidsRequest, context: RpcContext) -> AssignSidsResponse:
    """Items -> SIDs with the encoder, template and codebooks stored in the named artifact version
    (under $GENREC_ARTIFACTS_DIR, else one a training job published under <jobs root>/.sids; read
    once per process). Every item is encoded from its text, so a catalogue item gets the SID it has
    in the version's table as long as its text is unchanged."""
    try:
        artifact = load_artifact(request.artifact_version)
    except ArtifactNotFoundError:
        try:
            artifact = load_artifact(request.artifact_version, job_sids_root())
        except ArtifactNotFoundError:
            msg = f"no SID artifact version {request.artifact_version!r}"
            raise RpcError(404, "not_found", msg) from None
    wanted = text_source(request.text_source) if request.text_source else None  # a 400 before any encoding
    texts, embedded = artifact.embed_items(request.items)
    codes = artifact.encode(embedded)
    known = (texts, artifact.manifest.model, embedded)
    vectors = None if wanted is None else text_vectors(request.items, wanted, known)
    return AssignSidsResponse(
        artifact_version=request.artifact_version,
        digits=artifact.digits,
        sids=[
            SemanticId(
                item_id=item.id,
                codes=row.tolist(),
                **({"vector": vectors[i].tolist()} if vectors is not None else {}),
            )
            for i, (item, row) in enumerate(zip(request.items, codes, strict=True))
        ],
    )


def text_source(label: str) -> tuple[TextSource, str]:
    """An RPG set's ``text.source`` label -> (text source, packaged encoder); a 400 on
    ``text_source`` for anything else."""
    try:
        source, name = parse_text_source(label)
        return source, canonical_model(name)
    except ValueError as exc:  # UnknownModelError is one too
        issue = ErrorIssue(code="invalid_text_source", path=["text_source"], message=str(exc))
        raise RpcError(400, "invalid_request", str(exc), [issue]) from None


def text_vectors(
    items: Sequence[ItemFields],
    wanted: tuple[TextSource, str],
    known: tuple[list[str], str, np.ndarray] | None = None,
) -> np.ndarray:
    """Unit text vectors [n, D] of items as an RPG set's ``text.f32`` rows were built (rpg.export:
    ``item_vectors``, the ``rpg`` template) from the text source and encoder ``wanted``.
    ``known`` (texts, encoder, their vectors), the SID encoding's, is reused when it is the same
    texts through the same encoder, as for a set whose SIDs came from its own text vectors."""
    source, model = wanted
    texts = [source_text(item, "rpg", source) for item in items]
    if known is not None and known[1] == model and known[0] == texts:
        return known[2]
    return embed_texts(texts, model)


def denoise(request: DenoiseRequest, context: RpcContext) -> DenoiseResponse:
    """DiffGRM: histories (item ids, oldest first) -> top-k items by CPD, with the artifact version's
    weights (under $GENREC_ARTIFACTS_DIR; read once per process). Unknown item ids are dropped."""
    from genrec.diffgrm import serve  # torch loads on first use, not when the server starts

    try:
        served = serve.load_served(request.artifact_version)
    except ArtifactNotFoundError:
        raise RpcError(404, "not_found", f"no DiffGRM artifact {request.artifact_version!r}") from None
    try:
        answers = serve.denoise(served, [h.root for h in request.histories], request.k, request.beam)
    except serve.EmptyHistoryError as exc:
        issue = ErrorIssue(code="no_known_items", path=["histories", exc.index], message=str(exc))
        raise RpcError(400, "invalid_request", str(exc), [issue]) from None
    return DenoiseResponse(
        artifact_version=request.artifact_version,
        digits=served.config.model.n_digits,
        bucket_prior=served.config.decode.bucket_prior,
        results=[
            DenoiseResult(
                items=[ScoredItem(item_id=i, score=s) for i, s in items],
                invalid=invalid,
                unmatched=[ScoredSid(codes=codes, score=score) for codes, score in unmatched],
            )
            for items, invalid, unmatched in answers
        ],
    )


def train(request: TrainRequest, context: RpcContext) -> Job:
    """Validate and start a training job (genrec.jobs); answers at once with the queued job."""
    return jobs.current().start(request)


def job_status(request: JobRef, context: RpcContext) -> Job:
    return jobs.current().status(request.job_id)


def cancel_job(request: JobRef, context: RpcContext) -> Job:
    return jobs.current().cancel(request.job_id)


def not_implemented(request: BaseModel, context: RpcContext) -> NoReturn:
    """Placeholder for methods whose contract exists but whose work lands in a later issue."""
    raise RpcError(501, "not_implemented", f"RPC method {context.method!r} is not implemented yet")
