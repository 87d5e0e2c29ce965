"""HTTP client of the edge for a job: fetch a training snapshot, publish an artifact set.

Publishing (docs/artifacts.md; routes in edge/src/routes/models), all with
``Authorization: Bearer $GENREC_EDGE_ADMIN_KEY``:

    PUT  {edge}/v1/models/{version}/files/{name}   application/octet-stream, once per file in the
                                                   manifest's ``files`` (never manifest.json)
    POST {edge}/v1/models/{version}                manifest.json as the JSON body: the edge checks
                                                   the set (sizes, sha256, a smoke inference) and
                                                   registers it, not live
    POST {edge}/v1/models/{version}/activate       only when asked (TrainRequest.overrides.activate)

A 409 means the version is already registered; versions embed the job id, so only an earlier attempt
of this very job can have done it: the job checks ``GET /v1/models`` and carries on.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit
from urllib.request import Request, urlopen

from genrec.jobs.errors import JobError
from genrec.rpc.models import ArtifactManifest, EmbeddingManifest, KnnManifest, RpgManifest

MANIFEST = "manifest.json"
TIMEOUT_S = 120.0
ATTEMPTS = 3  # per request, for connection errors and 5xx answers
CHUNK = 1 << 20

Log = Callable[[str], None]


class EdgeHTTPError(JobError):
    def __init__(self, method: str, url: str, status: int, body: str) -> None:
        super().__init__(f"{method} {url} -> HTTP {status}: {_describe(body)}")
        self.status = status


def _describe(body: str) -> str:
    try:
        error = json.loads(body)["error"]
        return f"{error['code']}: {error['message']}"[:500]
    except (ValueError, KeyError, TypeError):
        return body.strip()[:500] or "(empty body)"


class EdgeClient:
    def __init__(
        self, base_url: str, admin_key: str, timeout: float = TIMEOUT_S, retry_delay_s: float = 1.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.admin_key = admin_key
        self.timeout = timeout
        self.retry_delay_s = retry_delay_s  # times the attempt number

    def request(
        self, method: str, url: str, body: bytes | Path | None = None, content_type: str | None = None
    ) -> bytes:
        """One call with retries on connection errors and 5xx; other HTTP errors raise EdgeHTTPError."""
        headers = {"Authorization": f"Bearer {self.admin_key}"}
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in range(1, ATTEMPTS + 1):
            data: Any = body
            if isinstance(body, Path):
                data = body.open("rb")
                headers["Content-Length"] = str(body.stat().st_size)
            try:
                with urlopen(
                    Request(url, data=data, method=method, headers=headers), timeout=self.timeout
                ) as r:
                    return r.read()
            except HTTPError as e:
                error = EdgeHTTPError(method, url, e.code, e.read().decode("utf-8", "replace"))
                if e.code < 500 or attempt == ATTEMPTS:
                    raise error from None
            except (URLError, TimeoutError, ConnectionError) as e:
                if attempt == ATTEMPTS:
                    raise JobError(f"{method} {url} failed: {getattr(e, 'reason', e)}") from None
            finally:
                if hasattr(data, "close"):
                    data.close()
            time.sleep(self.retry_delay_s * attempt)
        raise AssertionError("unreachable")

    def download(self, url: str, dest: Path) -> int:
        """GET ``url`` into ``dest`` (written whole or not at all); returns its size in bytes."""
        if _origin(url) != _origin(self.base_url):
            # The admin key goes to the configured edge only, whatever URL a request names.
            raise JobError(f"snapshot {url[:200]!r} is not on the configured edge {self.base_url!r}")
        tmp = dest.with_name(dest.name + ".part")
        tmp.write_bytes(self.request("GET", url))
        tmp.replace(dest)
        return dest.stat().st_size

    def models(self) -> list[dict[str, Any]]:
        return json.loads(self.request("GET", f"{self.base_url}/v1/models"))["models"]

    def publish(self, artifact_dir: Path, activate: bool, log: Log) -> dict[str, Any]:
        """Upload, register and (if asked) activate the set in ``artifact_dir``; returns the edge's
        ModelVersion."""
        manifest = check_artifact_set(artifact_dir)
        version = manifest.version
        base = f"{self.base_url}/v1/models/{quote(version, safe='')}"
        try:
            for name, entry in manifest.files.items():
                self.request("PUT", f"{base}/files/{name}", artifact_dir / name, "application/octet-stream")
                log(f"uploaded {name} ({entry.bytes} bytes)")
            body = (artifact_dir / MANIFEST).read_bytes()
            answer = json.loads(self.request("POST", base, body, "application/json"))
            log(f"registered {version} (not live)")
        except EdgeHTTPError as e:
            if e.status != 409 or not any(m["version"] == version for m in self.models()):
                raise
            log(f"{version} is already registered (an earlier attempt of this job published it)")
            answer = next(m for m in self.models() if m["version"] == version)
        if activate:
            answer = json.loads(self.request("POST", f"{base}/activate"))
            log(f"activated {version}: it is now the live version")
        return answer


def check_artifact_set(directory: Path) -> RpgManifest | EmbeddingManifest | KnnManifest:
    """The set's manifest, validated against the shared schema, with every file's size and sha256
    checked and nothing else in the directory: what the edge would refuse fails here, before upload."""
    manifest = ArtifactManifest.model_validate_json((directory / MANIFEST).read_bytes()).root
    if manifest.version != directory.name:
        raise JobError(f"manifest version {manifest.version!r} differs from its directory {directory.name!r}")
    present = {p.name for p in directory.iterdir()} - {MANIFEST}
    if present != set(manifest.files):
        raise JobError(
            f"artifact files {sorted(present)} differ from the manifest's {sorted(manifest.files)}"
        )
    for name, entry in manifest.files.items():
        path = directory / name
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
        if path.stat().st_size != entry.bytes or digest.hexdigest() != entry.sha256:
            raise JobError(f"{name} does not match its manifest entry (size or sha256)")
    return manifest


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
