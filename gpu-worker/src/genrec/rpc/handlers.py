"""RPC handlers: plain functions `(request model, context) -> response model`, free of any transport."""

from __future__ import annotations

import functools
import os
from importlib.metadata import PackageNotFoundError, version
from typing import NoReturn

from pydantic import BaseModel

from genrec.rpc.context import RpcContext
from genrec.rpc.errors import RpcError
from genrec.rpc.models import HealthRequest, HealthResponse

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


def not_implemented(request: BaseModel, context: RpcContext) -> NoReturn:
    """Placeholder for methods whose contract exists but whose work lands in a later issue."""
    raise RpcError(501, "not_implemented", f"RPC method {context.method!r} is not implemented yet")
