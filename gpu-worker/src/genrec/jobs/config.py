"""Job settings, read from the environment once by each entry point and passed on explicitly.

GENREC_JOBS_DIR          job store root (default gpu-worker/var/jobs; Modal: the Volume's jobs/)
GENREC_EDGE_URL          the edge a finished job publishes to, e.g. http://127.0.0.1:8787
GENREC_EDGE_ADMIN_KEY    an edge admin API key: publishing and fetching snapshots
GENREC_JOBS_NO_PUBLISH   1: train and export, then stop (the artifact set stays in the job dir)
GENREC_JOBS_FAKE_STEPS   tests only: N sleeping steps replace data/SIDs/training/export
GENREC_JOBS_FAKE_STEP_S  tests only: seconds per fake step (default 0.1)
GENREC_JOBS_FAKE_FAIL    tests only: 1 = the fake pipeline raises half-way
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

JOBS_DIR_ENV = "GENREC_JOBS_DIR"
EDGE_URL_ENV = "GENREC_EDGE_URL"
EDGE_KEY_ENV = "GENREC_EDGE_ADMIN_KEY"
NO_PUBLISH_ENV = "GENREC_JOBS_NO_PUBLISH"
FAKE_STEPS_ENV = "GENREC_JOBS_FAKE_STEPS"
FAKE_STEP_S_ENV = "GENREC_JOBS_FAKE_STEP_S"
FAKE_FAIL_ENV = "GENREC_JOBS_FAKE_FAIL"
DEFAULT_JOBS_DIR = Path(__file__).resolve().parents[3] / "var" / "jobs"  # gpu-worker/var/jobs


def jobs_root(env: Mapping[str, str] = os.environ) -> Path:
    return Path(env.get(JOBS_DIR_ENV) or DEFAULT_JOBS_DIR)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class FakePipeline:
    steps: int
    step_seconds: float = 0.1
    fail: bool = False


@dataclass(frozen=True)
class JobSettings:
    edge_url: str | None = None  # no trailing slash
    admin_key: str | None = None
    publish: bool = True
    embed_cache_dir: Path | None = None  # None: genrec.embed's default
    fake: FakePipeline | None = None

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] = os.environ, embed_cache_dir: Path | None = None
    ) -> JobSettings:
        url = (env.get(EDGE_URL_ENV) or "").strip().rstrip("/") or None
        fake = None
        if env.get(FAKE_STEPS_ENV):
            fake = FakePipeline(
                int(env[FAKE_STEPS_ENV]),
                float(env.get(FAKE_STEP_S_ENV) or 0.1),
                _flag(env.get(FAKE_FAIL_ENV)),
            )
        return cls(
            edge_url=url,
            admin_key=(env.get(EDGE_KEY_ENV) or "").strip() or None,
            publish=not _flag(env.get(NO_PUBLISH_ENV)),
            embed_cache_dir=embed_cache_dir,
            fake=fake,
        )

    def publish_problem(self) -> str | None:
        """Why publishing cannot work with these settings (checked before any training), else None."""
        if not self.publish:
            return None
        if not self.edge_url:
            return f"${EDGE_URL_ENV} is not set: nowhere to publish (set {NO_PUBLISH_ENV}=1 to train only)"
        if urlsplit(self.edge_url).scheme not in ("http", "https"):
            return f"${EDGE_URL_ENV} must be an http(s) URL, got {self.edge_url[:200]!r}"
        if not self.admin_key:
            return f"${EDGE_KEY_ENV} is not set: the edge's publish routes need an admin key"
        return None
