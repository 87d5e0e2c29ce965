"""The job process's logic in-process: snapshots, re-runs that continue, failures and retries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genrec.jobs.pipeline import Workspace, load_data
from genrec.jobs.progress import Reporter
from genrec.jobs.runner import main, run_job
from genrec.jobs.settings import JobSettings
from genrec.jobs.store import JobStore
from genrec.rpc.models import TrainRequest

from .conftest import ADMIN_KEY, FakeEdge
from .fake_pipeline import FakePipeline

SAMPLE = {"kind": "builtin", "name": "sample"}
EVENTS = [
    {"event_id": f"e{n}", "user_id": f"u{u}", "item_id": f"i{i}", "timestamp": f"2026-01-0{d}T00:00:00Z"}
    for n, (u, i, d) in enumerate(
        [(1, 1, 1), (1, 2, 2), (1, 3, 3), (2, 2, 1), (2, 3, 2), (2, 1, 3), (2, 1, 3)]
    )
]


def new_job(root: Path, **request: object) -> tuple[JobStore, str]:
    store = JobStore(root)
    return store, store.create(
        TrainRequest.model_validate({"model": "rpg", "dataset": SAMPLE, **request})
    ).job_id


def test_a_snapshot_is_fetched_once_and_becomes_a_canonical_dataset(
    tmp_path: Path, fake_edge: FakeEdge
) -> None:
    lines = [json.dumps(e) for e in EVENTS] + [json.dumps({**EVENTS[0], "event_id": "e0"})]  # a replay
    fake_edge.snapshots["/v1/snapshots/snap-0001/events.jsonl"] = ("\n".join(lines) + "\n").encode()
    fake_edge.snapshots["/v1/snapshots/snap-0001/items.jsonl"] = b'{"id": "i1", "title": "Red lipstick"}\n'
    uri = f"{fake_edge.url}/v1/snapshots/snap-0001"
    store, job_id = new_job(tmp_path, dataset={"kind": "snapshot", "uri": uri})
    workspace = Workspace(store.job_dir(job_id) / "work", job_id)
    settings = JobSettings(edge_url=fake_edge.url, admin_key=ADMIN_KEY)
    reporter = Reporter(store, job_id, [("dataset", 1.0)])
    spec, ds = load_data(store.request(job_id), workspace, settings, reporter)
    assert (ds.name, ds.n_users, ds.n_items, ds.n_interactions) == ("snapshot", 2, 3, 7)
    assert ds.items[ds.item_index["i1"]].title == "Red lipstick"
    assert Path(spec) == workspace.root / "data" / "snapshot"
    assert len(fake_edge.requests) == 2
    assert load_data(store.request(job_id), workspace, settings, reporter)[1].n_users == 2
    assert len(fake_edge.requests) == 2, "a re-run reuses the converted snapshot"


def test_a_re_run_of_the_job_dir_continues_and_publishes_the_same_version(
    tmp_path: Path, fake_edge: FakeEdge
) -> None:
    store, job_id = new_job(tmp_path)
    settings = JobSettings(edge_url=fake_edge.url, admin_key=ADMIN_KEY)
    fake = FakePipeline(steps=2, step_seconds=0)
    first = run_job(store, job_id, settings, pipeline=fake)
    store.save(first.model_copy(update={"state": "running"}), force=True)  # as if it died before this write
    second = run_job(store, job_id, settings, pipeline=fake)
    assert second.state == "succeeded" and second.artifact_version == first.artifact_version
    assert list(fake_edge.registered) == [first.artifact_version]
    assert any("already registered" in line for line in second.logs)


def test_unexpected_errors_fail_the_job_only_on_the_final_attempt(tmp_path: Path) -> None:
    store, job_id = new_job(tmp_path)
    settings = JobSettings(publish=False)
    failing = FakePipeline(steps=2, step_seconds=0, fail=True)
    with pytest.raises(RuntimeError):
        run_job(store, job_id, settings, final_attempt=False, pipeline=failing)
    job = store.read(job_id)
    assert job.state == "running" and job.logs[-1].endswith("the job will be retried")
    with pytest.raises(RuntimeError):
        run_job(store, job_id, settings, final_attempt=True, pipeline=failing)
    assert store.read(job_id).state == "failed"
    fixed = FakePipeline(steps=2, step_seconds=0)
    again = run_job(store, job_id, settings, pipeline=fixed)
    assert again.state == "succeeded", "running a failed job again resumes it"
    assert store.read(job_id).error is None


def test_finished_and_cancelled_jobs_are_not_run_again(tmp_path: Path) -> None:
    store, job_id = new_job(tmp_path)
    store.update(job_id, state="cancelled")
    settings = JobSettings(publish=False)
    assert run_job(store, job_id, settings, pipeline=FakePipeline(steps=1)).state == "cancelled"
    assert not (store.job_dir(job_id) / "work").exists()


def test_rpg_without_an_edge_fails_before_training(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GENREC_EDGE_URL", "GENREC_JOBS_NO_PUBLISH"):
        monkeypatch.delenv(name, raising=False)
    store, job_id = new_job(tmp_path, preset="tiny")
    assert main(["--job-dir", str(store.job_dir(job_id))]) == 1
    job = store.read(job_id)
    assert job.state == "failed" and "GENREC_EDGE_URL is not set" in (job.error or "")
    assert job.phase == "queued", "no phase ran"
