"""FastAPI app serving the RPC method table at `POST /rpc/{method}`: used by the local server and,
with runtime="modal", by the Modal web endpoint."""

from __future__ import annotations

import hmac
import re
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from genrec.rpc.context import RpcContext, Runtime
from genrec.rpc.errors import RpcError, error_response
from genrec.rpc.registry import dispatch, lookup

TOKEN_ENV = "GENREC_RPC_TOKEN"
# A launcher's per-run value, echoed by /healthz so that it can tell its own server from another.
INSTANCE_ENV = "GENREC_INSTANCE"
INSTANCE_HEADER = "X-Genrec-Instance"
REQUEST_ID_HEADER = "X-Request-Id"
# A caller's id is echoed into headers and logs, so only short, plain ones are kept.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def create_app(*, token: str | None, runtime: Runtime = "local", instance: str | None = None) -> FastAPI:
    """`token=None` turns authentication off; only `--insecure-no-auth` should ask for that."""
    if token is not None and not token:
        raise ValueError(f"empty {TOKEN_ENV}: pass a real token, or None to disable auth")
    # No docs routes: the contract is documented once, in shared/.
    app = FastAPI(title="genrec gpu-worker", docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request.state.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        response = await call_next(request)
        response.headers[REQUEST_ID_HEADER] = request.state.request_id
        return response

    @app.exception_handler(HTTPException)
    async def routing_error(request: Request, exc: HTTPException) -> JSONResponse:
        # Unknown paths and wrong verbs come from the router; answer them in the envelope too.
        code = "not_found" if exc.status_code == 404 else "invalid_request"
        return _error(RpcError(exc.status_code, code, str(exc.detail)), request, exc.headers)

    @app.get("/healthz")
    def healthz(response: Response) -> dict[str, str]:
        """Liveness for process supervisors: no auth, no torch. `POST /rpc/health` says more."""
        if instance:
            response.headers[INSTANCE_HEADER] = instance
        return {"status": "ok"}

    @app.post("/rpc/{method}")
    async def rpc(method: str, request: Request) -> JSONResponse:
        try:
            _authorize(request.headers.get("authorization"), token)
            lookup(method)  # 404 before reading a body that nobody will use
            body = await request.body()
            context = RpcContext(runtime=runtime, method=method, request_id=request.state.request_id)
            # Handlers are blocking (torch); keep them off the event loop.
            return JSONResponse(await run_in_threadpool(dispatch, method, body, context))
        except Exception as exc:
            return _error(exc, request)

    return app


def _authorize(header: str | None, token: str | None) -> None:
    if token is None:
        return
    scheme, _, presented = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise RpcError(401, "unauthorized", "missing bearer token")
    # Constant-time, so response timing does not reveal how much of a guess was right. Starlette
    # decodes header bytes as latin-1; encoding back recovers exactly the bytes the client sent.
    if not hmac.compare_digest(presented.strip().encode("latin-1"), token.encode()):
        raise RpcError(403, "forbidden", "invalid bearer token")


def _error(exc: BaseException, request: Request, headers: dict[str, str] | None = None) -> JSONResponse:
    status, body = error_response(exc, request.state.request_id)
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(body, status_code=status, headers=headers)
