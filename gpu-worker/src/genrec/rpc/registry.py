"""Every RPC method: request model, response model, handler. The HTTP server and the Modal app both
serve exactly this table, so a method behaves the same on a laptop CPU and on a Modal GPU."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from genrec.rpc.context import RpcContext
from genrec.rpc.errors import RpcError
from genrec.rpc.handlers import assign_sids, cancel_job, denoise, embed, health, job_status, train
from genrec.rpc.models import (
    AssignSidsRequest,
    AssignSidsResponse,
    DenoiseRequest,
    DenoiseResponse,
    EmbedRequest,
    EmbedResponse,
    HealthRequest,
    HealthResponse,
    Job,
    JobRef,
    TrainRequest,
)

Req = TypeVar("Req", bound=BaseModel)
Res = TypeVar("Res", bound=BaseModel)


@dataclass(frozen=True)
class Method(Generic[Req, Res]):
    request: type[Req]
    response: type[Res]
    handler: Callable[[Req, RpcContext], Res]


# Same names and shapes as `rpcMethods` in shared/src/rpc.ts (a test compares them).
# Implementing a method means replacing `not_implemented` on its line.
METHODS: Mapping[str, Method[Any, Any]] = MappingProxyType(
    {
        "health": Method(HealthRequest, HealthResponse, health),
        "embed": Method(EmbedRequest, EmbedResponse, embed),
        "assign_sids": Method(AssignSidsRequest, AssignSidsResponse, assign_sids),
        "train": Method(TrainRequest, Job, train),
        "job_status": Method(JobRef, Job, job_status),
        "cancel_job": Method(JobRef, Job, cancel_job),
        "denoise": Method(DenoiseRequest, DenoiseResponse, denoise),
    }
)


def lookup(name: str) -> Method[Any, Any]:
    method = METHODS.get(name)
    if method is None:
        raise RpcError(404, "not_found", f"unknown RPC method {name[:64]!r}")
    return method


def dispatch(name: str, payload: object, context: RpcContext) -> dict[str, Any]:
    """Validate `payload` (JSON text as str/bytes, or already-parsed JSON), run the handler and return
    the response as JSON-ready data. Raises RpcError for what the caller got wrong."""
    method = lookup(name)
    try:
        if isinstance(payload, str | bytes | bytearray):
            request = method.request.model_validate_json(payload)  # strict JSON: no NaN, malformed -> path []
        else:
            request = method.request.model_validate(payload)
    except ValidationError as exc:
        raise RpcError.invalid_request(exc) from None
    response = method.handler(request, context)
    # A wrong response is the worker's bug, so it must surface as 500 (not RpcError), never as a 400.
    if not isinstance(response, method.response):
        raise TypeError(f"{name} handler returned {type(response).__name__}, not {method.response.__name__}")
    # The contract's optional fields are absent when unset, never null.
    return response.model_dump(mode="json", exclude_none=True)
