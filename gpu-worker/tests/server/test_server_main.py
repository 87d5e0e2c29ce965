"""`python -m genrec.server`: refuses to run unauthenticated unless told to, and says so loudly."""

import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from genrec.jobs import service as jobs_service
from genrec.jobs.store import JobStore
from genrec.rpc.models import TrainRequest
from genrec.server import __main__ as server_main
from genrec.server.app import TOKEN_ENV


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Stand-in for uvicorn.run that records what would have been served."""
    seen: dict[str, Any] = {}
    monkeypatch.setattr(server_main.uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    return seen


def test_refuses_to_start_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], served: dict[str, Any]
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with pytest.raises(SystemExit) as caught:
        server_main.main([])
    assert caught.value.code == 2
    assert TOKEN_ENV in capsys.readouterr().err and not served


def test_serves_with_auth_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, served: dict[str, Any]
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "s3cret")
    monkeypatch.setenv("GENREC_INSTANCE", "run-7")
    server_main.main(["--port", "9999"])
    assert (served["host"], served["port"]) == ("127.0.0.1", 9999)
    client = TestClient(served["app"])
    assert client.get("/healthz").headers["X-Genrec-Instance"] == "run-7"
    assert client.post("/rpc/health", json={}).status_code == 401
    assert client.post("/rpc/health", json={}, headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_insecure_flag_disables_auth_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, served: dict[str, Any]
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "ignored")
    with caplog.at_level(logging.WARNING):
        server_main.main(["--insecure-no-auth"])
    assert "AUTH DISABLED" in caplog.text
    assert TestClient(served["app"]).post("/rpc/health", json={}).status_code == 200


def test_every_flag_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        server_main.parse_args(["--help"])
    text = capsys.readouterr().out
    for flag in ("--host", "--port", "--insecure-no-auth", "--jobs-dir", "--log-level"):
        assert flag in text
    assert "default: 8788" in text


def test_start_marks_jobs_left_running_by_a_previous_server_failed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, served: dict[str, Any], tmp_path: Path
) -> None:
    store = JobStore(tmp_path / "elsewhere")
    request = TrainRequest.model_validate({"model": "rpg", "dataset": {"kind": "builtin", "name": "sample"}})
    lost, done = store.create(request).job_id, store.create(request).job_id
    store.update(lost, state="running", phase="train")
    store.write_text(lost, "pid", "999999999")  # no such process
    store.update(done, state="succeeded", phase="done", progress=1.0)
    with caplog.at_level(logging.WARNING):
        server_main.main(["--insecure-no-auth", "--jobs-dir", str(store.root)])
    assert (store.read(lost).state, store.read(lost).error) == (
        "failed",
        "worker process exited unexpectedly",
    )
    assert store.read(done).state == "succeeded"
    assert lost in caplog.text
    assert jobs_service.current().store.root == store.root  # the server's job service uses that root
