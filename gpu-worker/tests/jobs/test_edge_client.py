"""Publishing and snapshot fetching against a stand-in edge on a real socket."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genrec.jobs.edge_client import EdgeClient, EdgeHTTPError, check_artifact_set
from genrec.jobs.errors import JobError
from genrec.jobs.settings import JobSettings
from genrec.rpc.models import ArtifactManifest

from .conftest import ADMIN_KEY, FakeEdge
from .fake_pipeline import write_fake_artifacts

VERSION = "rpg-sample-20261124T183000Z-abcdef"


@pytest.fixture
def artifact_dir(tmp_path: Path) -> Path:
    return write_fake_artifacts(tmp_path / VERSION, VERSION, "sample")


def test_publish_uploads_every_file_then_registers_the_manifest(
    artifact_dir: Path, fake_edge: FakeEdge
) -> None:
    lines: list[str] = []
    answer = EdgeClient(fake_edge.url, ADMIN_KEY).publish(artifact_dir, activate=False, log=lines.append)
    manifest = ArtifactManifest.model_validate_json((artifact_dir / "manifest.json").read_bytes()).root
    assert answer == {"version": VERSION, "live": False}
    files = sorted(manifest.files)
    assert fake_edge.calls() == [
        *[("PUT", f"/v1/models/{VERSION}/files/{name}") for name in files],
        ("POST", f"/v1/models/{VERSION}"),
    ]
    assert {n: fake_edge.files[VERSION][n] for n in files} == {
        n: (artifact_dir / n).read_bytes() for n in files
    }
    post = fake_edge.requests[-1]
    assert post["content_type"] == "application/json"
    assert ArtifactManifest.model_validate_json(post["body"]).root == manifest
    assert all(r["auth"] == f"Bearer {ADMIN_KEY}" for r in fake_edge.requests)
    assert lines[-1] == f"registered {VERSION} (not live)"


def test_a_retry_after_registration_carries_on_and_can_activate(
    artifact_dir: Path, fake_edge: FakeEdge
) -> None:
    client = EdgeClient(fake_edge.url, ADMIN_KEY)
    client.publish(artifact_dir, activate=False, log=lambda _: None)
    lines: list[str] = []
    client.publish(artifact_dir, activate=True, log=lines.append)  # 409 on the first PUT
    assert "already registered" in lines[0] and fake_edge.live == VERSION


def test_edge_errors_name_the_call_and_the_edge_error(artifact_dir: Path, fake_edge: FakeEdge) -> None:
    with pytest.raises(EdgeHTTPError) as caught:
        EdgeClient(fake_edge.url, "wrong-key").publish(artifact_dir, activate=False, log=lambda _: None)
    assert caught.value.status == 403 and "forbidden" in str(caught.value) and "PUT" in str(caught.value)


def test_an_unreachable_edge_is_a_job_error(artifact_dir: Path) -> None:
    with pytest.raises(JobError, match="failed"):
        EdgeClient("http://127.0.0.1:9", ADMIN_KEY, retry_delay_s=0).publish(
            artifact_dir, activate=False, log=lambda _: None
        )


@pytest.mark.parametrize("damage", ["tamper", "extra", "missing", "version"])
def test_a_damaged_set_is_refused_before_upload(artifact_dir: Path, damage: str) -> None:
    if damage == "tamper":
        (artifact_dir / "sids.u8").write_bytes(b"\x01" * 10)
    elif damage == "extra":
        (artifact_dir / "notes.txt").write_text("x")
    elif damage == "missing":
        (artifact_dir / "popular.i32").unlink()
    else:
        manifest = json.loads((artifact_dir / "manifest.json").read_text())
        (artifact_dir / "manifest.json").write_text(json.dumps({**manifest, "version": "other"}))
    with pytest.raises(JobError):
        check_artifact_set(artifact_dir)


def test_snapshot_download_sends_the_key_to_the_configured_edge_only(
    tmp_path: Path, fake_edge: FakeEdge
) -> None:
    fake_edge.snapshots["/v1/snapshots/s1/items.jsonl"] = b'{"id": "i1"}\n'
    client = EdgeClient(fake_edge.url, ADMIN_KEY)
    assert client.download(f"{fake_edge.url}/v1/snapshots/s1/items.jsonl", tmp_path / "items.jsonl") == 13
    assert (tmp_path / "items.jsonl").read_bytes() == b'{"id": "i1"}\n'
    with pytest.raises(JobError, match="not on the configured edge"):
        client.download("http://elsewhere.example/v1/snapshots/s1/items.jsonl", tmp_path / "x")


def test_settings_say_why_publishing_cannot_work() -> None:
    assert "GENREC_EDGE_URL" in (JobSettings.from_env({}).publish_problem() or "")
    assert JobSettings.from_env({"GENREC_JOBS_NO_PUBLISH": "1"}).publish_problem() is None
    no_key = JobSettings.from_env({"GENREC_EDGE_URL": "http://127.0.0.1:8787/"})
    assert no_key.edge_url == "http://127.0.0.1:8787" and "ADMIN_KEY" in (no_key.publish_problem() or "")
    ftp = JobSettings.from_env({"GENREC_EDGE_URL": "ftp://x", "GENREC_EDGE_ADMIN_KEY": "k"})
    assert "http(s)" in (ftp.publish_problem() or "")
