"""Server tests never touch gpu-worker/var/jobs: `main()` reconciles and installs a job service."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from genrec.jobs import service


@pytest.fixture(autouse=True)
def isolated_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "jobs"
    monkeypatch.setenv("GENREC_JOBS_DIR", str(root))
    yield root
    service.configure(None)
