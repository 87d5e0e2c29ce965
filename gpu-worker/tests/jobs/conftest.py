"""Fixtures for job tests: an isolated job root and service, and a stand-in edge on a real socket."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from genrec.jobs import service
from genrec.jobs.local_launcher import LocalLauncher
from genrec.jobs.service import JobService
from genrec.jobs.store import JobStore
from genrec.rpc.models import ArtifactManifest

ADMIN_KEY = "admin-test-key"


@dataclass
class FakeEdge:
    """Records every request; answers like edge/src/routes/models and routes/jobs (snapshot files)."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)  # version -> name -> bytes
    registered: dict[str, dict[str, Any]] = field(default_factory=dict)  # version -> manifest
    snapshots: dict[str, bytes] = field(default_factory=dict)  # path -> body
    live: str | None = None

    def calls(self) -> list[tuple[str, str]]:
        return [(r["method"], r["path"]) for r in self.requests]


def _handler(edge: FakeEdge) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def _answer(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, code: str) -> None:
            self._answer(status, {"error": {"code": code, "message": code, "issues": []}, "request_id": "r"})

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            edge.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "auth": self.headers.get("Authorization"),
                    "content_type": self.headers.get("Content-Type"),
                    "body": body,
                }
            )
            if self.headers.get("Authorization") != f"Bearer {ADMIN_KEY}":
                return self._error(403, "forbidden")
            parts = self.path.strip("/").split("/")
            if self.command == "GET" and self.path in edge.snapshots:
                self.send_response(200)
                self.send_header("Content-Length", str(len(edge.snapshots[self.path])))
                self.end_headers()
                self.wfile.write(edge.snapshots[self.path])
                return None
            if self.command == "GET" and parts == ["v1", "models"]:
                return self._answer(200, {"models": [{"version": v} for v in edge.registered]})
            if parts[:2] != ["v1", "models"] or len(parts) < 3:
                return self._error(404, "not_found")
            version = parts[2]
            if self.command == "PUT" and len(parts) == 5 and parts[3] == "files":
                if version in edge.registered:
                    return self._error(409, "conflict")
                edge.files.setdefault(version, {})[parts[4]] = body
                return self._answer(200, {"file": parts[4], "bytes": len(body)})
            if self.command == "POST" and len(parts) == 3:
                if version in edge.registered:
                    return self._error(409, "conflict")
                manifest = ArtifactManifest.model_validate_json(body).root
                if set(manifest.files) != set(edge.files.get(version, {})):
                    return self._error(422, "invalid_artifact")
                edge.registered[version] = json.loads(body)
                return self._answer(200, {"version": version, "live": False})
            if self.command == "POST" and parts[3:] == ["activate"] and version in edge.registered:
                edge.live = version
                return self._answer(200, {"version": version, "live": True})
            return self._error(404, "not_found")

        do_GET = do_PUT = do_POST = _handle

    return Handler


@pytest.fixture
def fake_edge() -> Iterator[FakeEdge]:
    edge = FakeEdge()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(edge))
    edge.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield edge
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def jobs_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "jobs"
    monkeypatch.setenv("GENREC_JOBS_DIR", str(root))
    return root


@pytest.fixture
def local_service(jobs_root: Path) -> Iterator[JobService]:
    """The process's job service, as the local server installs it; stops leftover children after."""
    launcher = LocalLauncher()
    svc = JobService(JobStore(jobs_root), launcher)
    service.configure(svc)
    try:
        yield svc
    finally:
        service.configure(None)
        for job_id in svc.store.ids():
            launcher.stop(svc.store, job_id)
