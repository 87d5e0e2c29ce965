"""modal_app.py defines the deployment we expect, checked by importing it: no network, no credentials.

Modal 1.6 deprecates App.registered_* (removal planned for 1.7) and keeps function specs private;
both are read here because no public local equivalent exists yet. Bumping modal may mean editing this.
"""

import importlib.util
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import modal
import pytest
from fastapi.testclient import TestClient

MODAL_APP = Path(__file__).resolve().parents[1] / "modal_app.py"


@pytest.fixture(scope="module")
def modal_app() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("modal_app", MODAL_APP)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["modal_app"] = module  # modal resolves a class's module by name
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("modal_app", None)


def registered(app: modal.App, attribute: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", modal.exception.DeprecationError)
        return getattr(app, attribute)


def test_app_and_its_members(modal_app: ModuleType) -> None:
    app = modal_app.app
    assert app.name == "genrec-edge"
    assert list(registered(app, "registered_classes")) == ["Worker"]
    assert registered(app, "registered_web_endpoints") == ["Worker.web"]
    assert sorted(modal_app.Worker._get_method_names()) == ["rpc", "web"]


def test_gpu_volume_and_secret(modal_app: ModuleType) -> None:
    spec = modal_app.Worker._get_class_service_function()._spec_
    assert spec.gpus == modal_app.GPU == "L40S"
    # The spec holds modal's internal twins of our objects, so compare what they name.
    assert {path: repr(v) for path, v in spec.volumes.items()} == {
        "/vol": "modal.Volume.from_name('genrec-artifacts')"
    }
    assert [repr(s) for s in spec.secrets] == ["modal.Secret.from_name('genrec-rpc')"]
    assert modal_app.ARTIFACTS_DIR == "/vol"


@pytest.fixture
def worker(modal_app: ModuleType, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """A Worker instance as a container would have it after @modal.enter(), run here on CPU."""
    monkeypatch.setenv("GENREC_RPC_TOKEN", "modal-token")
    user_cls = modal_app.Worker._get_user_cls()
    instance = user_cls()
    vars(user_cls)["start"]._get_raw_f()(instance)
    return user_cls, instance


def test_rpc_method_serves_the_shared_registry(worker: tuple[Any, Any]) -> None:
    user_cls, instance = worker
    rpc = vars(user_cls)["rpc"]._get_raw_f()
    assert rpc(instance, "health", {})["runtime"] == "modal"
    error = rpc(instance, "embed", {"texts": ["x"]})["error"]
    assert error["code"] == "not_implemented"
    assert rpc(instance, "health", {"x": 1})["error"]["issues"][0]["path"] == ["x"]


def test_web_endpoint_is_the_authenticated_app(worker: tuple[Any, Any]) -> None:
    user_cls, instance = worker
    client = TestClient(vars(user_cls)["web"]._get_raw_f()(instance))
    assert client.post("/rpc/health", json={}).status_code == 401
    ok = client.post("/rpc/health", json={}, headers={"Authorization": "Bearer modal-token"})
    assert ok.json()["runtime"] == "modal"
