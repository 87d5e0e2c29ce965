"""The real tiny RPG job on the shipped sample, as the end-to-end quick start runs it: child process,
embeddings, SIDs, training, ONNX export, publish to a stand-in edge. About half a minute on one CPU
thread (the sentence-transformers load dominates), so it is marked slow."""

from __future__ import annotations

import time
from typing import Any

import pytest

from genrec.jobs.service import JobService
from genrec.rpc.context import RpcContext
from genrec.rpc.models import ArtifactManifest, Job
from genrec.rpc.registry import dispatch

from .conftest import ADMIN_KEY, FakeEdge

BUDGET_S = 120  # the end-to-end test's whole budget for training


def call(method: str, payload: dict[str, Any]) -> Job:
    return Job.model_validate(dispatch(method, payload, RpcContext("local", method, "test")))


def run_to_the_end(
    request: dict[str, Any], fake_edge: FakeEdge, monkeypatch: pytest.MonkeyPatch
) -> tuple[Job, list[str], float]:
    """Start a job that publishes to ``fake_edge`` and poll it until it ends or the budget runs out:
    the final job, the phases it was seen in (in order), and the wall seconds."""
    monkeypatch.delenv("GENREC_JOBS_NO_PUBLISH", raising=False)
    monkeypatch.setenv("GENREC_EDGE_URL", fake_edge.url)
    monkeypatch.setenv("GENREC_EDGE_ADMIN_KEY", ADMIN_KEY)
    started = time.monotonic()
    job = call("train", request)
    phases: list[str] = []
    while job.state in ("queued", "running") and time.monotonic() - started < BUDGET_S:
        time.sleep(0.5)
        job = call("job_status", {"job_id": job.job_id})
        phases += [job.phase] if not phases or phases[-1] != job.phase else []
    return job, phases, time.monotonic() - started


@pytest.mark.slow
def test_tiny_rpg_on_the_sample_trains_and_publishes(
    local_service: JobService, fake_edge: FakeEdge, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = {"model": "rpg", "dataset": {"kind": "builtin", "name": "sample"}, "preset": "tiny"}
    job, phases, wall = run_to_the_end(request, fake_edge, monkeypatch)
    assert job.state == "succeeded", (job.error, job.logs)
    assert wall < BUDGET_S
    print(f"tiny RPG job on the sample: {wall:.1f}s wall")
    assert [p for p in phases if p != "queued"] == [
        p for p in ("dataset", "sids", "train", "export", "publish", "done") if p in phases
    ]
    manifest = ArtifactManifest.model_validate(fake_edge.registered[job.artifact_version]).root
    assert (manifest.model, manifest.dataset, manifest.n_items, manifest.digits) == ("rpg", "sample", 2795, 8)
    assert (
        set(fake_edge.files[manifest.version])
        == set(manifest.files)
        >= {"model.onnx", "sids.u8", "items.json"}
    )
    assert job.metrics is not None and "test_graph_ndcg@10" in job.metrics


@pytest.mark.slow
def test_tiny_sasrec_on_the_sample_trains_exports_and_publishes(
    local_service: JobService, fake_edge: FakeEdge, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = {"kind": "builtin", "name": "sample"}
    request = {"model": "sasrec", "dataset": dataset, "preset": "tiny", "overrides": {"activate": True}}
    job, _, _ = run_to_the_end(request, fake_edge, monkeypatch)
    assert job.state == "succeeded", (job.error, job.logs)
    assert job.artifact_version and job.artifact_version.startswith("sasrec-sample-")
    manifest = ArtifactManifest.model_validate(fake_edge.registered[job.artifact_version]).root
    assert (manifest.model, manifest.n_items, manifest.dim) == ("sasrec", 2795, 16)
    assert (
        set(fake_edge.files[manifest.version])
        == set(manifest.files)
        == {"items.json", "embeddings.f32", "model.onnx"}
    )
    assert any(r["path"].endswith("/activate") for r in fake_edge.requests)
    assert job.metrics is not None and "test_ndcg@10" in job.metrics
