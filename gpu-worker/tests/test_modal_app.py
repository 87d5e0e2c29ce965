"""modal_app.py defines the deployment we expect, checked by importing it: no network, no credentials.

Modal 1.6 deprecates App.registered_* (removal planned for 1.7) and keeps function specs private;
both are read here because no public local equivalent exists yet. Bumping modal may mean editing this.
"""

import functools
import importlib.util
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import ModuleType, SimpleNamespace
from typing import Any

import modal
import pytest
from fastapi.testclient import TestClient
from jobs.fake_pipeline import FakePipeline  # tests/jobs, importable as `jobs` (pytest's rootdir)

import genrec
from genrec.data import registry
from genrec.jobs import service as jobs_service
from genrec.jobs.runner import run_job
from genrec.rpc.models import TrainRequest

MODAL_APP = Path(__file__).resolve().parents[1] / "modal_app.py"


def load_app() -> ModuleType:
    spec = importlib.util.spec_from_file_location("modal_app", MODAL_APP)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["modal_app"] = module  # modal resolves a class's module by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def modal_app() -> Iterator[ModuleType]:
    try:
        yield load_app()
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
    assert sorted(registered(app, "registered_functions")) == [
        "Worker.*",
        "experiment",
        "experiment_files",
        "experiment_status",
        "train_job",
    ]
    assert registered(app, "registered_web_endpoints") == ["Worker.web"]
    assert sorted(modal_app.Worker._get_method_names()) == ["denoise", "rpc", "web"]


def test_gpu_volume_and_secret(modal_app: ModuleType) -> None:
    spec = modal_app.Worker._get_class_service_function()._spec_
    assert spec.gpus == modal_app.GPU == "L40S"
    # The spec holds modal's internal twins of our objects, so compare what they name.
    assert {path: repr(v) for path, v in spec.volumes.items()} == {
        "/vol": "modal.Volume.from_name('genrec-artifacts')"
    }
    assert [repr(s) for s in spec.secrets] == ["modal.Secret.from_name('genrec-rpc')"]
    assert modal_app.ARTIFACTS_DIR == "/vol"


def test_train_job_gpu_volume_secret_timeout_and_retries(modal_app: ModuleType) -> None:
    spec = modal_app.train_job._spec_
    assert spec.gpus == modal_app.GPU
    assert {path: repr(v) for path, v in spec.volumes.items()} == {
        "/vol": "modal.Volume.from_name('genrec-artifacts')"
    }
    assert [repr(s) for s in spec.secrets] == ["modal.Secret.from_name('genrec-edge')"]
    assert (
        modal_app.TRAIN_TIMEOUT_S >= 3600
        and modal_app.TRAIN_RETRIES.max_retries == modal_app.TRAIN_MAX_RETRIES
    )
    jobs, sample = modal_app.JOBS_DIR, registry.SAMPLE_DIR
    assert jobs == Path("/vol/jobs")
    # genrec.data's sample sits two levels above the package; in the image the package is /root/genrec.
    assert sample == Path(genrec.__file__).resolve().parents[2] / "data" / "sample"
    assert (
        PurePosixPath(modal_app.SAMPLE_REMOTE) == PurePosixPath("/root/genrec").parents[1] / "data" / "sample"
    )


@dataclass
class FakeModal:
    """Stand-ins for the Volume and for `train_job.spawn` / `FunctionCall`: what the Worker asks of them."""

    events: list[str] = field(default_factory=list)
    spawned: list[str] = field(default_factory=list)
    outcome: type[BaseException] | None = TimeoutError  # what FunctionCall.get(timeout=0) raises

    def commit(self) -> None:
        self.events.append("commit")

    def reload(self) -> None:
        self.events.append("reload")

    def spawn(self, job_id: str) -> Any:
        self.spawned.append(job_id)
        return SimpleNamespace(object_id=f"fc-{len(self.spawned)}")

    def call(self, call_id: str) -> Any:
        def get(timeout: float) -> None:
            assert timeout == 0
            if self.outcome is not None:
                raise self.outcome()

        return SimpleNamespace(get=get, cancel=lambda: self.events.append(f"cancel {call_id}"))


@pytest.fixture
def fake_modal(modal_app: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeModal:
    fake = FakeModal()
    monkeypatch.setattr(modal_app, "artifacts", fake)
    monkeypatch.setattr(
        modal_app, "train_job", SimpleNamespace(spawn=fake.spawn, raw_f=modal_app.train_job._raw_f_)
    )
    monkeypatch.setattr(modal_app, "_function_call", fake.call)
    monkeypatch.setattr(modal_app, "JOBS_DIR", tmp_path / "jobs")
    return fake


@pytest.fixture
def worker(modal_app: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    """A Worker instance as a container would have it after @modal.enter(), run here on CPU."""
    monkeypatch.setenv("GENREC_RPC_TOKEN", "modal-token")
    user_cls = modal_app.Worker._get_user_cls()
    instance = user_cls()
    vars(user_cls)["start"]._get_raw_f()(instance)
    try:
        yield user_cls, instance
    finally:
        jobs_service.configure(None)  # start() installed the Volume-backed job service


def test_rpc_method_serves_the_shared_registry(worker: tuple[Any, Any]) -> None:
    user_cls, instance = worker
    rpc = vars(user_cls)["rpc"]._get_raw_f()
    assert rpc(instance, "health", {})["runtime"] == "modal"
    error = rpc(instance, "denoise", {"artifact_version": "v1", "histories": [["i1"]]})["error"]
    assert error["code"] == "not_found"  # no such DiffGRM artifact (tests/diffgrm serves a real one)
    denoise = vars(user_cls)["denoise"]._get_raw_f()
    reply = denoise(instance, {"artifact_version": "v1", "histories": [["i1"]]})
    assert reply["error"]["code"] == "not_found"
    assert rpc(instance, "health", {"x": 1})["error"]["issues"][0]["path"] == ["x"]


def test_web_endpoint_is_the_authenticated_app(worker: tuple[Any, Any]) -> None:
    user_cls, instance = worker
    client = TestClient(vars(user_cls)["web"]._get_raw_f()(instance))
    assert client.post("/rpc/health", json={}).status_code == 401
    ok = client.post("/rpc/health", json={}, headers={"Authorization": "Bearer modal-token"})
    assert ok.json()["runtime"] == "modal"


TRAIN = {"model": "rpg", "dataset": {"kind": "builtin", "name": "sample"}, "preset": "tiny"}


def test_train_spawns_the_job_function_and_answers_at_once(
    fake_modal: FakeModal, worker: tuple[Any, Any], modal_app: ModuleType
) -> None:
    user_cls, instance = worker
    rpc = vars(user_cls)["rpc"]._get_raw_f()
    job = rpc(instance, "train", TRAIN)
    assert job["state"] == "queued" and fake_modal.spawned == [job["job_id"]]
    assert (modal_app.JOBS_DIR / job["job_id"] / "call_id").read_text().strip() == "fc-1"
    assert "commit" in fake_modal.events

    fake_modal.events.clear()
    assert rpc(instance, "job_status", {"job_id": job["job_id"]})["state"] == "queued"  # call still running
    assert fake_modal.events[0] == "reload"
    cancelled = rpc(instance, "cancel_job", {"job_id": job["job_id"]})
    assert cancelled["state"] == "cancelled" and "cancel fc-1" in fake_modal.events
    assert rpc(instance, "job_status", {"job_id": "nope"})["error"]["code"] == "not_found"


def test_a_call_that_ended_without_finishing_the_job_reads_as_failed(
    fake_modal: FakeModal, worker: tuple[Any, Any]
) -> None:
    user_cls, instance = worker
    rpc = vars(user_cls)["rpc"]._get_raw_f()
    job_id = rpc(instance, "train", TRAIN)["job_id"]
    fake_modal.outcome = RuntimeError  # e.g. the last retry timed out or crashed
    job = rpc(instance, "job_status", {"job_id": job_id})
    assert (job["state"], job["error"]) == ("failed", "worker process exited unexpectedly")


def test_train_job_runs_the_pipeline_on_the_volume(
    fake_modal: FakeModal, modal_app: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(modal_app, "run_job", functools.partial(run_job, pipeline=FakePipeline(2, 0)))
    monkeypatch.setenv("GENREC_JOBS_NO_PUBLISH", "1")
    store = modal_app.job_store()
    job_id = store.create(TrainRequest.model_validate(TRAIN)).job_id
    fake_modal.events.clear()
    modal_app.train_job.raw_f(job_id)  # the patched stand-in keeps the real one
    assert fake_modal.events[0] == "reload" and fake_modal.events[-1] == "commit"
    job = store.read(job_id)
    assert job.state == "succeeded" and job.artifact_version
    assert store.read_text(job_id, "attempts") == "1"


def test_experiment_functions_gpu_volume_and_settings(
    modal_app: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    volume = {"/vol": "modal.Volume.from_name('genrec-artifacts')"}
    for name in ("experiment", "experiment_status", "experiment_files"):
        spec = getattr(modal_app, name)._spec_
        assert {path: repr(v) for path, v in spec.volumes.items()} == volume
        assert spec.gpus == (modal_app.GPU if name == "experiment" else None)
        assert spec.secrets == []  # experiments need no edge: they write to the Volume only
    assert modal_app.EXPERIMENT_TIMEOUT_S == 24 * 60 * 60
    assert Path("/vol/experiments") == modal_app.EXPERIMENTS_DIR
    # the deploy-time settings
    monkeypatch.setenv("GENREC_MODAL_GPU", "H100")
    monkeypatch.setenv("GENREC_MODAL_EXPERIMENT_TIMEOUT_S", "7200")
    try:
        other = load_app()
        assert other.experiment._spec_.gpus == "H100" and other.EXPERIMENT_TIMEOUT_S == 7200
    finally:
        sys.modules["modal_app"] = modal_app


def test_experiment_runs_the_trainer_on_the_volume(
    fake_modal: FakeModal, modal_app: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(modal_app, "EXPERIMENTS_DIR", tmp_path / "experiments")
    spec = {"run_id": "r1", "model": "sasrec", "dataset": "sample", "preset": "tiny"}
    spec["sets"] = ["train.epochs=1"]
    final = modal_app.experiment._raw_f_(spec)
    assert final["state"] == "succeeded" and fake_modal.events[-1] == "commit"
    fake_modal.events.clear()
    status = modal_app.experiment_status._raw_f_("r1")
    assert fake_modal.events == ["reload"] and status["progress"]["epoch"] == 1
    files = modal_app.experiment_files._raw_f_("r1")
    assert "results/sample-sasrec-tiny.json" in files and "run/best.json" in files
    with pytest.raises(ValueError, match="run_id"):
        modal_app.experiment_status._raw_f_("../jobs")
    with pytest.raises(ValueError, match="preset"):
        modal_app.experiment._raw_f_({**spec, "preset": "huge"})
