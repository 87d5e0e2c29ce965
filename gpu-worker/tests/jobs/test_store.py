"""The job store: one directory per job, atomic status writes, terminal states that stick."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pytest

from genrec.jobs import store as store_module
from genrec.jobs.errors import JobNotFoundError
from genrec.jobs.store import LOG_TAIL, JobStore, new_job_id
from genrec.rpc.models import Job, TrainRequest

REQUEST = TrainRequest.model_validate({"model": "rpg", "dataset": {"kind": "builtin", "name": "sample"}})


def test_create_writes_request_status_and_log(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    job = store.create(REQUEST)
    directory = tmp_path / job.job_id
    assert store.request(job.job_id) == REQUEST
    stored = json.loads((directory / "status.json").read_text())
    assert Job.model_validate(stored) == store.read(job.job_id)
    assert stored["state"] == "queued" and job.created_at.utcoffset() is not None
    assert "artifact_version" not in stored and "error" not in stored  # absent, never null
    assert job.logs[0].endswith("job created: rpg preset quick")
    assert store.ids() == [job.job_id]
    assert not [p for p in directory.iterdir() if p.name.endswith(".tmp")]


def test_terminal_states_are_not_overwritten_unless_forced(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    job = store.create(REQUEST)
    store.update(job.job_id, state="cancelled")
    late = store.save(job.model_copy(update={"state": "running", "progress": 0.5}))
    assert (late.state, late.progress) == ("cancelled", 0.0)
    assert store.save(job.model_copy(update={"state": "running"}), force=True).state == "running"


def test_a_progress_write_in_flight_cannot_land_over_a_terminal_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job's flusher checks the stored state, then writes; the watchdog's 'failed' arriving in
    between must not be overwritten (the race CI once hit in test_a_job_dies_with_its_server)."""
    store = JobStore(tmp_path)
    job = store.create(REQUEST)
    write, slowed = store_module._atomic_write, threading.Event()

    def slow_first_write(path: Path, text: str) -> None:
        if not slowed.is_set():
            slowed.set()
            time.sleep(0.3)  # the flusher has checked the state and is about to write
        write(path, text)

    monkeypatch.setattr(store_module, "_atomic_write", slow_first_write)
    flusher = threading.Thread(target=store.save, args=(job.model_copy(update={"state": "running"}),))
    flusher.start()
    slowed.wait(5)
    store.update(job.job_id, state="failed", error="worker server exited while the job was running")
    flusher.join()
    assert store.read(job.job_id).state == "failed"


def test_invalid_status_is_refused_before_it_is_written(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    job = store.create(REQUEST)
    with pytest.raises(ValueError):
        store.update(job.job_id, progress=1.5)
    assert store.read(job.job_id).progress == 0.0


def test_logs_are_the_tail_of_the_log_file(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    job_id = store.create(REQUEST).job_id
    for i in range(120):
        store.append_log(job_id, f"line {i}")
    store.append_log(job_id, "two\nlines\n\n")
    logs = store.read(job_id).logs
    assert len(logs) == LOG_TAIL and logs[-1].endswith("lines") and logs[-3].endswith("line 119")


def test_hooks_commit_after_writes_and_reload_before_reads(tmp_path: Path) -> None:
    events: list[str] = []
    store = JobStore(tmp_path, commit=lambda: events.append("commit"), reload=lambda: events.append("reload"))
    job = store.create(REQUEST)
    assert events == ["commit"]
    store.read(job.job_id)
    store.write_text(job.job_id, "call_id", "fc-1")
    assert events == ["commit", "reload", "commit"] and store.read_text(job.job_id, "call_id") == "fc-1"


@pytest.mark.parametrize("job_id", ["missing", "../x", ".hidden", "a/b", "", "x" * 65])
def test_unknown_or_impossible_ids_are_not_found(tmp_path: Path, job_id: str) -> None:
    with pytest.raises(JobNotFoundError):
        JobStore(tmp_path).read(job_id)


def test_ids_are_short_url_safe_and_distinct() -> None:
    ids = {new_job_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(re.fullmatch(r"[a-z0-9]{12}", i) for i in ids)
