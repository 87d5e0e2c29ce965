"""What a handler may know about the call besides its request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Mirrors HealthResponse.runtime in the contract; building a HealthResponse checks it at run time.
Runtime = Literal["local", "modal"]


@dataclass(frozen=True)
class RpcContext:
    runtime: Runtime
    method: str
    request_id: str
