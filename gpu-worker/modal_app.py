"""Modal shell over the genrec RPC handlers: one GPU class serving the same method table as the local
server, as a Modal method (`rpc`) and as an authenticated HTTPS endpoint (`web`).

    uv run modal deploy modal_app.py     # needs Modal credentials and the `genrec-rpc` secret
    modal secret create genrec-rpc GENREC_RPC_TOKEN=<token shared with the edge>

Library code never imports modal; everything here is wiring.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import modal

# genrec's modules are light (torch loads lazily) and the deploying machine has them: plain imports.
from genrec.rpc.context import RpcContext
from genrec.rpc.errors import error_response
from genrec.rpc.handlers import VERSION_ENV, current_device, package_version
from genrec.rpc.registry import dispatch
from genrec.server.app import TOKEN_ENV, create_app

app = modal.App("genrec-edge")

PROJECT_DIR = Path(__file__).resolve().parent
UV_VERSION = "0.13.9"  # the uv that wrote uv.lock; modal would otherwise pull `latest`
image = (
    modal.Image.debian_slim(python_version="3.11")
    # Exact versions from uv.lock; --no-default-groups drops the dev tools that tool.uv adds by default.
    .uv_sync(str(PROJECT_DIR), frozen=True, extra_options="--no-default-groups", uv_version=UV_VERSION)
    # The package ships as source (no install metadata), so health reads its version from here.
    .env({VERSION_ENV: package_version()})
    .add_local_python_source("genrec")
)

artifacts = modal.Volume.from_name("genrec-artifacts", create_if_missing=True)
rpc_secret = modal.Secret.from_name("genrec-rpc", required_keys=[TOKEN_ENV])

ARTIFACTS_DIR = "/vol"
GPU = "L40S"
SCALEDOWN_WINDOW_S = 300  # keep a warm container between bursts of edge calls
TIMEOUT_S = 600  # seconds per input


@app.cls(
    image=image,
    gpu=GPU,
    volumes={ARTIFACTS_DIR: artifacts},
    secrets=[rpc_secret],
    scaledown_window=SCALEDOWN_WINDOW_S,
    timeout=TIMEOUT_S,
)
class Worker:
    @modal.enter()
    def start(self) -> None:
        # Pay torch's import and CUDA initialisation once per container, not on the first request.
        print(f"genrec worker on {current_device()}")
        self.web_app = create_app(token=os.environ[TOKEN_ENV], runtime="modal")

    @modal.method()
    def rpc(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Call one RPC method from Modal's SDKs: answers the response, or an ErrorEnvelope on failure."""
        context = RpcContext(runtime="modal", method=method, request_id=uuid.uuid4().hex)
        try:
            return dispatch(method, payload, context)
        except Exception as exc:
            return error_response(exc, context.request_id)[1]

    @modal.asgi_app()
    def web(self) -> Any:
        """`POST /rpc/{method}` with `Authorization: Bearer $GENREC_RPC_TOKEN`, as the local server."""
        return self.web_app
