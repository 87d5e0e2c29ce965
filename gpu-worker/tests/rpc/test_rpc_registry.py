"""The method table mirrors shared/src/rpc.ts; dispatch validates, runs and maps errors."""

import logging
import re
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import pytest
from pydantic import BaseModel

from genrec.rpc import handlers, registry
from genrec.rpc.codegen import PROJECT_DIR
from genrec.rpc.context import RpcContext
from genrec.rpc.errors import RpcError, error_response
from genrec.rpc.models import HealthRequest, HealthResponse
from genrec.rpc.registry import METHODS, Method, dispatch

RPC_TS = PROJECT_DIR.parent / "shared" / "src" / "rpc.ts"
# Every method is implemented: embed/assign_sids are tested in tests/embed and tests/sid,
# train/job_status/cancel_job in tests/jobs, denoise in tests/diffgrm.


def ctx(method: str, runtime: str = "local") -> RpcContext:
    return RpcContext(runtime=runtime, method=method, request_id="r1")  # type: ignore[arg-type]


def test_methods_match_rpc_ts() -> None:
    table = (
        RPC_TS.read_text(encoding="utf-8").split("export const rpcMethods", 1)[1].split("} as const", 1)[0]
    )
    declared = re.findall(r"(\w+): \{ request: (\w+), response: (\w+) \}", table)
    assert declared, "could not read rpcMethods from rpc.ts"
    ours = [(name, m.request.__name__, m.response.__name__) for name, m in METHODS.items()]
    assert sorted(ours) == sorted(declared)


@pytest.mark.parametrize("runtime", ["local", "modal"])
def test_health_reports_version_runtime_and_device(runtime: str) -> None:
    answer = dispatch("health", {}, ctx("health", runtime))
    assert answer == {"status": "ok", "version": version("genrec"), "runtime": runtime, "device": "cpu"}


def test_version_falls_back_to_the_env_var_set_by_the_modal_image(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise PackageNotFoundError(name)

    monkeypatch.setattr(handlers, "version", missing)
    monkeypatch.setenv(handlers.VERSION_ENV, "9.9.9")
    assert handlers.package_version() == "9.9.9"
    monkeypatch.delenv(handlers.VERSION_ENV)
    assert handlers.package_version() == "unknown"


def test_validation_runs_before_any_handler() -> None:
    with pytest.raises(RpcError) as caught:
        body = {"artifact_version": "v1", "histories": [["i1"]], "unexpected": 1}
        dispatch("denoise", body, ctx("denoise"))
    assert (caught.value.status, caught.value.error.code) == (400, "invalid_request")


def test_json_text_is_parsed_and_malformed_json_has_an_empty_path() -> None:
    assert dispatch("health", b"{}", ctx("health"))["status"] == "ok"
    with pytest.raises(RpcError) as caught:
        dispatch("denoise", b'{"artifact_version": "v1",', ctx("denoise"))
    assert caught.value.error.message == "request body is not valid JSON"
    assert [(i.code, i.path) for i in caught.value.error.issues] == [("json_invalid", [])]


def test_unknown_method_is_not_found() -> None:
    with pytest.raises(RpcError) as caught:
        dispatch("train_everything", {}, ctx("train_everything"))
    assert (caught.value.status, caught.value.error.code) == (404, "not_found")


def test_rpc_error_rejects_codes_outside_the_contract() -> None:
    with pytest.raises(ValueError):
        RpcError(418, "teapot", "no")


@pytest.mark.parametrize(
    "handler",
    [
        lambda request, context: {"status": "ok"},  # wrong type
        lambda request, context: HealthResponse(
            status="ok", version="1", runtime="gpu", device="cpu"
        ),  # invalid
    ],
)
def test_a_broken_handler_is_an_internal_error_not_a_bad_request(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, handler: Any
) -> None:
    monkeypatch.setattr(registry, "METHODS", {"health": Method(HealthRequest, HealthResponse, handler)})
    with pytest.raises(Exception) as caught:
        dispatch("health", {}, ctx("health"))
    assert not isinstance(caught.value, RpcError)

    with caplog.at_level(logging.ERROR):
        status, body = error_response(caught.value, "r1")
    assert status == 500 and body["error"]["code"] == "internal" and body["request_id"] == "r1"
    assert body["error"]["issues"] == [] and "r1" in caplog.text


def test_optional_response_fields_are_omitted_not_null(monkeypatch: pytest.MonkeyPatch) -> None:
    class Loose(BaseModel):
        a: int
        b: str | None = None

    monkeypatch.setattr(registry, "METHODS", {"x": Method(HealthRequest, Loose, lambda r, c: Loose(a=1))})
    assert dispatch("x", {}, ctx("x")) == {"a": 1}
