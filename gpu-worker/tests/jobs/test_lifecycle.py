"""Jobs through the real machinery: RPC dispatch -> a child job process (the runner with the fake
pipeline, tests/jobs/fake_pipeline.py) -> status file -> publish to a stand-in edge."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from genrec.jobs.local_launcher import LocalLauncher
from genrec.jobs.service import LOST, JobService
from genrec.jobs.store import JobStore
from genrec.rpc.context import RpcContext
from genrec.rpc.models import ArtifactManifest, Job
from genrec.rpc.registry import dispatch
from genrec.server.app import create_app

from .conftest import ADMIN_KEY, FakeEdge
from .fake_pipeline import FakePipeline

SAMPLE = {"kind": "builtin", "name": "sample"}


def call(method: str, payload: dict[str, Any]) -> Job:
    return Job.model_validate(dispatch(method, payload, RpcContext("local", method, "test")))


def wait_for(job_id: str, done: Callable[[Job], bool], timeout: float = 20.0) -> tuple[Job, list[Job]]:
    seen: list[Job] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen.append(call("job_status", {"job_id": job_id}))
        if done(seen[-1]):
            return seen[-1], seen
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} stuck: {seen[-1].model_dump() if seen else None}")


def finished(job: Job) -> bool:
    return job.state in ("succeeded", "failed", "cancelled")


def stepping(job: Job) -> bool:
    return any("fake step" in line for line in job.logs)


@pytest.fixture
def fake(
    monkeypatch: pytest.MonkeyPatch, fake_edge: FakeEdge, local_service: JobService
) -> Callable[..., list[str]]:
    """Launch the fake pipeline for the jobs started next, publishing to `fake_edge`; returns the job
    process's command."""
    monkeypatch.setenv("GENREC_EDGE_URL", fake_edge.url)
    monkeypatch.setenv("GENREC_EDGE_ADMIN_KEY", ADMIN_KEY)
    monkeypatch.delenv("GENREC_JOBS_NO_PUBLISH", raising=False)

    def configure(steps: int, step_s: float = 0.05, fail: bool = False) -> list[str]:
        command = FakePipeline(steps, step_s, fail).command()
        assert isinstance(local_service.launcher, LocalLauncher)
        local_service.launcher.command = command
        return command

    return configure


def pid_of(svc: JobService, job_id: str) -> int:
    return int(svc.store.read_text(job_id, "pid") or 0)


def test_a_job_runs_in_a_child_reports_progress_and_logs_and_publishes(
    local_service: JobService, fake: Callable[..., list[str]], fake_edge: FakeEdge
) -> None:
    fake(steps=6)
    queued = call("train", {"model": "rpg", "dataset": SAMPLE, "preset": "tiny"})
    assert (queued.state, queued.progress, queued.model) == ("queued", 0.0, "rpg")
    assert re.fullmatch(r"[a-z0-9]{12}", queued.job_id)
    assert pid_of(local_service, queued.job_id) not in (0, os.getpid())

    job, seen = wait_for(queued.job_id, finished)
    assert job.state == "succeeded", job.error
    progress = [j.progress for j in seen]
    assert progress == sorted(progress) and job.progress == 1.0
    assert any(0.0 < p < 1.0 for p in progress), "progress moved in between"
    assert job.updated_at >= job.created_at and job.created_at.utcoffset() is not None
    assert "fake step 6/6" in "\n".join(job.logs) and job.logs[-1].endswith("job succeeded")
    assert re.fullmatch(rf"rpg-sample-\d{{8}}T\d{{6}}Z-{queued.job_id[:6]}", job.artifact_version or "")
    assert job.metrics == {"fake_steps": 6.0}

    version = job.artifact_version
    manifest = ArtifactManifest.model_validate(fake_edge.registered[version]).root
    puts = [r for r in fake_edge.requests if r["method"] == "PUT"]
    assert {r["path"].rsplit("/", 1)[1] for r in puts} == set(manifest.files) == set(fake_edge.files[version])
    assert "manifest.json" not in fake_edge.files[version]
    assert all(r["content_type"] == "application/octet-stream" for r in puts)
    assert all(r["auth"] == f"Bearer {ADMIN_KEY}" for r in fake_edge.requests)
    assert fake_edge.calls()[-1] == ("POST", f"/v1/models/{version}")  # registered last, not activated
    assert fake_edge.live is None


def test_activate_override_makes_the_version_live(
    local_service: JobService, fake: Callable[..., list[str]], fake_edge: FakeEdge
) -> None:
    fake(steps=1)
    queued = call("train", {"model": "rpg", "dataset": SAMPLE, "overrides": {"activate": True}})
    job, _ = wait_for(queued.job_id, finished)
    assert job.state == "succeeded" and fake_edge.live == job.artifact_version
    assert fake_edge.calls()[-1] == ("POST", f"/v1/models/{job.artifact_version}/activate")


def test_cancel_stops_the_process_and_is_a_no_op_once_finished(
    local_service: JobService, fake: Callable[..., list[str]], fake_edge: FakeEdge
) -> None:
    fake(steps=10_000)
    job_id = call("train", {"model": "rpg", "dataset": SAMPLE}).job_id
    running, _ = wait_for(job_id, stepping)
    pid = pid_of(local_service, job_id)
    assert running.state == "running" and running.phase == "train"
    assert os.getpgid(pid) == os.getpgrp(), "the job shares the server's process group"

    cancelled = call("cancel_job", {"job_id": job_id})
    assert cancelled.state == "cancelled" and cancelled.logs[-1].endswith("job cancelled")
    assert not local_service.launcher.alive(local_service.store, job_id)
    time.sleep(0.3)
    assert call("job_status", {"job_id": job_id}).state == "cancelled"
    assert call("cancel_job", {"job_id": job_id}).updated_at == cancelled.updated_at
    assert not fake_edge.requests, "a cancelled job publishes nothing"


def test_a_failing_pipeline_fails_the_job_with_its_error(
    local_service: JobService, fake: Callable[..., list[str]]
) -> None:
    fake(steps=4, fail=True)
    job, _ = wait_for(call("train", {"model": "rpg", "dataset": SAMPLE}).job_id, finished)
    assert job.state == "failed" and job.error == "RuntimeError: fake failure at step 3"
    assert job.artifact_version is None


def test_a_killed_job_process_reads_as_failed(
    local_service: JobService, fake: Callable[..., list[str]]
) -> None:
    fake(steps=10_000)
    job_id = call("train", {"model": "rpg", "dataset": SAMPLE}).job_id
    wait_for(job_id, stepping)
    os.kill(pid_of(local_service, job_id), signal.SIGKILL)
    job, _ = wait_for(job_id, finished)
    assert (job.state, job.error) == ("failed", LOST)
    assert job.logs[-1].endswith(f"job failed: {LOST}")


def test_reconcile_after_a_restart_fails_the_dead_jobs_only(
    local_service: JobService, fake: Callable[..., list[str]]
) -> None:
    fake(steps=1)
    done_id = call("train", {"model": "rpg", "dataset": SAMPLE}).job_id
    wait_for(done_id, finished)
    fake(steps=10_000)
    dead_id = call("train", {"model": "rpg", "dataset": SAMPLE}).job_id
    wait_for(dead_id, stepping)
    os.kill(pid_of(local_service, dead_id), signal.SIGKILL)
    time.sleep(0.2)

    restarted = JobService(JobStore(local_service.store.root), LocalLauncher())  # knows no children
    assert restarted.reconcile() == [dead_id]
    assert restarted.store.read(dead_id).state == "failed"
    assert restarted.store.read(done_id).state == "succeeded"
    assert restarted.reconcile() == []


SERVER = """
import json, sys, time
from pathlib import Path
from genrec.jobs.local_launcher import LocalLauncher
from genrec.jobs.service import JobService
from genrec.jobs.store import JobStore
from genrec.rpc.models import TrainRequest
svc = JobService(JobStore(Path(sys.argv[1])), LocalLauncher(json.loads(sys.argv[2])))
request = {"model": "rpg", "dataset": {"kind": "builtin", "name": "sample"}}
job = svc.start(TrainRequest.model_validate(request))
print(job.job_id, flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("kill", ["process group", "server alone"])
def test_a_job_dies_with_its_server(jobs_root: Path, fake: Callable[..., list[str]], kill: str) -> None:
    command = fake(steps=10_000)
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(jobs_root), json.dumps(command)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        job_id = server.stdout.readline().strip()
        store = JobStore(jobs_root)
        deadline = time.monotonic() + 20
        while not stepping(store.read(job_id)) and time.monotonic() < deadline:
            time.sleep(0.05)
        pid = int(store.read_text(job_id, "pid") or 0)
        if kill == "process group":
            os.killpg(server.pid, signal.SIGKILL)
        else:
            server.kill()
        server.wait()
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.05)
        assert not Path(f"/proc/{pid}").exists(), "the job outlived its server"
        state = store.read(job_id).state
        if kill == "server alone":  # the job saw its parent go and said why
            assert store.read(job_id).error == "worker server exited while the job was running"
        restarted = JobService(store, LocalLauncher())
        restarted.reconcile()
        assert restarted.store.read(job_id).state == "failed", state
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)


def test_unknown_jobs_are_404_and_impossible_ids_400_through_the_server(local_service: JobService) -> None:
    client = TestClient(create_app(token=None))
    for method in ("job_status", "cancel_job"):
        response = client.post(f"/rpc/{method}", json={"job_id": "nope"})
        assert response.status_code == 404, method
        assert response.json()["error"]["code"] == "not_found"
        for job_id in ("../../etc", "a.b"):  # not a job id at all (the shared schema's pattern)
            response = client.post(f"/rpc/{method}", json={"job_id": job_id})
            assert response.status_code == 400, (method, job_id)
            error = response.json()["error"]
            assert error["code"] == "invalid_request" and error["issues"][0]["path"] == ["job_id"]


@pytest.mark.parametrize(
    ("model", "overrides", "key"),
    [
        ("rpg", {"train.epochs": "many"}, "train.epochs"),
        ("rpg", {"model.no_such_field": 1}, "model.no_such_field"),
        ("rpg", {"sid.m": 7}, "sid.m"),  # PCA 256 is not divisible into 7 digits
        ("rpg", {"activate": "yes"}, "activate"),
        ("rpg", {"bogus": 1}, "bogus"),
        ("popularity", {"activate": True}, "activate"),
        ("sasrec", {"decode.beam": 5}, "decode.beam"),
    ],
)
def test_bad_overrides_are_400_before_any_job_exists(
    local_service: JobService, model: str, overrides: dict[str, Any], key: str
) -> None:
    client = TestClient(create_app(token=None))
    response = client.post("/rpc/train", json={"model": model, "dataset": SAMPLE, "overrides": overrides})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["issues"][0]["path"] == ["overrides", key]
    assert local_service.store.ids() == []
